"""The plan's progress summary (API.md: GET /treatment-plans/{id}/progress/)."""

import pytest

from referrals.models import TreatmentPlan
from sessions_log.progress import flags_for_patients, flags_for_plans, plan_progress
from tests.conftest import rewriting_history
from tests.factories import TreatmentPlanFactory

# plan with its referral; sessions; measurements; goals
PROGRESS_QUERIES = 4
HOME_PROGRAMME_QUERIES = 1  # the page and the API add the home programme's adherence


def test_progress_answers_the_contract_fields_oldest_session_first(plan, log_visits):
    # given three logged visits with falling pain
    log_visits(plan, [(7, 5), (6, 4), (4, 3)])
    # when
    progress = plan_progress(plan)
    # then
    assert progress["visits_planned"] == 8
    assert progress["visits_completed"] == 3
    assert progress["visits_remaining"] == 5
    assert [s["pain_before"] for s in progress["sessions"]] == [7, 6, 4]
    assert set(progress["sessions"][0]) == {"date", "pain_before", "pain_after", "response"}
    assert progress["sessions"][0]["date"] < progress["sessions"][-1]["date"]
    # 4 (latest pain before) - 7 (first pain before) = -3
    assert progress["pain_change"] == -3
    assert isinstance(progress["flags"], list)


def test_pain_change_is_none_before_two_sessions(plan, log_visits):
    # given one visit
    log_visits(plan, [(7, 5)])
    # when / then
    assert plan_progress(plan)["pain_change"] is None


@pytest.mark.parametrize("sessions", [3, 40])
def test_progress_takes_the_same_number_of_queries_for_3_and_40_sessions(
    sessions, referral, therapist, log_visits, django_assert_num_queries
):
    # given a long plan with `sessions` visits logged
    referral.visits_prescribed = 60
    with rewriting_history():
        referral.save()
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=60)
    log_visits(plan, [(6, 4)] * sessions)
    # when / then
    with django_assert_num_queries(PROGRESS_QUERIES + HOME_PROGRAMME_QUERIES):
        progress = plan_progress(plan)
    assert len(progress["sessions"]) == sessions


@pytest.mark.parametrize("plans", [1, 6])
def test_flags_for_a_list_of_plans_take_a_fixed_number_of_queries(
    plans, therapist, log_visits, django_assert_num_queries
):
    # given several plans with a few visits each
    many = [TreatmentPlanFactory(therapist=therapist) for _ in range(plans)]
    for plan in many:
        log_visits(plan, [(6, 4), (6, 5)])
    # when
    with django_assert_num_queries(PROGRESS_QUERIES):
        flags = flags_for_plans(many)
    # then every plan has its list of flags
    assert set(flags) == {p.pk for p in many}


def test_progress_carries_the_pain_trend_per_region(plan, log_visits):
    # given two visits with the left neck's pain recorded, 6 then 3
    notes = log_visits(plan, [(6, 4), (4, 3)])
    for note, score in zip(notes, (6, 3), strict=True):
        note.findings = {"pain": [{"region": "neck", "side": "left", "score": score}]}
        note.save()
    # when
    [neck] = plan_progress(plan)["regions"]
    # then 3 - 6 = -3
    assert (neck["region"], neck["side"], neck["change"]) == ("neck", "left", -3)


def test_a_patients_flags_merge_those_of_their_approved_plans(
    plan, patient, therapist, log_visits, django_assert_num_queries
):
    # given Pat's plan nearly used up, and another patient with nothing to flag
    log_visits(plan, [(5, 4)] * 6)
    calm = TreatmentPlanFactory(therapist=therapist)
    # when
    with django_assert_num_queries(PROGRESS_QUERIES + 1):
        flags = flags_for_patients([patient, calm.patient], plans=TreatmentPlan.objects.all())
    # then
    assert "visits_nearly_used" in flags[patient.pk]
    assert flags[calm.patient.pk] == []
