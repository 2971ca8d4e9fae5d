"""Questionnaires (API.md, The patient's side): due by the plan's goals before the
first visit, every QUESTIONNAIRE_EVERY_VISITS visits and before the last one;
answered by the patient, scored by the instrument code, an outcome measurement
of the plan (source patient) on the doctor's progress page with its MCID."""

from datetime import timedelta

import pytest

from referrals.models import PlanGoal
from scheduling.models import AppointmentStatus
from sessions_log.models import OutcomeMeasurement
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/portal/questionnaires/"
NDI_ITEMS = [{"score": 2}] * 10  # 20 of 50


@pytest.fixture
def ndi_goal(plan):
    return PlanGoal.objects.create(
        plan=plan, description="Neck function", measure="ndi", baseline=24, target=10
    )


def due_measures(client):
    return [q["measure"] for q in client.get(LIST).json()["results"]]


def complete_visits(plan, clock, n, *, days_ago=30):
    for i in range(n):
        start = clock.now - timedelta(days=days_ago - i)
        AppointmentFactory(
            plan=plan, start=start, end=start + timedelta(minutes=45),
            status=AppointmentStatus.COMPLETED,
        )  # fmt: skip


def test_an_ndi_goal_asks_the_ndi_before_the_first_visit(patient, patient_api, ndi_goal):
    client = patient_api(patient)
    listed = client.get(LIST).json()["results"]
    assert [q["measure"] for q in listed] == ["ndi"]
    assert len(listed[0]["items"]) == 10


def test_the_answers_are_scored_and_become_a_measurement_of_the_plan(
    patient, patient_api, ndi_goal, clock
):
    client = patient_api(patient)
    [questionnaire] = client.get(LIST).json()["results"]
    answered = client.post(
        f"{LIST}{questionnaire['id']}/answers/", {"items": NDI_ITEMS}, format="json"
    )
    assert answered.status_code == 201, answered.json()
    assert answered.json()["score"] == "20.00"
    measurement = OutcomeMeasurement.objects.get()
    assert (measurement.plan, measurement.source, measurement.recorded_by) == (
        ndi_goal.plan,
        "patient",
        None,
    )
    assert measurement.taken_at == clock.now
    # and it is no longer due
    assert due_measures(client) == []


def test_a_bad_item_is_a_400_naming_the_item(patient, patient_api, ndi_goal):
    client = patient_api(patient)
    [questionnaire] = client.get(LIST).json()["results"]
    items = [{"score": 2}] * 9 + [{"score": 7}]
    answered = client.post(f"{LIST}{questionnaire['id']}/answers/", {"items": items}, format="json")
    assert answered.status_code == 400
    assert answered.json()["items"][9] == {
        "score": ["Score this item with a whole number from 0 to 5."]
    }
    assert not OutcomeMeasurement.objects.exists()


def test_it_falls_due_again_every_4_visits(patient, patient_api, ndi_goal, plan, clock, settings):
    settings.QUESTIONNAIRE_EVERY_VISITS = 4
    client = patient_api(patient)
    [questionnaire] = client.get(LIST).json()["results"]
    client.post(f"{LIST}{questionnaire['id']}/answers/", {"items": NDI_ITEMS}, format="json")
    clock.advance(days=1)
    client = patient_api(patient)  # a day later: a new sign-in
    complete_visits(plan, clock, 3, days_ago=0.5)
    assert due_measures(client) == []
    complete_visits(plan, clock, 1, days_ago=0.1)
    assert due_measures(client) == ["ndi"]


def test_it_falls_due_before_the_last_visit(patient, patient_api, ndi_goal, plan, clock, settings):
    settings.QUESTIONNAIRE_EVERY_VISITS = 50
    plan.planned_visits = 3
    plan.save()
    client = patient_api(patient)
    [questionnaire] = client.get(LIST).json()["results"]
    client.post(f"{LIST}{questionnaire['id']}/answers/", {"items": NDI_ITEMS}, format="json")
    clock.advance(days=1)
    client = patient_api(patient)  # a day later: a new sign-in
    complete_visits(plan, clock, 1, days_ago=0.5)
    assert due_measures(client) == []
    complete_visits(plan, clock, 1, days_ago=0.2)  # 2 of 3 done: the last one is next
    assert due_measures(client) == ["ndi"]


def test_a_questionnaire_not_due_or_of_another_patient_is_a_404(
    patient, patient_api, ndi_goal, plan
):
    client = patient_api(patient)
    for wrong in (f"{plan.pk}.odi", "nonsense", f"{plan.pk}.rom"):
        answered = client.post(f"{LIST}{wrong}/answers/", {"items": NDI_ITEMS}, format="json")
        assert answered.status_code == 404
    assert not OutcomeMeasurement.objects.exists()


def test_psfs_and_the_pain_scale(patient, patient_api, plan):
    PlanGoal.objects.create(plan=plan, description="Lifting", measure="psfs", baseline=3, target=8)
    PlanGoal.objects.create(plan=plan, description="Pain", measure="nprs", baseline=7, target=2)
    client = patient_api(patient)
    due = {q["measure"]: q["id"] for q in client.get(LIST).json()["results"]}
    psfs = [
        {"activity": "Lifting my child", "score": 4},
        {"activity": "Driving", "score": 6},
        {"activity": "Typing", "score": 5},
    ]
    assert (
        client.post(f"{LIST}{due['psfs']}/answers/", {"items": psfs}, format="json").json()["score"]
        == "5.00"
    )
    assert (
        client.post(
            f"{LIST}{due['nprs']}/answers/", {"items": [{"score": 6}]}, format="json"
        ).json()["score"]
        == "6.00"
    )


def test_the_doctor_sees_the_patients_answers_on_the_progress_page(
    patient, patient_api, ndi_goal, plan, doctor, clock, api
):
    pat = patient_api(patient)
    [questionnaire] = pat.get(LIST).json()["results"]
    pat.post(f"{LIST}{questionnaire['id']}/answers/", {"items": NDI_ITEMS}, format="json")
    clock.advance(days=14)
    complete_visits(plan, clock, 4, days_ago=10)
    pat = patient_api(patient)  # two weeks later: a new sign-in
    [questionnaire] = pat.get(LIST).json()["results"]
    pat.post(f"{LIST}{questionnaire['id']}/answers/", {"items": [{"score": 1}] * 10}, format="json")
    # the doctor's progress: NDI 20 -> 10, a change past its MCID (7.5)
    body = api.as_(doctor).get(f"/api/v1/treatment-plans/{plan.pk}/progress/").json()
    ndi = body["measurements"]["ndi"]
    assert [p["score"] for p in ndi["points"]] == [20.0, 10.0]
    assert ndi["change"] == -10.0 and ndi["important"] is True


def test_the_patient_answers_on_the_page(patient, patient_pages, ndi_goal):
    client = patient_pages(patient)
    listed = client.get("/portal/questionnaires/")
    assert b"Neck Disability Index" in listed.content
    due_id = f"{ndi_goal.plan.pk}.ndi"
    page = client.get(f"/portal/questionnaires/{due_id}/")
    assert b"Headaches" in page.content
    answered = client.post(
        f"/portal/questionnaires/{due_id}/", {f"item_{i}": "3" for i in range(10)}
    )
    assert answered.status_code == 302
    assert OutcomeMeasurement.objects.get().score == 30


def test_a_missing_item_is_named_on_the_page(patient, patient_pages, ndi_goal):
    client = patient_pages(patient)
    due_id = f"{ndi_goal.plan.pk}.ndi"
    answered = client.post(
        f"/portal/questionnaires/{due_id}/", {f"item_{i}": "3" for i in range(9)}
    )
    assert answered.status_code == 400
    assert b"Score this item" in answered.content
