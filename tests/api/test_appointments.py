"""API.md, Appointments, Appointment series and Reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from referrals.models import Referral
from scheduling.models import Appointment, AppointmentStatus, Closure
from tests.api.conftest import at_local
from tests.api.test_permission_matrix import _booking, _series_body
from tests.conftest import rewriting_history
from tests.factories import AppointmentFactory, TreatmentPlanFactory
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def _book(api, front_desk, world, **change):
    return api.as_(front_desk).post(
        "/api/v1/appointments/", {**_booking(world), **change}, format="json"
    )


def test_the_front_desk_books_a_visit(api, world, front_desk):
    response = _book(api, front_desk, world)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "booked" and body["series"] is None
    assert body["plan"] == str(world["plan"].pk)
    assert response["ETag"]


def test_a_visit_over_the_therapists_visit_is_a_409_listing_the_clash(api, world, front_desk):
    # given Pat's visit tomorrow 10:00-10:45 with Theo; a new patient at 10:30 with Theo
    from tests.factories import PatientFactory

    other = PatientFactory()
    body = {
        "patient": str(other.pk),
        "therapist": str(world["plan"].therapist_id),
        "start": at_local(1, 10, 30).isoformat(),
        "end": at_local(1, 11, 15).isoformat(),
    }

    # when the front desk books it
    with nothing_written():
        response = api.as_(front_desk).post("/api/v1/appointments/", body, format="json")

    # then the clash is named: the visit, its times and with whom, and nothing is booked
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    [clash] = body["conflicts"]
    assert clash["appointment"] == str(world["visit"].pk)
    assert clash["with"] == "therapist"
    assert clash["start"] and clash["end"]


def test_a_visit_over_the_patients_visit_with_someone_else_is_a_409(
    api, world, front_desk, other_therapist
):
    with nothing_written():
        response = _book(
            api,
            front_desk,
            world,
            therapist=str(other_therapist.pk),
            plan=None,
            start=at_local(1, 10, 15).isoformat(),
            end=at_local(1, 10, 30).isoformat(),
        )
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["with"] == "patient"


def test_a_visit_starting_when_another_ends_does_not_clash(api, world, front_desk):
    response = _book(
        api,
        front_desk,
        world,
        start=at_local(1, 10, 45).isoformat(),
        end=at_local(1, 11, 30).isoformat(),
    )
    assert response.status_code == 201


def test_a_visit_on_an_earlier_day_is_a_400_but_earlier_today_is_fine(api, plan, front_desk, clock):
    # given Theo and Pat with nothing booked, and the half hour before midnight
    booking = {"patient": str(plan.patient_id), "therapist": str(plan.therapist_id)}
    booking["plan"] = str(plan.pk)
    midnight = clock.at(0, 0)
    late_yesterday = midnight - timedelta(minutes=30)
    # when
    refused = api.as_(front_desk).post(
        "/api/v1/appointments/",
        {**booking, "start": late_yesterday.isoformat(), "end": midnight.isoformat()},
        format="json",
    )
    # then
    assert refused.status_code == 400 and "start" in refused.json()
    assert not Appointment.objects.exists()
    # when: from midnight on, which is earlier today at any hour
    accepted = api.as_(front_desk).post(
        "/api/v1/appointments/",
        {
            **booking,
            "start": midnight.isoformat(),
            "end": (midnight + timedelta(minutes=10)).isoformat(),
        },
        format="json",
    )
    # then
    assert accepted.status_code == 201
    assert Appointment.objects.get().start == midnight


def test_a_visit_past_the_referrals_validity_is_a_400(api, world, front_desk):
    with rewriting_history():
        Referral.objects.filter(pk=world["referral"].pk).update(
            valid_until=timezone.localdate() + timedelta(days=1)
        )
    with nothing_written():
        response = _book(api, front_desk, world)  # two days from now
    assert response.status_code == 400
    assert "valid until" in response.json()["start"][0]


def test_a_visit_past_the_plans_planned_visits_is_a_400(api, world, front_desk):
    # given six of the plan's eight visits used; two more fit, the third does not
    assert _book(api, front_desk, world).status_code == 201
    assert (
        _book(
            api,
            front_desk,
            world,
            start=at_local(2, 16).isoformat(),
            end=at_local(2, 16, 45).isoformat(),
        ).status_code
        == 201
    )
    with nothing_written():
        response = _book(
            api,
            front_desk,
            world,
            start=at_local(2, 18).isoformat(),
            end=at_local(2, 18, 45).isoformat(),
        )
    assert response.status_code == 400
    assert "The plan has 8 visits and 8 are booked or done" in response.json()["plan"][0]


def test_a_visit_past_the_referrals_prescription_is_a_400_though_the_plan_has_visits_left(
    api, world, front_desk, therapist, clock
):
    # given Pat's first plan under the referral, discontinued after 3 visits: with
    # the 6 of the current plan, 9 of the 10 prescribed visits are used
    first_plan = TreatmentPlanFactory(
        referral=world["referral"], therapist=therapist, status="discontinued"
    )
    for days_ago in (30, 27, 24):
        AppointmentFactory(
            plan=first_plan,
            start=clock.start - timedelta(days=days_ago),
            status=AppointmentStatus.COMPLETED,
        )
    # when the front desk books the 10th visit, then an 11th (the plan's 8th)
    tenth = _book(api, front_desk, world)
    with nothing_written():
        eleventh = _book(
            api,
            front_desk,
            world,
            start=at_local(2, 16).isoformat(),
            end=at_local(2, 16, 45).isoformat(),
        )
    # then the 10th is booked, and the 11th is refused by the referral, not the plan
    assert tenth.status_code == 201
    assert eleventh.status_code == 400
    assert eleventh.json()["plan"] == [
        "The referral prescribes 10 visits and 10 are booked or done; 0 left, 1 asked."
    ]


def test_moving_a_visit_keeps_the_rules(api, world, front_desk):
    url = f"/api/v1/appointments/{world['visit'].pk}/"
    moved = api.as_(front_desk).patch(
        url,
        {"start": at_local(1, 12).isoformat(), "end": at_local(1, 12, 45).isoformat()},
        format="json",
    )
    assert moved.status_code == 200
    assert moved.json()["start"].startswith(at_local(1, 12).date().isoformat())
    with nothing_written():
        onto_a_series_visit = api.as_(front_desk).patch(
            url,
            {
                "start": world["series"].appointments.first().start.isoformat(),
                "end": world["series"].appointments.first().end.isoformat(),
            },
            format="json",
        )
    assert onto_a_series_visit.status_code == 409


def test_check_in_no_show_and_cancel(api, world, front_desk, therapist):
    visit_url = f"/api/v1/appointments/{world['visit'].pk}/"
    with time_machine.travel(world["visit"].start - timedelta(minutes=10), tick=False):
        checked_in = api.as_(therapist).post(visit_url + "check-in/")
        assert checked_in.status_code == 200 and checked_in.json()["status"] == "checked_in"
        with nothing_written():
            twice = api.as_(front_desk).post(visit_url + "check-in/")
        assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
        no_show = api.as_(front_desk).post(visit_url + "no-show/")
        assert no_show.status_code == 409
    cancelled = api.as_(front_desk).post(visit_url + "cancel/", {"reason": "Flu."}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "Flu."


def test_reminders_are_a_bare_list(api, world, front_desk):
    # given a visit booked through the API (reminders come with the booking)
    booked = _book(api, front_desk, world).json()

    # when the front desk asks which reminders go out
    response = api.as_(front_desk).get(f"/api/v1/appointments/{booked['id']}/reminders/")

    # then a bare list of the outbox rows
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list)
    for row in rows:
        assert {"kind", "channel", "due_at", "status", "sent_at"} <= set(row)


def test_appointments_filter_by_status_patient_therapist_and_time(api, world, front_desk):
    client = api.as_(front_desk)
    checked_in = client.get("/api/v1/appointments/?status=checked_in").json()["results"]
    assert [r["id"] for r in checked_in] == [str(world["started_visit"].pk)]
    tomorrow = at_local(1, 0)
    window = client.get(
        "/api/v1/appointments/",
        {"start_after": tomorrow.isoformat(), "start_before": at_local(2, 0).isoformat()},
    ).json()["results"]
    assert [r["id"] for r in window] == [str(world["visit"].pk)]
    quinn = world["intake_referral"].patient
    assert client.get(f"/api/v1/appointments/?patient={quinn.pk}").json()["count"] == 0
    theirs = client.get(f"/api/v1/appointments/?therapist={world['plan'].therapist_id}")
    assert theirs.json()["count"] == Appointment.objects.count()


# --- series -----------------------------------------------------------------------------


def test_a_series_books_every_occurrence(api, world, front_desk):
    body = {**_series_body(world), "rrule": "FREQ=WEEKLY;COUNT=2"}
    response = api.as_(front_desk).post("/api/v1/appointment-series/", body, format="json")
    assert response.status_code == 201
    series = response.json()
    assert len(series["appointments"]) == 2
    assert all(a["series"] == series["id"] for a in series["appointments"])


def test_a_series_skips_a_clinic_closure_and_says_so(api, world, front_desk):
    # given the clinic closed on the second occurrence's day
    second = at_local(5, 9) + timedelta(days=7)
    Closure.objects.create(date=second.date(), reason="Staff training")
    # when a weekly series of three is booked
    body = {**_series_body(world), "rrule": "FREQ=WEEKLY;COUNT=3"}
    response = api.as_(front_desk).post("/api/v1/appointment-series/", body, format="json")
    # then two visits are booked and the closed day is reported
    assert response.status_code == 201
    assert len(response.json()["appointments"]) == 2
    skipped = response.json()["skipped"]
    assert [(s["occurrence"][:10], s["reason"]) for s in skipped] == [
        (second.date().isoformat(), "closure")
    ]


def test_a_series_that_clashes_books_nothing_and_lists_every_clash(api, world, front_desk):
    # given a rule whose first occurrence lands on tomorrow's visit
    body = {
        **_series_body(world),
        "start": at_local(1, 10).isoformat(),
        "rrule": "FREQ=DAILY;COUNT=2",
    }
    before = Appointment.objects.count()

    # when the front desk books it
    response = api.as_(front_desk).post("/api/v1/appointment-series/", body, format="json")

    # then nothing is booked, and the clash carries its occurrence
    assert response.status_code == 409
    [clash] = response.json()["conflicts"]
    assert clash["appointment"] == str(world["visit"].pk) and clash["occurrence"]
    assert Appointment.objects.count() == before


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY;COUNT=3", "garbage", "FREQ=WEEKLY"])
def test_a_rule_that_is_not_allowed_is_a_400_naming_rrule(api, world, front_desk, rule):
    body = {**_series_body(world), "rrule": rule}
    with nothing_written():
        response = api.as_(front_desk).post("/api/v1/appointment-series/", body, format="json")
    assert response.status_code == 400 and "rrule" in response.json()


def test_a_series_past_the_plans_visits_is_a_400(api, world, front_desk):
    # given 6 of the plan's 8 visits used
    body = {**_series_body(world), "rrule": "FREQ=WEEKLY;COUNT=5"}
    # when a series of 5 is booked
    with nothing_written():
        response = api.as_(front_desk).post("/api/v1/appointment-series/", body, format="json")
    # then none of it is
    assert response.status_code == 400
    assert response.json()["plan"] == [
        "The plan has 8 visits and 6 are booked or done; 2 left, 5 asked."
    ]


def test_cancelling_a_series_from_a_date_cancels_the_rest(api, world, front_desk):
    series = world["series"]
    second = series.appointments.order_by("start").last()
    response = api.as_(front_desk).post(
        f"/api/v1/appointment-series/{series.pk}/cancel/",
        {"from": timezone.localtime(second.start).date().isoformat(), "reason": "Moved."},
        format="json",
    )
    assert response.status_code == 200
    statuses = [a["status"] for a in response.json()["appointments"]]
    assert sorted(statuses) == ["booked", "cancelled"]
    second.refresh_from_db()
    assert second.status == AppointmentStatus.CANCELLED


def test_cancelling_a_series_needs_a_from_date(api, world, front_desk):
    with nothing_written():
        response = api.as_(front_desk).post(
            f"/api/v1/appointment-series/{world['series'].pk}/cancel/",
            {"reason": "x"},
            format="json",
        )
    assert response.status_code == 400 and "from" in response.json()
