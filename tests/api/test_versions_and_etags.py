"""API.md, General: detail responses carry an `ETag`, and it moves only when the
record does. An empty or no-op PATCH (what a client generated from an old
schema sent) must not invalidate every other client's `If-Match`."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from clinic.models import AuditEvent

from .test_permission_matrix import _note_body

pytestmark = pytest.mark.django_db

# a record of each resource in `world`
RECORD_OF = {
    "patients": "patient",
    "referrals": "referral",
    "treatment-plans": "plan",
    "appointments": "visit",
    "appointment-series": "series",
    "session-notes": "note",
    "measurements": "measurement",
    "progress-reports": "report",
    "precautions": "precaution",
}

# record in `world` -> (its detail URL, who edits it, a real change)
EDITS = {
    "note": ("/api/v1/session-notes/{}/", "therapist", {"subjective": "Stiff on waking."}),
    "visit": ("/api/v1/appointments/{}/", "front_desk", None),
    "draft_referral": ("/api/v1/referrals/{}/", "doctor", {"precautions": "None known."}),
    "draft_plan": ("/api/v1/treatment-plans/{}/", "therapist", {"planned_visits": 5}),
    "patient": ("/api/v1/patients/{}/", "front_desk", {"phone": "+15550100"}),
    "report": ("/api/v1/progress-reports/{}/", "therapist", {"summary": "Better."}),
}


def _read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("name", EDITS)
def test_an_empty_patch_changes_nothing_and_keeps_the_etag(api, world, request, name):
    # given a record and its ETag
    url_of, who, _ = EDITS[name]
    url = url_of.format(world[name].pk)
    client = api.as_(request.getfixturevalue(who))
    before = _read(client, url)

    # when a client sends a PATCH with no field, with the ETag it read
    patched = client.patch(url, {}, format="json", HTTP_IF_MATCH=before["ETag"])

    # then the record is answered as it was, under the same ETag
    assert patched.status_code == 200
    assert patched["ETag"] == before["ETag"]
    assert patched.json() == before.json()
    assert _read(client, url)["ETag"] == before["ETag"]


@pytest.mark.parametrize("name", [name for name, edit in EDITS.items() if edit[2]])
def test_a_real_change_moves_the_etag_and_the_old_one_is_then_stale(api, world, request, name):
    # given a record and its ETag (the control for the test above)
    url_of, who, change = EDITS[name]
    url = url_of.format(world[name].pk)
    client = api.as_(request.getfixturevalue(who))
    before = _read(client, url)

    # when one field changes
    patched = client.patch(url, change, format="json", HTTP_IF_MATCH=before["ETag"])

    # then a new ETag; the old one is now a 412
    assert patched.status_code == 200 and patched["ETag"] != before["ETag"]
    stale = client.patch(url, change, format="json", HTTP_IF_MATCH=before["ETag"])
    assert stale.status_code == 412


def test_sending_a_note_back_as_it_reads_keeps_its_etag(api, world, therapist):
    # given a draft note as the therapist read it
    client = api.as_(therapist)
    url = f"/api/v1/session-notes/{world['note'].pk}/"
    before = _read(client, url)
    fields = ("pain_before", "pain_after", "subjective", "response", "areas")
    same = {field: before.json()[field] for field in fields}

    # when the tablet saves it unchanged
    patched = client.patch(url, same, format="json", HTTP_IF_MATCH=before["ETag"])

    # then nothing changed: same version, and no audit event of a change
    assert patched.status_code == 200 and patched["ETag"] == before["ETag"]
    assert not world["note"].patient.audit_events.filter(action="note.update").exists()


def test_a_referral_sent_back_in_another_spelling_keeps_its_etag(api, world, doctor):
    # given a draft referral whose diagnosis reads "M54.2"
    client = api.as_(doctor)
    url = f"/api/v1/referrals/{world['draft_referral'].pk}/"
    before = _read(client, url)
    codes = [{"code": d["code"].lower()} for d in before.json()["diagnoses"]]

    # when the doctor's client sends the same codes in lower case
    patched = client.patch(url, {"diagnoses": codes}, format="json")

    # then it reads the same, so it is the same version
    assert patched.status_code == 200 and patched["ETag"] == before["ETag"]


def test_moving_a_visit_to_its_own_time_keeps_its_etag(api, world, front_desk):
    client = api.as_(front_desk)
    visit = world["visit"]
    url = f"/api/v1/appointments/{visit.pk}/"
    before = _read(client, url)
    same = {"start": before.json()["start"], "end": before.json()["end"]}
    patched = client.patch(url, same, format="json", HTTP_IF_MATCH=before["ETag"])
    assert patched.status_code == 200 and patched["ETag"] == before["ETag"]


def test_progress_and_the_fhir_export_carry_an_etag_that_follows_the_answer(api, world, therapist):
    # given the plan's progress and the patient's FHIR bundle, read twice
    client = api.as_(therapist)
    progress_url = f"/api/v1/treatment-plans/{world['plan'].pk}/progress/"
    fhir_url = f"/api/v1/patients/{world['patient'].pk}/fhir/"
    progress, fhir = _read(client, progress_url), _read(client, fhir_url)

    # then each carries an ETag, the same while nothing changed
    assert progress["ETag"] and fhir["ETag"]
    assert _read(client, progress_url)["ETag"] == progress["ETag"]
    assert _read(client, fhir_url)["ETag"] == fhir["ETag"]

    # when a session is logged, both answers change, and so do their ETags
    logged = client.post("/api/v1/session-notes/", _note_body(world), format="json")
    assert logged.status_code == 201
    assert _read(client, progress_url)["ETag"] != progress["ETag"]
    assert _read(client, fhir_url)["ETag"] != fhir["ETag"]


def test_a_replayed_post_answers_the_first_responses_etag(api, world, therapist):
    # given a note posted with an Idempotency-Key
    client = api.as_(therapist)
    body = _note_body(world)
    first = client.post("/api/v1/session-notes/", body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")

    # when the tablet repeats it
    again = client.post("/api/v1/session-notes/", body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")

    # then the replay carries the first answer's ETag, usable for If-Match
    assert again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"]
    url = f"/api/v1/session-notes/{first.json()['id']}/"
    edit = {"subjective": "x"}
    assert client.patch(url, edit, format="json", HTTP_IF_MATCH=again["ETag"]).status_code == 200


def test_an_addendum_is_answered_with_its_etag(api, world, therapist):
    url = f"/api/v1/session-notes/{world['signed_note'].pk}/addenda/"
    response = api.as_(therapist).post(url, {"text": "Called: no soreness."}, format="json")
    assert response.status_code == 201 and response["ETag"]


def test_every_detail_answer_the_schema_says_has_an_etag_has_one(api, world, manager):
    # given every GET of one record that the schema says answers an ETag
    generated = SchemaGenerator().get_schema(request=None, public=True)
    paths = [
        path
        for path, item in generated["paths"].items()
        if "ETag" in item.get("get", {}).get("responses", {}).get("200", {}).get("headers", {})
    ]
    assert len(paths) >= 10
    records = {
        **{resource: world[name] for resource, name in RECORD_OF.items()},
        "staff": manager,
        "audit-events": AuditEvent.objects.create(
            actor=manager, action="test.read", target_type="x", target_id="1"
        ),
    }
    for path in paths:
        record = records[path.split("/")[3]]
        # when the manager, who reads everything, reads it
        response = api.as_(manager).get(path.replace("{id}", str(record.pk)))
        # then it answers one
        assert response.status_code == 200, path
        assert response.get("ETag"), f"{path} answers no ETag"


def test_a_change_a_pages_form_already_set_on_the_patient_is_still_saved(front_desk, patient):
    from clinic.patients import update_patient

    # given the patient as a page's form leaves it: the new email already set in memory
    patient.email = "pat@example.com"

    # when the page saves it
    update_patient(patient=patient, data={"email": "pat@example.com"}, by=front_desk)

    # then the row has it, under a new version
    patient.refresh_from_db()
    assert (patient.email, patient.version) == ("pat@example.com", 2)
