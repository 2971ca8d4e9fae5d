"""Every page costs a bounded number of queries: the same with 2 rows as with 20."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals.models import PlanStatus
from scheduling.models import Reminder
from scheduling.recurrence import local_day_start
from sessions_log.models import Addendum
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
)

pytestmark = pytest.mark.django_db


def slot(i: int):
    """Non-overlapping half-hour slots through today (clinic time)."""
    start = local_day_start(timezone.localdate()) + timedelta(minutes=30 * i)
    return {"start": start, "end": start + timedelta(minutes=25)}


def my_patients(cast, first, count):
    for _ in range(count):
        plan = TreatmentPlanFactory(
            referral=ReferralFactory(doctor=cast["doctor"]), therapist=cast["therapist"]
        )
        SessionNoteFactory(appointment__plan=plan)
    return cast["doctor"], reverse("my_patients")


def directory(cast, first, count):
    PatientFactory.create_batch(count)
    return cast["front_desk"], reverse("patient_directory")


def today(cast, first, count):
    for i in range(first, first + count):
        plan = TreatmentPlanFactory(therapist=cast["therapist"])
        AppointmentFactory(plan=plan, **slot(i))
    return cast["therapist"], reverse("today")


def week(cast, first, count):
    for i in range(first, first + count):
        AppointmentFactory(plan=TreatmentPlanFactory(therapist=cast["therapist"]), **slot(i))
    return cast["front_desk"], reverse("calendar")


def intake(cast, first, count):
    ReferralFactory.create_batch(count)
    return cast["therapist"], reverse("intake_queue")


def my_plans(cast, first, count):
    TreatmentPlanFactory.create_batch(count, therapist=cast["therapist"])
    return cast["therapist"], reverse("my_plans")


def plans_to_review(cast, first, count):
    for _ in range(count):
        TreatmentPlanFactory(
            referral=ReferralFactory(doctor=cast["doctor"]), status=PlanStatus.PROPOSED
        )
    return cast["doctor"], reverse("plans_to_review")


def progress(cast, first, count):
    plan = cast["plan"]
    for i in range(first, first + count):
        start = timezone.now() - timedelta(days=100 - i)
        note = SessionNoteFactory(
            appointment__plan=plan,
            appointment__start=start,
            appointment__end=start + timedelta(minutes=45),
        )
        Addendum.objects.create(note=note, author=cast["therapist"], text="Later.")
    return cast["doctor"], reverse("plan_progress", args=[plan.pk])


def reminders(cast, first, count):
    for i in range(first, first + count):
        visit = AppointmentFactory(plan=TreatmentPlanFactory(), **slot(i))
        Reminder.objects.create(
            appointment=visit, kind="24h", channel="email", due_at=visit.start, status="sent"
        )
    return cast["front_desk"], reverse("reminder_list")


def patient_visits(cast, first, count):
    plan = cast["plan"]
    plan.planned_visits = 60
    plan.save()
    for i in range(first, first + count):
        AppointmentFactory(plan=plan, status="completed", **slot(i))
    return cast["front_desk"], reverse("patient_detail", args=[plan.patient_id])


PAGES = [
    (my_patients, 13),
    (directory, 6),
    (today, 9),  # + the audit of the precautions shown; the consent gate; standing precautions
    (week, 10),  # + the therapists' working hours and time off shaded on the grid
    (intake, 7),
    (my_plans, 6),
    (plans_to_review, 6),
    (progress, 16),
    (reminders, 6),
    (patient_visits, 12),
]


@pytest.mark.parametrize(("build", "most"), PAGES, ids=[b.__name__ for b, _ in PAGES])
def test_a_page_costs_the_same_queries_with_2_and_20_rows(
    build, most, as_, doctor, therapist, front_desk, plan, django_assert_max_num_queries
):
    # given
    cast = {"doctor": doctor, "therapist": therapist, "front_desk": front_desk, "plan": plan}
    user, url = build(cast, 0, 2)
    client = as_(user)
    client.get(url)  # warm the session and the modality catalog
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    build(cast, 2, 18)
    # when
    with django_assert_max_num_queries(most):
        response = client.get(url)
    with CaptureQueriesContext(connection) as twenty:
        client.get(url)
    # then
    assert response.status_code == 200
    assert len(twenty) == len(two), [q["sql"] for q in twenty.captured_queries]
