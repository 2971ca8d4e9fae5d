"""One booking lock (issue 12): a booking, a move and a series all take it, so a
move and a booking into the same slot wait for each other instead of racing."""

from datetime import timedelta

import pytest

from scheduling import booking, series
from tests.factories import AppointmentFactory


@pytest.fixture
def locks(monkeypatch):
    """The booking locks taken, as (therapist, patient)."""
    taken = []
    real = booking.lock_booking

    def spy(*, therapist, patient_id, also=None):
        taken.append((therapist.pk, patient_id))
        return real(therapist=therapist, patient_id=patient_id, also=also)

    monkeypatch.setattr(booking, "lock_booking", spy)
    return taken


def test_moving_a_visit_takes_the_booking_lock(locks, plan, front_desk):
    visit = AppointmentFactory(plan=plan)
    later = visit.start + timedelta(hours=1)
    booking.move_appointment(
        appointment=visit, start=later, end=later + timedelta(minutes=45), by=front_desk
    )
    assert locks == [(visit.therapist_id, visit.patient_id)]


def test_booking_one_visit_and_a_series_take_the_same_lock(locks, plan, front_desk):
    start = AppointmentFactory.start.function()
    booking.book_appointment(
        patient=plan.patient,
        therapist=plan.therapist,
        start=start,
        end=start + timedelta(minutes=45),
        plan=plan,
        by=front_desk,
    )
    series.book_series(
        plan=plan,
        therapist=plan.therapist,
        first_start=start + timedelta(days=1),
        duration_minutes=45,
        rrule="FREQ=WEEKLY;COUNT=2",
        by=front_desk,
    )
    assert locks == [(plan.therapist_id, plan.patient_id)] * 2
