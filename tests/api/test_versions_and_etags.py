"""API.md, General: detail responses carry an `ETag`, and it moves only when the
record does. An empty or no-op PATCH (what a client generated from an old
schema sent) must not invalidate every other client's `If-Match`."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from billing.models import Authorization, Charge, ServiceCode
from clinic.models import AuditEvent
from tests.billing.conftest import cover, payer_with_fees

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
    "patient": ("/api/v1/patients/{}/", "front_desk", {"phone": "+12125550199"}),
    "report": ("/api/v1/progress-reports/{}/", "therapist", {"summary": "Better."}),
    # billing's (API.md, Billing)
    "payer": ("/api/v1/payers/{}/", "manager", {"name": "Acme Health Plus"}),
    "coverage": ("/api/v1/coverages/{}/", "front_desk", {"member_id": "XJ999"}),
    "authorization": ("/api/v1/authorizations/{}/", "front_desk", {"visits": 12}),
    "service_code": ("/api/v1/service-codes/{}/", "manager", {"description": "Massage"}),
}


@pytest.fixture
def records(world):
    """`world`, and billing's editable records around Pat: Acme Health, Pat's
    coverage with it and an authorization under that, and the code 97124."""
    payer = payer_with_fees(name="Acme Health", kind="commercial", payer_id="ACME1")
    coverage = cover(world["patient"], payer)
    authorization = Authorization.objects.create(
        coverage=coverage,
        number="AUTH-1",
        visits=10,
        units=40,
        valid_from=timezone.localdate() - timedelta(days=1),
        valid_until=timezone.localdate() + timedelta(days=90),
    )
    authorization.codes.set(["97140"])
    billing = {"payer": payer, "coverage": coverage, "authorization": authorization}
    return {**world, **billing, "service_code": ServiceCode.objects.get(pk="97124")}


def _read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("name", EDITS)
def test_an_empty_patch_changes_nothing_and_keeps_the_etag(api, records, request, name):
    # given a record and its ETag
    url_of, who, _ = EDITS[name]
    url = url_of.format(records[name].pk)
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
def test_a_real_change_moves_the_etag_and_the_old_one_is_then_stale(api, records, request, name):
    # given a record and its ETag (the control for the test above)
    url_of, who, change = EDITS[name]
    url = url_of.format(records[name].pk)
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


@pytest.mark.parametrize("name", ["payer", "coverage", "authorization", "service_code"])
def test_a_billing_record_sent_back_as_it_reads_keeps_its_etag(api, records, request, name):
    # given a billing record as its writer read it
    url_of, who, _ = EDITS[name]
    url = url_of.format(records[name].pk)
    client = api.as_(request.getfixturevalue(who))
    before = _read(client, url)
    writable = {k: v for k, v in before.json().items() if k not in ("id", "code", "patient")}
    writable = {k: v for k, v in writable.items() if k not in ("coverage", "visits_used")}
    writable.pop("units_used", None)

    # when the client saves it unchanged
    patched = client.patch(url, writable, format="json", HTTP_IF_MATCH=before["ETag"])

    # then nothing changed: the same version
    assert patched.status_code == 200, patched.json()
    assert patched["ETag"] == before["ETag"]


def test_a_notes_services_alone_changed_move_its_etag_and_sent_again_keep_it(api, world, therapist):
    # given a draft note as the therapist read it
    client = api.as_(therapist)
    url = f"/api/v1/session-notes/{world['note'].pk}/"
    before = _read(client, url)
    services = [{"code": "97140", "minutes": 20, "region": "neck", "side": "left"}]

    # when only its services change, then its version moves
    changed = client.patch(url, {"services": services}, format="json", HTTP_IF_MATCH=before["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != before["ETag"]
    assert client.patch(url, {"subjective": "x"}, HTTP_IF_MATCH=before["ETag"]).status_code == 412

    # when the same services are sent again, then it stays
    again = client.patch(url, {"services": services}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert again.status_code == 200 and again["ETag"] == changed["ETag"]


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


def _billed_and_filed(api, records, *, therapist, biller, front_desk):
    """A charge of a signed note of Pat's, its claim, a payment, a scanned
    document and an outside physician: a record of each of main's resources."""
    from billing import claims, payments
    from documents import services as documents
    from referrals.models import OutsidePhysician
    from tests.billing.test_api import NECK_AND_BACK, with_address
    from tests.documents.conftest import upload

    with_address(records["patient"])
    # the note of the visit Theo began half an hour ago, signed: its charge
    client, body = api.as_(therapist), {**_note_body(records), "services": NECK_AND_BACK}
    made = client.post("/api/v1/session-notes/", body, format="json")
    assert client.post(f"/api/v1/session-notes/{made.json()['id']}/sign/").status_code == 200
    charge = Charge.objects.get(coverage=records["coverage"])
    return {
        "charges": charge,
        "claims": claims.create_claim(charges=[charge], by=biller),
        "payments": payments.record_payment(
            patient=records["patient"], amount=Decimal("10.00"), method="cash", by=front_desk
        ),
        "documents": documents.upload_document(
            by=front_desk, patient=records["patient"], kind="imaging", file=upload()
        ),
        "physicians": OutsidePhysician.objects.create(
            first_name="Olga", last_name="Ortiz", npi="1245319599", created_by=front_desk
        ),
    }


def _places_and_waitlist(records, *, front_desk):
    """A location, a room, a waitlist entry of Pat's and an offer of Pat's visit's
    slot to it: a record of each of the calendar's resources."""
    from datetime import time

    from scheduling.models import Location, Room, WaitlistEntry, WaitlistOffer

    location = Location.objects.create(name="Riverside", time_zone="America/New_York")
    visit, plan = records["visit"], records["plan"]
    entry = WaitlistEntry.objects.create(
        patient=records["patient"], plan=plan, earliest=visit.start.date(),
        latest=visit.start.date(), weekdays=["MO", "TU", "WE", "TH", "FR"],
        from_time=time(8), to_time=time(18), created_by=front_desk,
    )  # fmt: skip
    offer = WaitlistOffer.objects.create(
        entry=entry, freed=visit, therapist=visit.therapist, start=visit.start, end=visit.end
    )
    room = Room.objects.create(location=location, name="Room 1")
    return {"locations": location, "rooms": room, "waitlist": entry, "waitlist-offers": offer}


def test_every_detail_answer_the_schema_says_has_an_etag_has_one(
    api, records, manager, therapist, biller, front_desk, private_documents
):
    world = records
    # given every GET of one record that the schema says answers an ETag
    generated = SchemaGenerator().get_schema(request=None, public=True)
    paths = [
        path
        for path, item in generated["paths"].items()
        if "ETag" in item.get("get", {}).get("responses", {}).get("200", {}).get("headers", {})
    ]
    assert len(paths) >= 10
    by_resource = {
        **{resource: world[name] for resource, name in RECORD_OF.items()},
        "staff": manager,
        "audit-events": AuditEvent.objects.create(
            actor=manager, action="test.read", target_type="x", target_id="1"
        ),
        "payers": world["payer"],
        "coverages": world["coverage"],
        "authorizations": world["authorization"],
        "service-codes": world["service_code"],
        **_billed_and_filed(api, world, therapist=therapist, biller=biller, front_desk=front_desk),
        **_places_and_waitlist(world, front_desk=front_desk),
    }
    for path in paths:
        record = by_resource[path.split("/")[3]]
        # when the manager, who reads everything, reads it
        detail = path.replace("{id}", str(record.pk)).replace("{code}", str(record.pk))
        response = api.as_(manager).get(detail)
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
