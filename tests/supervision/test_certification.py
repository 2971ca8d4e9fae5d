"""Plan certification: the doctor's approval certifies the plan for at most 90
days; bookings past the certified end are refused; a significant change sends
the plan back for approval; a renewal counts its visits afresh."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from referrals.models import PlanStatus, ReferralStatus
from referrals.plans import approve_plan, create_plan, propose_plan, recertify_plan, revise_plan
from referrals.services import renew_referral, sign_referral
from scheduling.booking import book_appointment
from tests.factories import AppointmentFactory, TreatmentPlanFactory

TODAY = timezone.localdate


def _days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def proposed(referral, therapist):
    return TreatmentPlanFactory(referral=referral, therapist=therapist, status=PlanStatus.PROPOSED,
                                approved_at=None)  # fmt: skip


def _visit_on(day, plan, front_desk):
    start = timezone.make_aware(datetime.combine(day, time(10)))
    end = start + timedelta(minutes=45)
    return book_appointment(
        patient=plan.patient, therapist=plan.therapist, start=start, end=end, plan=plan,
        by=front_desk,
    )  # fmt: skip


# --- the certification window ------------------------------------------------------


def test_approval_certifies_the_plan_for_90_days_counting_today(proposed, doctor):
    # given / when
    plan = approve_plan(plan=proposed, by=doctor)
    # then today + 89 days is the 90th certified day
    assert plan.certified_until == _days(89)


def test_a_plan_starting_later_is_certified_from_its_start(proposed, doctor):
    # given a plan starting in 10 days
    proposed.start_date = _days(10)
    proposed.save()
    # when / then
    assert approve_plan(plan=proposed, by=doctor).certified_until == _days(10 + 89)


@pytest.mark.parametrize(("days", "until"), [(1, 0), (30, 29), (90, 89)])
def test_the_doctor_may_certify_for_a_shorter_period(proposed, doctor, days, until):
    # given / when / then
    assert approve_plan(plan=proposed, by=doctor, certify_days=days).certified_until == _days(until)


@pytest.mark.parametrize("days", [0, 91])
def test_certification_is_1_to_90_days(proposed, doctor, days):
    # given / when / then
    with pytest.raises(Invalid) as error:
        approve_plan(plan=proposed, by=doctor, certify_days=days)
    assert "certify_days" in error.value.errors
    proposed.refresh_from_db()
    assert proposed.status == PlanStatus.PROPOSED


@pytest.mark.parametrize(("day", "allowed"), [(3, True), (4, False)])
def test_a_booking_past_the_certified_end_is_refused(plan, front_desk, day, allowed):
    # given a plan certified until 3 days from now
    plan.certified_until = _days(3)
    plan.save()
    # when / then
    if allowed:
        assert _visit_on(_days(day), plan, front_desk).pk
    else:
        with pytest.raises(Invalid) as error:
            _visit_on(_days(day), plan, front_desk)
        assert "certified until" in error.value.errors["start"][0]


def test_a_plan_without_certification_is_not_limited(plan, front_desk):
    # given a plan approved before certification existed (certified_until null)
    assert plan.certified_until is None
    # when / then
    assert _visit_on(_days(40), plan, front_desk).pk


def test_recertification_continues_the_day_after_the_current_period(plan, doctor):
    # given certified until 5 days from now
    plan.certified_until = _days(5)
    plan.save()
    # when
    plan = recertify_plan(plan=plan, by=doctor, days=30)
    # then days 6 .. 35
    assert plan.certified_until == _days(35)


def test_a_lapsed_plan_is_recertified_from_today(plan, doctor):
    # given a certification that ended 3 days ago
    plan.certified_until = _days(-3)
    plan.save()
    # when / then
    assert recertify_plan(plan=plan, by=doctor).certified_until == _days(89)


def test_only_the_referring_doctor_recertifies(plan, other_doctor, therapist):
    # given / when / then
    for user in (other_doctor, therapist):
        with pytest.raises(NotAllowed):
            recertify_plan(plan=plan, by=user)


def test_an_ended_plan_is_not_recertified(plan, doctor):
    # given
    plan.status = PlanStatus.COMPLETED
    plan.save()
    # when / then
    with pytest.raises(InvalidTransition):
        recertify_plan(plan=plan, by=doctor)


# --- revising an approved plan -----------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"areas": [{"region": "neck", "side": "bilateral", "modalities": []},
                   {"region": "upper_back", "side": "left", "modalities": []}]},
        {"planned_visits": 10},
        {"frequency_per_week": 3},
    ],
    ids=["new area", "more visits", "more often"],
)  # fmt: skip
def test_a_significant_change_sends_the_plan_back_for_approval(plan, therapist, front_desk, change):
    # given / when
    revised = revise_plan(plan=plan, by=therapist, data=change)
    # then the doctor must approve again, and meanwhile nothing can be booked
    assert revised.status == PlanStatus.PROPOSED
    with pytest.raises(Invalid):
        _visit_on(_days(2), revised, front_desk)


@pytest.mark.parametrize(
    "change",
    [
        {"planned_visits": 6},
        {"goals": [{"description": "Sleep", "measure": "nprs", "baseline": 7, "target": 3}]},
        {"areas": [{"region": "neck", "side": "bilateral", "modalities": ["trigger_point"],
                    "notes": "Lighter on the left"}]},
    ],
    ids=["fewer visits", "goals", "same area, new notes"],
)  # fmt: skip
def test_a_minor_change_keeps_the_approval(plan, therapist, change):
    # given / when
    revised = revise_plan(plan=plan, by=therapist, data=change)
    # then
    assert revised.status == PlanStatus.APPROVED


def test_a_revision_cannot_plan_fewer_visits_than_are_booked(plan, therapist):
    # given 3 booked visits
    for day in (1, 2, 3):
        AppointmentFactory(plan=plan, start=timezone.now() + timedelta(days=day))
    # when / then
    with pytest.raises(Invalid) as error:
        revise_plan(plan=plan, by=therapist, data={"planned_visits": 2})
    assert "planned_visits" in error.value.errors


def test_only_the_plans_therapist_revises_an_approved_plan(plan, other_therapist, therapist):
    # given / when / then
    with pytest.raises(NotAllowed):
        revise_plan(plan=plan, by=other_therapist, data={"planned_visits": 6})
    plan.status = PlanStatus.DRAFT
    plan.save()
    with pytest.raises(Locked):
        revise_plan(plan=plan, by=therapist, data={"planned_visits": 6})


def test_reapproval_after_a_revision_certifies_again(plan, therapist, doctor):
    # given a plan sent back by a revision
    revised = revise_plan(plan=plan, by=therapist, data={"planned_visits": 10})
    # when
    approved = approve_plan(plan=revised, by=doctor)
    # then
    assert approved.status == PlanStatus.APPROVED
    assert approved.certified_until == _days(89)


# --- renewal ---------------------------------------------------------------------------


def test_a_renewal_points_to_the_old_referral_and_counts_visits_afresh(
    referral, plan, doctor, therapist
):
    # given 4 visits used on the first referral
    for day in range(1, 5):
        AppointmentFactory(plan=plan, start=timezone.now() + timedelta(days=day))
    assert referral.visits_used == 4
    # when the doctor renews it
    renewal = renew_referral(referral=referral, by=doctor, data={"valid_until": _days(90)})
    renewal = sign_referral(referral=renewal, by=doctor)
    # then it carries the same diagnoses and none of the visits
    assert renewal.renewal_of == referral
    assert renewal.status == ReferralStatus.SIGNED
    assert [d.code for d in renewal.diagnoses.all()] == ["M54.2"]
    assert renewal.visits_used == 0
    assert renewal.visits_remaining == renewal.visits_prescribed
    # and a new plan on it starts from zero
    new_plan = create_plan(therapist=therapist, referral=renewal, data={
        "areas": [{"region": "neck", "side": "bilateral", "modalities": []}],
        "planned_visits": 10, "frequency_per_week": 2, "start_date": TODAY(),
    })  # fmt: skip
    propose_plan(plan=new_plan, by=therapist)
    assert approve_plan(plan=new_plan, by=doctor).visits_used == 0


def test_a_renewal_needs_its_validity(referral, doctor):
    # given / when / then
    with pytest.raises(Invalid) as error:
        renew_referral(referral=referral, by=doctor, data={})
    assert "valid_until" in error.value.errors
