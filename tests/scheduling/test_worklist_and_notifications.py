"""The front desk's worklist of visits still to book, and the daily email to
doctors and the front desk."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.vocabulary import Role
from scheduling.models import AppointmentStatus
from scheduling.series import book_series, preview_series
from scheduling.worklist import booking_worklist
from sessions_log import notifications, progress
from tests.factories import AppointmentFactory, ReferralFactory, TreatmentPlanFactory, UserFactory


def test_a_plan_with_visits_left_is_on_the_worklist_with_the_rest_of_the_series(plan):
    # given an approved plan of 8 visits with 3 booked
    for day in (1, 4, 8):
        AppointmentFactory(
            plan=plan, start=AppointmentFactory.start.function() + timedelta(days=day)
        )
    # when
    (row,) = booking_worklist()
    # then
    assert row.patient == plan.patient
    assert row.visits_to_book == 5
    assert row.valid_until == plan.referral.valid_until
    assert row.suggested_rrule == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=5"
    assert row.suggested_start > row.last_visit


def test_one_click_books_the_rest_of_the_series_from_the_worklist(plan, front_desk):
    AppointmentFactory(plan=plan)
    (row,) = booking_worklist()
    preview = preview_series(
        plan=row.plan,
        therapist=row.therapist,
        first_start=row.suggested_start,
        duration_minutes=45,
        rrule=row.suggested_rrule,
    )
    assert preview.ok, preview.problems
    book_series(
        plan=row.plan,
        therapist=row.therapist,
        first_start=row.suggested_start,
        duration_minutes=45,
        rrule=row.suggested_rrule,
        by=front_desk,
    )
    assert booking_worklist() == []


def test_a_fully_booked_or_expired_or_unapproved_plan_is_not_on_the_worklist(plan, therapist):
    # given the plan fully booked
    for day in range(8):
        AppointmentFactory(
            plan=plan, start=AppointmentFactory.start.function() + timedelta(days=day)
        )
    # and a plan whose referral expired, and a draft plan
    expired = ReferralFactory(
        patient=plan.patient, valid_until=timezone.localdate() - timedelta(days=1)
    )
    TreatmentPlanFactory(referral=expired, therapist=therapist)
    TreatmentPlanFactory(referral=ReferralFactory(), therapist=therapist, status="draft")
    # then
    assert booking_worklist() == []


def test_cancelled_visits_put_the_plan_back_on_the_worklist(plan):
    for day in range(8):
        AppointmentFactory(
            plan=plan,
            start=AppointmentFactory.start.function() + timedelta(days=day),
            status=AppointmentStatus.CANCELLED if day == 0 else "booked",
        )
    assert [row.visits_to_book for row in booking_worklist()] == [1]


def test_the_worklist_takes_the_same_queries_for_two_plans_or_twenty(db, django_assert_num_queries):
    def plans(n):
        for _ in range(n):
            AppointmentFactory(plan=TreatmentPlanFactory())  # each with its own therapist

    plans(2)
    with django_assert_num_queries(1):
        assert len(booking_worklist()) == 2
    plans(18)
    with django_assert_num_queries(1):
        assert len(booking_worklist()) == 20


@pytest.fixture
def expiring_plan(patient, doctor, therapist):
    referral = ReferralFactory(
        patient=patient, doctor=doctor, valid_until=timezone.localdate() + timedelta(days=3)
    )
    return TreatmentPlanFactory(referral=referral, therapist=therapist)


def test_the_doctor_and_the_front_desk_hear_of_a_referral_about_to_expire(
    expiring_plan, doctor, front_desk, other_doctor
):
    # when
    sent = notifications.send_daily()
    # then
    assert sent == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {doctor.email, front_desk.email}
    assert "Pat Parker: referral about to expire" in by_recipient[doctor.email].body
    assert "Pat Parker: referral about to expire" in by_recipient[front_desk.email].body


def test_the_front_desk_never_hears_a_clinical_flag(expiring_plan, doctor, front_desk, monkeypatch):
    monkeypatch.setattr(progress, "flags_for_plans", all_flags)
    notifications.send_daily()
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert "not improving" in by_recipient[doctor.email]
    assert "progress report due" in by_recipient[doctor.email]
    assert "not improving" not in by_recipient[front_desk.email]
    assert "progress report" not in by_recipient[front_desk.email]


def all_flags(plans):
    return {p.pk: ["no_improvement", "progress_report_due", "visits_nearly_used"] for p in plans}


def test_a_progress_report_is_due_every_ten_completed_visits(patient, doctor, therapist):
    referral = ReferralFactory(patient=patient, doctor=doctor, visits_prescribed=20)
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=20)
    start = timezone.now() - timedelta(days=30)
    for day in range(10):
        AppointmentFactory(plan=plan, start=start + timedelta(days=day), status="completed")
    # when
    notifications.send_daily()
    # then
    (message,) = mail.outbox
    assert "progress report due" in message.body


def test_nobody_is_emailed_when_nothing_needs_attention(plan, front_desk):
    UserFactory(role=Role.FRONT_DESK)
    assert notifications.send_daily() == 0
    assert mail.outbox == []
