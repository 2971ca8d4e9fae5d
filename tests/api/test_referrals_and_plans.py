"""API.md, Referrals and Treatment plans: lifecycles, rules and what the front
desk may see."""

import pytest

from referrals.models import Referral, TreatmentPlan
from tests.api.test_permission_matrix import _plan_body, _referral_body
from tests.conftest import rewriting_history
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db

STATUS_FIELDS = {
    "id",
    "patient",
    "doctor",
    "status",
    "signed_at",
    "visits_prescribed",
    "visits_used",
    "visits_remaining",
    "frequency_per_week",
    "valid_until",
}
PLAN_STATUS_FIELDS = {
    "id",
    "referral",
    "patient",
    "therapist",
    "status",
    "frequency_per_week",
    "planned_visits",
    "start_date",
}


def test_a_doctor_writes_a_draft_whose_diagnoses_are_described_by_the_code_set(api, world, doctor):
    # when Dana refers Pat for cervicalgia
    response = api.as_(doctor).post("/api/v1/referrals/", _referral_body(world), format="json")

    # then the referral is a draft of hers, the description filled from ICD-10-CM
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["doctor"] == str(doctor.pk)
    assert body["diagnoses"] == [{"code": "M54.2", "description": "Cervicalgia"}]
    assert body["visits_used"] == 0 and body["visits_remaining"] == 10
    assert response["ETag"] == '"1"'


def test_signing_locks_the_referral_and_signing_twice_is_an_invalid_transition(api, world, doctor):
    # given Dana's draft
    url = f"/api/v1/referrals/{world['draft_referral'].pk}/"
    client = api.as_(doctor)

    # when she signs it
    signed = client.post(url + "sign/")

    # then it is signed; a second signature and any edit are refused with a 409
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert signed.json()["signed_at"]
    with nothing_written():
        again = client.post(url + "sign/")
        edit = client.patch(url, {"precautions": "changed"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert edit.status_code == 409 and edit.json()["code"] == "locked"
    assert Referral.objects.get(pk=world["draft_referral"].pk).precautions != "changed"


def test_completing_a_signed_referral_ends_therapy(api, world, doctor):
    response = api.as_(doctor).post(f"/api/v1/referrals/{world['referral'].pk}/complete/")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    with nothing_written():
        again = api.as_(doctor).post(f"/api/v1/referrals/{world['referral'].pk}/complete/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_a_draft_is_edited_and_a_renewal_points_to_the_old_referral(api, world, doctor):
    # when Dana edits her draft and renews the signed referral
    client = api.as_(doctor)
    edited = client.patch(
        f"/api/v1/referrals/{world['draft_referral'].pk}/",
        {"visits_prescribed": 12, "target_areas": [{"region": "knee", "side": "left"}]},
        format="json",
    )
    renewal = client.post(
        "/api/v1/referrals/",
        {**_referral_body(world), "renewal_of": str(world["referral"].pk)},
        format="json",
    )

    # then both are saved
    assert edited.status_code == 200
    assert edited.json()["visits_prescribed"] == 12
    assert edited.json()["target_areas"] == [{"region": "knee", "side": "left"}]
    assert renewal.status_code == 201 and renewal.json()["renewal_of"] == str(world["referral"].pk)


def test_the_front_desk_receives_the_status_fields_only(api, world, front_desk):
    # when the front desk reads Pat's referral and plan, one by one and in lists
    client = api.as_(front_desk)
    referral = client.get(f"/api/v1/referrals/{world['referral'].pk}/").json()
    referrals = client.get("/api/v1/referrals/").json()["results"]
    plan = client.get(f"/api/v1/treatment-plans/{world['plan'].pk}/").json()
    plans = client.get("/api/v1/treatment-plans/").json()["results"]

    # then no diagnosis, precaution, area, goal or comment reaches it
    assert set(referral) == STATUS_FIELDS
    assert all(set(row) == STATUS_FIELDS for row in referrals)
    assert set(plan) == PLAN_STATUS_FIELDS
    assert all(set(row) == PLAN_STATUS_FIELDS for row in plans)
    assert b"Cervicalgia" not in client.get("/api/v1/referrals/").content
    assert b"carotid" not in client.get("/api/v1/referrals/").content


def test_visits_used_counts_booked_checked_in_and_completed_visits(api, world, front_desk):
    # given Pat's visits under the plan: tomorrow (booked), now (checked in),
    # two completed with notes, a two-visit series
    response = api.as_(front_desk).get(f"/api/v1/referrals/{world['referral'].pk}/")

    # then six of the ten prescribed are used
    assert response.json()["visits_used"] == 6
    assert response.json()["visits_remaining"] == 4


def test_referrals_filter_by_patient(api, world, doctor):
    quinn = world["intake_referral"].patient
    rows = api.as_(doctor).get(f"/api/v1/referrals/?patient={quinn.pk}").json()["results"]
    assert [r["id"] for r in rows] == [str(world["intake_referral"].pk)]


def test_an_expired_referral_reads_as_expired(api, world, doctor):
    from datetime import timedelta

    from django.utils import timezone

    with rewriting_history():
        Referral.objects.filter(pk=world["referral"].pk).update(
            valid_until=timezone.localdate() - timedelta(days=1)
        )
    body = api.as_(doctor).get(f"/api/v1/referrals/{world['referral'].pk}/").json()
    assert body["status"] == "expired"


# --- treatment plans ------------------------------------------------------------------


def test_a_therapist_plans_from_the_intake_queue_and_the_doctor_approves(
    api, world, therapist, doctor
):
    # given a signed referral waiting for a plan
    # when Theo writes and proposes a plan, and Dana approves it
    created = api.as_(therapist).post("/api/v1/treatment-plans/", _plan_body(world), format="json")
    url = f"/api/v1/treatment-plans/{created.json()['id']}/"
    proposed = api.as_(therapist).post(url + "propose/")
    approved = api.as_(doctor).post(url + "approve/")

    # then each step answers the new status
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert created.json()["goals"][0]["measure"] == "nprs"
    assert proposed.json()["status"] == "proposed"
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_the_doctor_sends_a_proposed_plan_back_with_a_comment(api, world, doctor):
    url = f"/api/v1/treatment-plans/{world['proposed_plan'].pk}/"
    response = api.as_(doctor).post(url + "request-changes/", {"comment": "Add a goal."})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["doctor_comment"] == "Add a goal."


def test_request_changes_needs_a_comment(api, world, doctor):
    url = f"/api/v1/treatment-plans/{world['proposed_plan'].pk}/request-changes/"
    with nothing_written():
        response = api.as_(doctor).post(url, {}, format="json")
    assert response.status_code == 400 and "comment" in response.json()


@pytest.mark.parametrize(
    "plan_key, step, body",
    [
        ("plan", "propose", None),
        ("plan", "approve", None),
        ("draft_plan", "complete", None),
        ("proposed_plan", "complete", None),
    ],
)
def test_a_step_not_allowed_from_the_status_is_a_409(
    api, world, therapist, doctor, plan_key, step, body
):
    user = therapist if step in ("propose", "complete") else doctor
    with nothing_written():
        response = api.as_(user).post(f"/api/v1/treatment-plans/{world[plan_key].pk}/{step}/", body)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_discontinuing_needs_a_reason_and_ends_the_plan(api, world, therapist):
    url = f"/api/v1/treatment-plans/{world['plan'].pk}/discontinue/"
    with nothing_written():
        without_reason = api.as_(therapist).post(url, {}, format="json")
    assert without_reason.status_code == 400 and "reason" in without_reason.json()
    response = api.as_(therapist).post(url, {"reason": "Moved away."}, format="json")
    assert response.json()["status"] == "discontinued"
    with nothing_written():
        again = api.as_(therapist).post(url, {"reason": "Again."}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_an_area_outside_the_referrals_target_areas_is_a_400_naming_it(api, world, therapist):
    body = {
        **_plan_body(world),
        "areas": [
            {"region": "neck", "side": "left"},
            {"region": "knee", "side": "left", "modalities": ["trigger_point"]},
        ],
    }
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/treatment-plans/", body, format="json")
    assert response.status_code == 400
    assert response.json()["areas"][0] == {} and "region" in response.json()["areas"][1]


def test_more_planned_visits_than_prescribed_is_a_400(api, world, therapist):
    body = {**_plan_body(world), "planned_visits": 11}
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/treatment-plans/", body, format="json")
    assert response.status_code == 400 and "planned_visits" in response.json()


def test_a_plan_needs_a_signed_referral(api, world, therapist, doctor):
    # given Dana's draft, which no therapist can see: it is "does not exist"
    body = {**_plan_body(world), "referral": str(world["draft_referral"].pk)}
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/treatment-plans/", body, format="json")
    assert response.status_code == 400 and "referral" in response.json()


def test_an_approved_plan_is_locked(api, world, therapist):
    url = f"/api/v1/treatment-plans/{world['plan'].pk}/"
    with nothing_written():
        response = api.as_(therapist).patch(url, {"planned_visits": 4}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "locked"
    assert TreatmentPlan.objects.get(pk=world["plan"].pk).planned_visits == 8


def test_progress_answers_the_contract_fields_oldest_session_first(api, world, doctor):
    # given two notes: two days ago and yesterday (pain 6 -> 4 each)
    response = api.as_(doctor).get(f"/api/v1/treatment-plans/{world['plan'].pk}/progress/")

    # then the summary has every contract field
    body = response.json()
    assert response.status_code == 200
    assert body["visits_planned"] == 8
    assert body["visits_completed"] == 2
    assert body["visits_remaining"] == 6
    assert [s["pain_before"] for s in body["sessions"]] == [6, 6]
    assert body["sessions"][0]["date"] < body["sessions"][1]["date"]
    assert body["pain_change"] == 0
    assert isinstance(body["flags"], list)


def test_the_fhir_export_is_a_collection_bundle(api, world, doctor):
    response = api.as_(doctor).get(f"/api/v1/patients/{world['patient'].pk}/fhir/")
    body = response.json()
    assert body["resourceType"] == "Bundle" and body["type"] == "collection"
    kinds = {entry["resource"]["resourceType"] for entry in body["entry"]}
    assert {"Patient", "Condition", "ServiceRequest", "CarePlan", "Appointment"} <= kinds
