"""One-click moves to a suggestion (issue 15): where a move is refused for a
clash, its free times that day are offered as moves to post as they are — on
the visit page as buttons (each a small form to the same move page), and in
the calendar's refusal (the JSON answer carries them). Either way the move goes
through booking.move_appointment. "Now" is pinned: Monday Dec 7, 2026, 08:30
in New York."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY, time(hour, minute)).replace(tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def pinned_now(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.CLINIC_HOURS = "08:00-19:00"
    with time_machine.travel(at(8, 30), tick=False):
        yield


@pytest.fixture
def pats_visit(plan, therapist):
    """Pat with Theo at 10:00; Theo busy with Ann 12:00-13:00."""
    AppointmentFactory(
        plan=None, patient=PatientFactory(first_name="Ann"), therapist=therapist,
        start=at(12), end=at(13),
    )  # fmt: skip
    return AppointmentFactory(plan=plan, start=at(10), end=at(10, 45))


def asked(visit, at_, **extra):
    return {"day": MONDAY.isoformat(), "at": at_, "duration_minutes": 45,
            "therapist": str(visit.therapist_id), **extra}  # fmt: skip


def test_a_refused_move_offers_its_free_times_as_buttons_that_move_it(as_, front_desk, pats_visit):
    client = as_(front_desk)
    url = reverse("appointment_move", args=[pats_visit.pk])
    # when the front desk asks for 12:15, when Theo is busy
    page = client.post(url, asked(pats_visit, "12:15"))
    # then the page says why and offers the three nearest free times (in time order),
    # each a one-click move
    body = page.content.decode()
    assert page.status_code == 200 and "Free that day instead" in body
    assert body.count(f'action="{url}"') == 1 + 3  # the move form, and three suggestions
    assert "Move to 13:00" in body and "Move to 11:15" in body
    pats_visit.refresh_from_db()
    assert pats_visit.start == at(10)
    # when one is pressed (its hidden fields, as the form posts them)
    moved = client.post(url, asked(pats_visit, "13:00"))
    # then the visit is there
    assert moved.status_code == 302
    pats_visit.refresh_from_db()
    assert (pats_visit.start, pats_visit.end) == (at(13), at(13, 45))


def test_the_calendars_refusal_carries_the_moves_to_offer(as_, front_desk, pats_visit):
    response = as_(front_desk).post(
        reverse("appointment_move", args=[pats_visit.pk]),
        asked(pats_visit, "12:15"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["message"].startswith("Not moved:") and "the therapist" in answer["message"]
    assert [s["at"] for s in answer["suggestions"]] == ["11:15", "13:00", "13:15"]
    assert all(
        s == {"day": "2026-12-07", "at": s["at"], "duration_minutes": 45,
              "therapist": str(pats_visit.therapist_id)}
        for s in answer["suggestions"]
    )  # fmt: skip


def test_a_refusal_that_is_no_clash_offers_nothing(as_, front_desk, pats_visit):
    response = as_(front_desk).post(
        reverse("appointment_move", args=[pats_visit.pk]),
        asked(pats_visit, "10:00", duration_minutes=2),  # too short: a 400, no suggestions
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and response.json()["suggestions"] == []
