"""Authorizations running low (80% of the visits or units used, or 14 days or
fewer before the end) show on the front desk's worklist, in the daily emails
and among the doctor's flags, so a renewal is asked for before a visit is
refused at booking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.alerts import FLAG, low_authorizations
from billing.models import Authorization
from clinic.vocabulary import AppointmentStatus
from scheduling.worklist import booking_worklist
from sessions_log.progress import flags_for_plans, plan_progress
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)

from .conftest import cover

pytestmark = pytest.mark.django_db


def authorize(coverage, *, visits=10, units=40, ends_in_days=60):
    today = timezone.localdate()
    return Authorization.objects.create(
        coverage=coverage, number="WC-7", visits=visits, units=units,
        valid_from=today - timedelta(days=20), valid_until=today + timedelta(days=ends_in_days),
    )  # fmt: skip


def visits(plan, count):
    """`count` visits of the plan in the authorization's days (past ones completed)."""
    now = timezone.now()
    for n in range(count):
        start = now - timedelta(days=10 - n)
        AppointmentFactory(
            plan=plan, start=start, end=start + timedelta(minutes=45),
            status=AppointmentStatus.COMPLETED,
        )  # fmt: skip


def test_eight_of_ten_visits_used_flag_the_plan_for_the_doctor(plan, workers_comp):
    # given Pat's workers' comp authorization of 10 visits, 8 of them used
    authorize(cover(plan.patient, workers_comp), visits=10)
    visits(plan, 8)
    # when the doctor's flags are read
    flags = flags_for_plans([plan])[plan.pk]
    # then the plan carries the flag, on the progress too
    assert FLAG in flags
    assert FLAG in plan_progress(plan)["flags"]


def test_seven_of_ten_visits_used_far_from_the_end_is_no_flag(plan, workers_comp):
    authorize(cover(plan.patient, workers_comp), visits=10)
    visits(plan, 7)
    assert FLAG not in flags_for_plans([plan])[plan.pk]


@pytest.mark.parametrize(("ends_in_days", "low"), [(14, True), (15, False)])
def test_fourteen_days_before_the_end_the_authorization_runs_low(
    plan, workers_comp, ends_in_days, low
):
    authorize(cover(plan.patient, workers_comp), ends_in_days=ends_in_days)
    assert (FLAG in flags_for_plans([plan])[plan.pk]) is low


def test_eighty_percent_of_the_units_billed_runs_low(plan, workers_comp):
    # given an authorization of 10 units, 8 of them on a charge
    from billing.models import Charge, ChargeLine

    authorization = authorize(cover(plan.patient, workers_comp), units=10)
    charge = Charge.objects.create(
        patient=plan.patient, payer=workers_comp, coverage=authorization.coverage,
        authorization=authorization, service_date=timezone.localdate(), total=0,
        kind="no_show_fee", therapist=plan.therapist,
    )  # fmt: skip
    ChargeLine.objects.create(charge=charge, service_code_id="97140", units=8, amount=0, position=0)
    # then
    assert low_authorizations([plan.patient_id]) == {plan.patient_id: authorization}


def test_the_front_desk_worklist_shows_the_authorization_running_low(plan, workers_comp):
    # given a plan with visits left to book, whose authorization ends in ten days
    authorize(cover(plan.patient, workers_comp), ends_in_days=10)
    # when the front desk's worklist is built
    (row,) = booking_worklist()
    # then the row warns of it
    assert row.warnings == (FLAG,)


def test_the_doctor_sees_the_flag_on_her_patient_list(client, doctor, plan, workers_comp):
    authorize(cover(plan.patient, workers_comp), visits=5)
    visits(plan, 4)
    client.force_login(doctor)
    assert "Authorization running low" in client.get("/my-patients/").content.decode()


def test_a_patient_without_authorizations_is_never_flagged(plan, coverage):
    assert FLAG not in flags_for_plans([plan])[plan.pk]
    assert booking_worklist()[0].warnings == ()


def test_low_authorizations_take_the_same_queries_for_two_patients_or_twenty(
    workers_comp, django_assert_num_queries
):
    def patients(n):
        ids = []
        for _ in range(n):
            patient = PatientFactory()
            authorize(cover(patient, workers_comp), ends_in_days=5)
            ids.append(patient.pk)
        return ids

    two, twenty = patients(2), patients(20)
    with django_assert_num_queries(4) as few:
        assert len(low_authorizations(two)) == 2
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(low_authorizations(twenty)) == 20


def test_an_ended_plan_is_not_flagged(workers_comp, doctor):
    referral = ReferralFactory(doctor=doctor)
    plan = TreatmentPlanFactory(referral=referral, status="completed")
    authorize(cover(plan.patient, workers_comp), ends_in_days=3)
    assert flags_for_plans([plan]).get(plan.pk, []) == []
