"""The front desk's story through the API contract (API.md, Appointment
series): a six-week Monday/Thursday series in one request, every clash
answered at once, a bad rule named, the rest of the series cancelled."""

import pytest

from scheduling.models import Appointment, Reminder
from tests.scheduling.conftest import local, next_weekday
from tests.writes import nothing_written

SIX_WEEKS = "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12"


@pytest.fixture(autouse=True)
def full_urls(settings):
    settings.ROOT_URLCONF = "clinic.urls"


def series_body(plan, therapist, start, rrule=SIX_WEEKS):
    return {
        "plan": str(plan.pk),
        "therapist": str(therapist.pk),
        "start": start.isoformat(),
        "duration_minutes": 45,
        "rrule": rrule,
    }


def test_the_front_desk_books_six_weeks_of_visits_in_one_request(
    api, front_desk, long_plan, therapist
):
    start = local(next_weekday(0), 10)
    # when
    response = api.as_(front_desk).post(
        "/api/v1/appointment-series/", series_body(long_plan, therapist, start), format="json"
    )
    # then
    assert response.status_code == 201, response.json()
    visits = response.json()["appointments"]
    assert len(visits) == 12
    assert Reminder.objects.filter(appointment__series_id=response.json()["id"]).count() == 24


def test_a_clashing_series_answers_every_clash_and_saves_nothing(
    api, front_desk, long_plan, therapist
):
    start = local(next_weekday(0), 10)
    first = api.as_(front_desk).post(
        "/api/v1/appointment-series/", series_body(long_plan, therapist, start), format="json"
    )
    assert first.status_code == 201
    before = Appointment.objects.count()
    # when the same slots are asked again
    with nothing_written():
        response = api.post(
            "/api/v1/appointment-series/", series_body(long_plan, therapist, start), format="json"
        )
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert len(body["conflicts"]) == 12
    assert {c["with"] for c in body["conflicts"]} == {"therapist"}
    assert all(c["occurrence"] for c in body["conflicts"])
    assert Appointment.objects.count() == before


@pytest.mark.parametrize("rrule", ["FREQ=SECONDLY;COUNT=3", "garbage", "FREQ=WEEKLY;BYDAY=MO"])
def test_a_rule_that_is_not_allowed_is_a_400_naming_rrule(
    rrule, api, front_desk, long_plan, therapist
):
    body = series_body(long_plan, therapist, local(next_weekday(0), 10), rrule=rrule)
    with nothing_written():
        response = api.as_(front_desk).post("/api/v1/appointment-series/", body, format="json")
    assert response.status_code == 400
    assert "rrule" in response.json()


def test_the_rest_of_a_series_is_cancelled_from_a_date(api, front_desk, long_plan, therapist):
    monday = next_weekday(0)
    created = api.as_(front_desk).post(
        "/api/v1/appointment-series/",
        series_body(long_plan, therapist, local(monday, 10)),
        format="json",
    )
    series_id = created.json()["id"]
    response = api.post(
        f"/api/v1/appointment-series/{series_id}/cancel/",
        {"from": monday.isoformat(), "reason": "moving away"},
        format="json",
    )
    assert response.status_code == 200
    assert {a["status"] for a in response.json()["appointments"]} == {"cancelled"}
