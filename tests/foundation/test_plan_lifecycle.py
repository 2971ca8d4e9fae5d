"""A treatment plan: draft -> proposed -> approved -> completed | discontinued;
the doctor may send a proposed plan back to draft with a comment."""

import pytest
from django.utils import timezone

from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from referrals import plans
from referrals.models import PlanStatus
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def plan_data(**overrides):
    data = {
        "areas": [{"region": "neck", "side": "left", "modalities": ["trigger_point"], "notes": ""}],
        "goals": [{"description": "Pain 2 of 10", "measure": "nprs", "baseline": 7, "target": 2}],
        "frequency_per_week": 2,
        "planned_visits": 8,
        "start_date": timezone.localdate(),
    }
    return data | overrides


@pytest.fixture
def draft_plan(referral, therapist):
    return plans.create_plan(therapist=therapist, referral=referral, data=plan_data())


def test_a_bilateral_target_area_covers_either_side(draft_plan):
    assert draft_plan.status == PlanStatus.DRAFT
    assert [(a.region, a.side) for a in draft_plan.areas.all()] == [("neck", "left")]


def test_an_area_outside_the_referrals_target_areas_is_refused_naming_the_item(referral, therapist):
    areas = [
        {"region": "neck", "side": "right", "modalities": []},
        {"region": "knee", "side": "left", "modalities": []},
    ]
    with pytest.raises(Invalid) as error:
        plans.create_plan(therapist=therapist, referral=referral, data=plan_data(areas=areas))
    assert error.value.errors["areas"][0] == {}
    assert "region" in error.value.errors["areas"][1]


def test_a_plan_never_has_more_visits_than_the_referral_prescribes(referral, therapist):
    with pytest.raises(Invalid) as error:
        plans.create_plan(therapist=therapist, referral=referral, data=plan_data(planned_visits=11))
    assert "planned_visits" in error.value.errors


def test_a_plan_needs_a_signed_referral(therapist):
    draft_referral = ReferralFactory(draft=True)
    with pytest.raises(Invalid) as error:
        plans.create_plan(therapist=therapist, referral=draft_referral, data=plan_data())
    assert "referral" in error.value.errors


def test_the_doctor_sends_a_proposal_back_then_approves_the_revision(draft_plan, therapist, doctor):
    proposed = plans.propose_plan(plan=draft_plan, by=therapist)
    assert proposed.status == PlanStatus.PROPOSED
    with pytest.raises(Locked):
        plans.update_plan(plan=proposed, by=therapist, data={"planned_visits": 6})
    # when the doctor asks for changes
    back = plans.request_plan_changes(plan=proposed, by=doctor, comment="Add a function goal.")
    # then it is a draft again, with the comment
    assert back.status == PlanStatus.DRAFT and back.doctor_comment == "Add a function goal."
    revised = plans.update_plan(plan=back, by=therapist, data={"planned_visits": 6})
    approved = plans.approve_plan(plan=plans.propose_plan(plan=revised, by=therapist), by=doctor)
    assert approved.status == PlanStatus.APPROVED and approved.approved_by == doctor


def test_only_the_referring_doctor_approves(draft_plan, therapist, other_doctor):
    proposed = plans.propose_plan(plan=draft_plan, by=therapist)
    with pytest.raises(NotAllowed):
        plans.approve_plan(plan=proposed, by=other_doctor)
    with pytest.raises(NotAllowed):
        plans.approve_plan(plan=proposed, by=therapist)


def test_approving_a_draft_is_an_invalid_transition(draft_plan, doctor):
    with pytest.raises(InvalidTransition):
        plans.approve_plan(plan=draft_plan, by=doctor)


def test_sending_back_needs_a_comment(draft_plan, therapist, doctor):
    proposed = plans.propose_plan(plan=draft_plan, by=therapist)
    with pytest.raises(Invalid):
        plans.request_plan_changes(plan=proposed, by=doctor, comment="  ")


def test_an_approved_plan_is_completed_by_therapist_or_doctor(plan, doctor):
    completed = plans.complete_plan(plan=plan, by=doctor)
    assert completed.status == PlanStatus.COMPLETED
    with pytest.raises(InvalidTransition):
        plans.discontinue_plan(plan=completed, by=doctor, reason="late")


def test_discontinuing_needs_a_reason_and_another_therapist_may_not(
    plan, therapist, other_therapist
):
    with pytest.raises(Invalid):
        plans.discontinue_plan(plan=plan, by=therapist, reason="")
    with pytest.raises(NotAllowed):
        plans.discontinue_plan(plan=plan, by=other_therapist, reason="moved away")
    ended = plans.discontinue_plan(plan=plan, by=therapist, reason="Moved away")
    assert ended.status == PlanStatus.DISCONTINUED and ended.end_reason == "Moved away"
