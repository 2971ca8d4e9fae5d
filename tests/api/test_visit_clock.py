"""Status changes keep to the clock (API.md, Scheduling (v1 additions); issue
15): a visit is checked in on its own clinic day and marked a no-show only
after it starts; the front desk undoes a check-in, no-show or cancellation of
the last 24 hours while the slot is free, and the reminders are planned again.
"Now" is pinned: Monday Dec 7, 2026, 08:30 in New York."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduling import reminders
from scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def pinned_now(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.REMINDER_OFFSETS = [timedelta(hours=24), timedelta(hours=2)]
    with time_machine.travel(at(MONDAY, 8, 30), tick=False) as traveller:
        yield traveller


def visit_at(plan, start, **extra):
    visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45), **extra)
    reminders.create_for([visit])
    return visit


def post(api, user, visit, step):
    return api.as_(user).post(f"/api/v1/appointments/{visit.pk}/{step}/")


def test_tomorrows_visit_cannot_be_checked_in_today(api, front_desk, plan):
    # given
    tomorrow = visit_at(plan, at(MONDAY + timedelta(days=1), 10))
    # when
    response = post(api, front_desk, tomorrow, "check-in")
    # then: refused, and its reminders are still planned
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert "checked in on its own day (Tue Dec 08, 2026)" in response.json()["detail"]
    assert Appointment.objects.get(pk=tomorrow.pk).status == AppointmentStatus.BOOKED
    assert set(tomorrow.reminders.values_list("status", flat=True)) == {"pending"}


def test_a_visit_later_today_can_be_checked_in_early(api, front_desk, plan):
    later = visit_at(plan, at(MONDAY, 16))
    response = post(api, front_desk, later, "check-in")
    assert response.status_code == 200 and response.json()["status"] == "checked_in"


def test_a_visit_not_yet_started_cannot_be_a_no_show(api, front_desk, therapist, plan):
    later = visit_at(plan, at(MONDAY, 9))
    for user in (front_desk, therapist):
        response = post(api, user, later, "no-show")
        assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
        assert "only after it starts (Mon Dec 07, 2026 at 09:00)" in response.json()["detail"]


def test_a_visit_that_started_can_be_a_no_show(api, front_desk, plan, pinned_now):
    visit = visit_at(plan, at(MONDAY, 9))
    pinned_now.move_to(at(MONDAY, 9, 10))
    assert post(api, front_desk, visit, "no-show").json()["status"] == "no_show"


def test_the_front_desk_undoes_a_cancellation_and_the_reminders_come_back(
    api, front_desk, plan, pinned_now
):
    # given: Wednesday's visit cancelled by mistake
    visit = visit_at(plan, at(MONDAY + timedelta(days=2), 10))
    api.as_(front_desk).post(f"/api/v1/appointments/{visit.pk}/cancel/", {"reason": "Oops"})
    assert set(visit.reminders.values_list("status", flat=True)) == {"skipped"}
    pinned_now.move_to(at(MONDAY, 12))
    # when
    response = post(api, front_desk, visit, "revert")
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "booked" and response.json()["cancel_reason"] == ""
    assert sorted(visit.reminders.values_list("kind", "status")) == [
        ("24h", "pending"),
        ("2h", "pending"),
    ]


def test_a_change_older_than_24_hours_is_not_undone(api, front_desk, plan, pinned_now):
    visit = visit_at(plan, at(MONDAY + timedelta(days=3), 10))
    post(api, front_desk, visit, "cancel")
    pinned_now.move_to(at(MONDAY + timedelta(days=1), 8, 31))
    response = post(api, front_desk, visit, "revert")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert Appointment.objects.get(pk=visit.pk).status == AppointmentStatus.CANCELLED


def test_an_undo_into_a_slot_taken_since_is_a_conflict(api, front_desk, plan):
    # given: the cancelled slot went to another patient
    visit = visit_at(plan, at(MONDAY, 15))
    post(api, front_desk, visit, "cancel")
    visit_at(TreatmentPlanFactory(therapist=plan.therapist), at(MONDAY, 15))
    # when
    response = post(api, front_desk, visit, "revert")
    # then
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert response.json()["conflicts"][0]["with"] == "therapist"
    assert Appointment.objects.get(pk=visit.pk).status == AppointmentStatus.CANCELLED


def test_an_undone_check_in_is_booked_again(api, front_desk, plan):
    visit = visit_at(plan, at(MONDAY, 9))
    post(api, front_desk, visit, "check-in")
    response = post(api, front_desk, visit, "revert")
    assert response.json()["status"] == "booked"


def test_a_booked_visit_has_nothing_to_undo(api, front_desk, plan):
    visit = visit_at(plan, at(MONDAY, 9))
    assert post(api, front_desk, visit, "revert").status_code == 409


def test_only_the_front_desk_undoes(api, therapist, manager, plan):
    visit = visit_at(plan, at(MONDAY, 9), status=AppointmentStatus.NO_SHOW)
    assert post(api, therapist, visit, "revert").status_code == 403
    assert post(api, manager, visit, "revert").status_code == 403
