"""Two front-desk people book clashing series at the same moment: exactly one
succeeds, the other gets the conflict, and no therapist is double booked
(PostgreSQL: row locks and the exclusion constraint; SQLite: IMMEDIATE
transactions)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic.errors import Conflict
from scheduling.models import Appointment
from scheduling.series import book_series
from tests.factories import PatientFactory, ReferralFactory, TreatmentPlanFactory
from tests.scheduling.conftest import local, next_weekday


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_clashing_series_exactly_one_is_booked(therapist, front_desk, doctor):
    # given two patients' plans with the same therapist
    def plan():
        referral = ReferralFactory(
            patient=PatientFactory(),
            doctor=doctor,
            visits_prescribed=20,
            valid_until=timezone.localdate() + timedelta(days=120),
        )
        return TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=20)

    plans = [plan(), plan()]
    monday = next_weekday(0)
    outcomes: list = []
    barrier = threading.Barrier(2)

    def book(each_plan):
        barrier.wait()
        try:
            book_series(
                plan=each_plan,
                therapist=therapist,
                first_start=local(monday, 10),
                duration_minutes=45,
                rrule="FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8",
                by=front_desk,
            )
            outcomes.append("booked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=book, args=(p,)) for p in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["booked", "conflict"]
    assert Appointment.objects.filter(therapist=therapist).count() == 8
