"""Each response-driven flag, on both sides of its threshold (settings.PROGRESS_FLAGS,
settings.MCID)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from referrals.models import PlanGoal, PlanStatus, Precaution
from scheduling.models import AppointmentStatus
from sessions_log.models import OutcomeMeasurement, ProgressReport
from sessions_log.progress import plan_flags
from tests.conftest import rewriting_history
from tests.factories import AppointmentFactory, TreatmentPlanFactory


@pytest.fixture
def long_plan(referral, therapist):
    """A plan of 20 visits under a referral of 20."""
    referral.visits_prescribed = 20
    with rewriting_history():
        referral.save()
    return TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=20)


def _measure(plan, measure, score, days_ago):
    return OutcomeMeasurement.objects.create(
        plan=plan, measure=measure, score=score, recorded_by=plan.therapist,
        taken_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


# --- no_improvement ------------------------------


@pytest.mark.parametrize(
    ("pains", "flagged"),
    [
        # 6 -> 5: 1 point (< 2) and 1/6 = 17 % (< 30 %) after 4 sessions
        ([6, 6, 5, 5], True),
        # the same, but only 3 sessions: too early to judge
        ([6, 6, 5], False),
        # 6 -> 4: 2 points, the MCID
        ([6, 6, 5, 4], False),
        # 3 -> 2: 1 point, but 1/3 = 33 % >= 30 %
        ([3, 3, 3, 2], False),
    ],
)
def test_no_improvement_after_four_sessions_without_an_important_pain_change(
    plan, log_visits, pains, flagged
):
    # given sessions with these pains before treatment
    log_visits(plan, [(p, p) for p in pains])
    # when / then
    assert ("no_improvement" in plan_flags(plan)) is flagged


@pytest.mark.parametrize(
    ("ndi_after", "flagged"),
    [
        (12, False),  # 20 -> 12: 8 points >= the NDI MCID of 7.5
        (13, True),  # 20 -> 13: 7 points < 7.5
    ],
)
def test_an_important_function_change_counts_as_improvement(plan, log_visits, ndi_after, flagged):
    # given flat pain over 4 sessions and two NDI totals
    log_visits(plan, [(5, 4)] * 4)
    _measure(plan, "ndi", 20, days_ago=5)
    _measure(plan, "ndi", ndi_after, days_ago=1)
    # when / then
    assert ("no_improvement" in plan_flags(plan)) is flagged


def test_psfs_improvement_is_a_rise(plan, log_visits):
    # given flat pain and PSFS 3.0 -> 5.0 (+2, the MCID; higher is better)
    log_visits(plan, [(5, 4)] * 4)
    _measure(plan, "psfs", 3, days_ago=5)
    _measure(plan, "psfs", 5, days_ago=1)
    # when / then
    assert "no_improvement" not in plan_flags(plan)


# --- pain_worse ------------------------------


@pytest.mark.parametrize(
    ("pains", "flagged"),
    [
        ([5, 6, 7], True),  # the last two above the baseline of 5
        ([5, 6, 5], False),  # back to baseline
        ([5, 5, 6], False),  # only one session above it
        ([5, 6], False),  # one session after the baseline is not two in a row
    ],
)
def test_pain_worse_after_two_sessions_in_a_row_above_baseline(plan, log_visits, pains, flagged):
    # given / when
    log_visits(plan, [(p, p) for p in pains])
    # then
    assert ("pain_worse" in plan_flags(plan)) is flagged


# --- goal_met ------------------------------


@pytest.mark.parametrize(("latest_pain", "flagged"), [(3, True), (4, False)])
def test_goal_met_when_the_pain_reaches_its_target(plan, log_visits, latest_pain, flagged):
    # given a goal to bring pain from 7 down to 3
    PlanGoal.objects.create(plan=plan, description="Sleep through", measure="nprs",
                            baseline=7, target=3)  # fmt: skip
    log_visits(plan, [(7, 5), (latest_pain, 2)])
    # when / then
    assert ("goal_met" in plan_flags(plan)) is flagged


@pytest.mark.parametrize(("latest_psfs", "flagged"), [(7, True), (6.5, False)])
def test_goal_met_when_function_rises_to_its_target(plan, latest_psfs, flagged):
    # given a goal to raise PSFS from 3 to 7
    PlanGoal.objects.create(plan=plan, description="Drive", measure="psfs", baseline=3, target=7)
    _measure(plan, "psfs", 3, days_ago=4)
    _measure(plan, "psfs", latest_psfs, days_ago=1)
    # when / then
    assert ("goal_met" in plan_flags(plan)) is flagged


# --- progress_report_due ------------------------------


@pytest.mark.parametrize(("visits", "flagged"), [(9, False), (10, True), (11, True)])
def test_a_progress_report_is_due_every_ten_completed_visits(
    long_plan, log_visits, visits, flagged
):
    # given / when
    log_visits(long_plan, [(5, 4)] * visits)
    # then
    assert ("progress_report_due" in plan_flags(long_plan)) is flagged


@pytest.mark.parametrize(("status", "flagged"), [("signed", False), ("draft", True)])
def test_a_signed_report_covering_the_milestone_settles_it(long_plan, log_visits, status, flagged):
    # given 10 visits and a report written after them
    log_visits(long_plan, [(5, 4)] * 10)
    ProgressReport.objects.create(
        plan=long_plan, author=long_plan.therapist, visits_covered=10, recommendation="continue",
        status=status, signed_at=timezone.now() if status != "draft" else None,
    )  # fmt: skip
    # when / then
    assert ("progress_report_due" in plan_flags(long_plan)) is flagged


@pytest.mark.parametrize(("visits", "flagged"), [(7, False), (8, True)])
def test_a_progress_report_is_due_at_the_plans_last_visit(plan, log_visits, visits, flagged):
    # given a plan of 8 visits
    log_visits(plan, [(5, 4)] * visits)
    # when / then
    assert ("progress_report_due" in plan_flags(plan)) is flagged


# --- visits_nearly_used ------------------------------


@pytest.mark.parametrize(("done", "flagged"), [(5, False), (6, True)])
def test_visits_nearly_used_with_two_or_fewer_left(plan, log_visits, done, flagged):
    # given a plan of 8: 8 - 5 = 3 left, 8 - 6 = 2 left
    log_visits(plan, [(5, 4)] * done)
    # when / then
    assert ("visits_nearly_used" in plan_flags(plan)) is flagged


def test_the_threshold_is_a_setting(plan, log_visits):
    # given 3 visits left and the clinic warning at 3
    log_visits(plan, [(5, 4)] * 5)
    thresholds = {**settings.PROGRESS_FLAGS, "visits_nearly_used_at": 3}
    # when / then
    with override_settings(PROGRESS_FLAGS=thresholds):
        assert "visits_nearly_used" in plan_flags(plan)


# --- referral_expiring and certification_due ------------------------------


@pytest.mark.parametrize(("days", "flagged"), [(7, True), (8, False), (-1, True)])
def test_referral_expiring_within_seven_days(plan, referral, days, flagged):
    # given the referral valid for `days` more days
    referral.valid_until = timezone.localdate() + timedelta(days=days)
    with rewriting_history():
        referral.save()
    # when / then
    assert ("referral_expiring" in plan_flags(plan)) is flagged


@pytest.mark.parametrize(("days", "flagged"), [(7, True), (8, False), (-1, True), (None, False)])
def test_certification_due_within_seven_days_or_lapsed(plan, days, flagged):
    # given the plan certified for `days` more days (None: not limited)
    plan.certified_until = None if days is None else timezone.localdate() + timedelta(days=days)
    plan.save()
    # when / then
    assert ("certification_due" in plan_flags(plan)) is flagged


# --- adverse_reaction and clearance_needed ------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"), [("Bruising over the trapezius", True), ("  ", False)]
)
def test_adverse_reaction_recorded_in_a_note(plan, log_visits, text, flagged):
    # given / when
    log_visits(plan, [(5, 4)], adverse_reaction=text)
    # then
    assert ("adverse_reaction" in plan_flags(plan)) is flagged


@pytest.mark.parametrize(("cleared", "flagged"), [(False, True), (True, False)])
def test_clearance_needed_while_a_stop_finding_waits_for_the_doctor(
    plan, patient, therapist, doctor, cleared, flagged
):
    # given a suspected DVT found by the therapist
    Precaution.objects.create(
        patient=patient, kind="dvt", source="finding", raised_by=therapist,
        cleared_at=timezone.now() if cleared else None, cleared_by=doctor if cleared else None,
    )  # fmt: skip
    # when / then
    assert ("clearance_needed" in plan_flags(plan)) is flagged


def test_a_plan_that_is_not_approved_has_no_flags(plan, log_visits):
    # given a discontinued plan that would otherwise raise several flags
    log_visits(plan, [(5, 7), (7, 8), (7, 8), (8, 8)], adverse_reaction="Dizziness")
    plan.status = PlanStatus.DISCONTINUED
    plan.save()
    # when / then
    assert plan_flags(plan) == []


def test_booked_and_cancelled_visits_are_not_completed_ones(plan):
    # given a booked and a cancelled visit
    AppointmentFactory(plan=plan)
    AppointmentFactory(plan=plan, status=AppointmentStatus.CANCELLED,
                       start=timezone.now() + timedelta(days=2))  # fmt: skip
    # when / then nothing is used up yet: 8 left
    assert "visits_nearly_used" not in plan_flags(plan)


@pytest.mark.parametrize(
    ("status", "flagged"),
    [("draft", False), ("signed", True), ("sent", True), ("acknowledged", False)],
)
def test_a_report_awaiting_the_doctors_decision(plan, status, flagged):
    # given a progress report in this status
    ProgressReport.objects.create(
        plan=plan, author=plan.therapist, visits_covered=0, recommendation="continue",
        status=status, signed_at=None if status == "draft" else timezone.now(),
        decision="continue" if status == "acknowledged" else "",
    )  # fmt: skip
    # when / then
    assert ("report_awaiting_decision" in plan_flags(plan)) is flagged
