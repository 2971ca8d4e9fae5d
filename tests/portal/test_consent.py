"""Consent with a drawn signature (API.md, The patient's side): versioned
documents, the signature kept with the document's SHA-256, the time, the address
and the user agent; no session note without the current consent to treatment
(409 consent_missing); a paper consent recorded by the front desk."""

import base64
import struct
import zlib
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from clinic.consents import publish_consent
from clinic.models import AuditEvent, ConsentSignature
from portal.intake import QUESTIONS
from tests.conftest import requires_postgres
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

CONSENTS = "/api/v1/portal/consents/"


def png(width=300, height=100) -> bytes:
    """A real PNG (blank), as a canvas would export."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff" * width * 3 for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def data_url(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode()


@pytest.fixture
def treatment_consent(clock):
    return publish_consent(
        kind="treatment", title="Consent to treatment", text="I agree to massage therapy.", by=None
    )


@pytest.fixture
def started_visit(clock, plan):
    start = clock.now - timedelta(minutes=20)
    return AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))


def note_of(visit):
    area = {"region": "neck", "side": "left", "minutes": 20, "modalities": ["trigger_point"]}
    return {
        "appointment": str(visit.pk), "pain_before": 6, "pain_after": 3, "response": "improved",
        "areas": [area],
    }  # fmt: skip


def sign(client, document, **changes):
    body = {"full_name": "Pat Parker", "signature_png": data_url(png()), **changes}
    return client.post(
        f"{CONSENTS}{document.pk}/sign/", body, format="json", HTTP_USER_AGENT="PatPhone/1"
    )


def test_no_session_note_without_the_current_consent(
    api, therapist, started_visit, treatment_consent
):
    # when Theo logs the session of a patient who has not signed
    answer = api.as_(therapist).post(
        "/api/v1/session-notes/", note_of(started_visit), format="json"
    )
    # then a 409 consent_missing, and the visit is untouched
    assert answer.status_code == 409, answer.json()
    assert answer.json()["code"] == "consent_missing"
    started_visit.refresh_from_db()
    assert started_visit.status == "booked"


def test_once_the_patient_signs_the_note_is_written(
    api, therapist, patient, patient_api, started_visit, treatment_consent
):
    assert sign(patient_api(patient), treatment_consent).status_code == 201
    answer = api.as_(therapist).post(
        "/api/v1/session-notes/", note_of(started_visit), format="json"
    )
    assert answer.status_code == 201


def test_a_new_version_asks_again(
    api, therapist, patient, patient_api, started_visit, treatment_consent
):
    sign(patient_api(patient), treatment_consent)
    publish_consent(kind="treatment", title="Consent to treatment", text="New wording.", by=None)
    answer = api.as_(therapist).post(
        "/api/v1/session-notes/", note_of(started_visit), format="json"
    )
    assert answer.json()["code"] == "consent_missing"


def test_without_a_published_consent_or_with_the_setting_off_there_is_no_gate(
    api, therapist, started_visit, settings
):
    # no document published: nothing to sign
    answer = api.as_(therapist).post(
        "/api/v1/session-notes/", note_of(started_visit), format="json"
    )
    assert answer.status_code == 201


def test_the_clinic_may_turn_the_gate_off(
    api, therapist, started_visit, treatment_consent, settings
):
    settings.CONSENT_REQUIRED = False
    answer = api.as_(therapist).post(
        "/api/v1/session-notes/", note_of(started_visit), format="json"
    )
    assert answer.status_code == 201


def test_the_signature_keeps_the_hash_time_address_and_user_agent(
    patient, patient_api, treatment_consent, clock
):
    client = patient_api(patient)
    listed = client.get(CONSENTS).json()["results"]
    assert [(d["title"], d["version"], d["signed_at"]) for d in listed] == [
        ("Consent to treatment", 1, None)
    ]
    answer = sign(client, treatment_consent)
    assert answer.status_code == 201
    signature = ConsentSignature.objects.get()
    assert signature.document_sha256 == treatment_consent.sha256 == answer.json()["document_sha256"]
    assert signature.signed_at == clock.now
    assert signature.ip == "127.0.0.1" and signature.user_agent == "PatPhone/1"
    assert bytes(signature.image).startswith(b"\x89PNG")
    assert client.get(CONSENTS).json()["results"][0]["signed_at"] is not None
    assert AuditEvent.objects.filter(action="consent.signed", patient=patient).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"full_name": " "}, "full_name"),
        ({"signature_png": "not base64!"}, "signature_png"),
        ({"signature_png": base64.b64encode(b"GIF89a....").decode()}, "signature_png"),
        ({"signature_png": data_url(png(10, 5))}, "signature_png"),
        ({"signature_png": ""}, "signature_png"),
    ],
)
def test_a_bad_signature_is_a_400_naming_the_field(
    patient, patient_api, treatment_consent, changes, field
):
    answer = sign(patient_api(patient), treatment_consent, **changes)
    assert answer.status_code == 400
    assert field in answer.json()
    assert not ConsentSignature.objects.exists()


def test_signing_twice_is_a_409_and_an_old_version_cannot_be_signed(
    patient, patient_api, treatment_consent
):
    client = patient_api(patient)
    sign(client, treatment_consent)
    assert sign(client, treatment_consent).status_code == 409
    newer = publish_consent(kind="treatment", title="Consent to treatment", text="v2", by=None)
    assert sign(client, treatment_consent).status_code == 404
    assert sign(client, newer).status_code == 201


@requires_postgres
def test_the_database_refuses_to_change_or_delete_a_signature(
    patient, patient_api, treatment_consent
):
    sign(patient_api(patient), treatment_consent)
    for sql in (
        "UPDATE clinic_consentsignature SET full_name = 'Eve'",
        "DELETE FROM clinic_consentsignature",
        "UPDATE clinic_consentdocument SET text = 'x'",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert ConsentSignature.objects.get().full_name == "Pat Parker"


# --- on paper, recorded by the front desk ------------------------------------------------


def test_the_front_desk_records_a_paper_consent_with_its_scan(
    api, front_desk, patient, treatment_consent
):
    scan = base64.b64encode(b"%PDF-1.4 signed paper").decode()
    answer = api.as_(front_desk).post(
        f"/api/v1/patients/{patient.pk}/consents/",
        {"consent": str(treatment_consent.pk), "document": scan},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    signature = ConsentSignature.objects.get()
    assert (signature.source, signature.image_type, signature.recorded_by) == (
        "paper",
        "application/pdf",
        front_desk,
    )


@pytest.mark.parametrize("role", ["doctor", "therapist", "manager"])
def test_only_the_front_desk_records_paper_consents(
    request, api, patient, plan, treatment_consent, role
):
    scan = base64.b64encode(b"%PDF-1.4").decode()
    answer = api.as_(request.getfixturevalue(role)).post(
        f"/api/v1/patients/{patient.pk}/consents/",
        {"consent": str(treatment_consent.pk), "document": scan},
        format="json",
    )
    assert answer.status_code == 403


def test_a_scan_that_is_no_document_is_a_400(api, front_desk, patient, treatment_consent):
    answer = api.as_(front_desk).post(
        f"/api/v1/patients/{patient.pk}/consents/",
        {"consent": str(treatment_consent.pk), "document": base64.b64encode(b"hello").decode()},
        format="json",
    )
    assert answer.status_code == 400 and "document" in answer.json()


# --- on the patient pages ------------------------------------------------------------------


def test_the_patient_signs_on_the_page(patient, patient_pages, treatment_consent):
    client = patient_pages(patient)
    listed = client.get("/portal/consents/")
    assert b"Not signed yet" in listed.content
    page = client.get(f"/portal/consents/{treatment_consent.pk}/")
    assert b"I agree to massage therapy." in page.content and b"data-signature-pad" in page.content
    answer = client.post(
        f"/portal/consents/{treatment_consent.pk}/",
        {"full_name": "Pat Parker", "signature_png": data_url(png())},
    )
    assert answer.status_code == 302
    assert ConsentSignature.objects.filter(patient=patient, source="drawn").exists()


def test_an_empty_pad_says_so_on_the_page(patient, patient_pages, treatment_consent):
    client = patient_pages(patient)
    answer = client.post(
        f"/portal/consents/{treatment_consent.pk}/",
        {"full_name": "Pat Parker", "signature_png": ""},
    )
    assert answer.status_code == 400
    assert b"Draw your signature in the box." in answer.content


def test_today_shows_the_therapist_a_missing_consent_and_the_health_historys_flags(
    therapist, patient, plan, treatment_consent, patient_api, clock, client
):
    # given Pat's visit later today, no consent signed, and a fever in his answers
    start = clock.now + timedelta(hours=2)
    AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
    answers = {q.id: False for q in QUESTIONS if q.kind == "yes_no"} | {"fever": True}
    patient_api(patient).post("/api/v1/portal/intake/", {"answers": answers}, format="json")
    # when Theo opens Today
    client.force_login(therapist)
    page = client.get("/today/").content.decode()
    # then both stand beside the visit, before it starts
    assert "No consent to treatment yet" in page
    assert "Fever or acute infection: stop until cleared by the doctor" in page
