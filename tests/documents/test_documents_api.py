"""Attachments through the API (API.md, Outside physicians and documents):
judged by content, limited in size, hashed, stored privately, streamed only
through the door, and every read audited."""

import hashlib

import pytest

from clinic.models import AuditEvent
from documents.models import Document
from tests.factories import PatientFactory

from .conftest import HTML_BYTES, JPEG_BYTES, PDF_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


def post(api, user, **fields):
    return api.as_(user).post(URL, fields, format="multipart")


def stored_files(storage):
    return [p for p in storage.rglob("*") if p.is_file()] if storage.exists() else []


def test_the_therapist_uploads_the_scanned_prescription_of_a_referral(api, therapist, plan):
    # given Theo's plan under Dana's referral
    referral = plan.referral
    # when he uploads the scan
    response = post(
        api, therapist, patient=referral.patient_id, referral=referral.pk, kind="prescription",
        file=upload(),
    )  # fmt: skip
    # then it is stored with what its content says, its size and hash
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id", "patient", "referral", "kind", "content_type", "size", "sha256", "uploaded_by",
        "uploaded_at",
    }  # fmt: skip
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF_BYTES)
    assert body["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["uploaded_by"] == str(therapist.pk)
    assert body["referral"] == str(referral.pk)
    assert AuditEvent.objects.filter(action="document.upload", target_id=body["id"]).count() == 1


def test_an_html_file_named_scan_pdf_is_refused_naming_file(api, therapist, plan, storage):
    # when a web page arrives named like a scan, and declared as a PDF
    response = post(
        api, therapist, patient=plan.patient_id, kind="prescription",
        file=upload("scan.pdf", HTML_BYTES, "application/pdf"),
    )  # fmt: skip
    # then it is a 400 naming the file, and nothing was kept
    assert response.status_code == 400
    assert "file" in response.json()
    assert Document.objects.count() == 0
    assert stored_files(storage) == []


@pytest.mark.parametrize(
    ("content", "expected"), [(PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg")]
)
def test_the_content_not_the_name_decides_the_type(api, front_desk, patient, content, expected):
    response = post(
        api, front_desk, patient=patient.pk, kind="imaging",
        file=upload("report.pdf", content, "application/pdf"),
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["content_type"] == expected


def test_an_empty_file_is_refused_naming_file(api, front_desk, patient):
    response = post(api, front_desk, patient=patient.pk, kind="other", file=upload(content=b""))
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_file_past_document_max_mb_is_a_json_413_and_nothing_is_kept(
    api, front_desk, patient, settings, storage
):
    # given a limit of 1 MB
    settings.DOCUMENT_MAX_MB = 1
    big = PDF_BYTES + b"0" * (1024 * 1024)
    # when a scan just past it arrives
    response = post(api, front_desk, patient=patient.pk, kind="other", file=upload(content=big))
    # then it is refused with a JSON 413
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Document.objects.count() == 0
    assert stored_files(storage) == []


def test_a_body_far_past_the_limit_is_refused_before_it_is_read(api, front_desk, patient, settings):
    settings.DOCUMENT_MAX_MB = 1
    huge = PDF_BYTES + b"0" * (2 * 1024 * 1024)
    response = post(api, front_desk, patient=patient.pk, kind="other", file=upload(content=huge))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_a_scan_larger_than_a_json_body_may_be_still_fits_the_document_limit(
    api, front_desk, patient, settings
):
    # given a JSON body limit of 2.5 MB and the default document limit of 10 MB
    assert settings.DOCUMENT_MAX_MB == 10
    scan = PDF_BYTES + b"0" * (4 * 1024 * 1024)
    # when a 4 MB scan arrives
    response = post(api, front_desk, patient=patient.pk, kind="other", file=upload(content=scan))
    # then it is kept whole
    assert response.status_code == 201
    assert response.json()["size"] == len(scan)


def test_a_patient_outside_the_callers_scope_is_a_400_naming_patient(api, other_therapist, patient):
    response = post(api, other_therapist, patient=patient.pk, kind="other", file=upload())
    assert response.status_code == 400
    assert "patient" in response.json()


def test_a_referral_of_another_patient_in_the_directory_is_a_400_naming_referral(
    api, doctor, referral
):
    # given a second patient of Dana's directory
    other = PatientFactory(created_by=doctor)
    response = post(
        api, doctor, patient=other.pk, referral=referral.pk, kind="report", file=upload()
    )
    assert response.status_code == 400
    assert list(response.json()) == ["referral"]


def test_the_manager_may_not_upload(api, manager, patient):
    response = post(api, manager, patient=patient.pk, kind="other", file=upload())
    assert response.status_code == 403


def test_json_is_not_an_upload(api, front_desk, patient):
    response = api.as_(front_desk).post(URL, {"patient": str(patient.pk), "kind": "other"})
    assert response.status_code == 415


# --- reading the content -----------------------------------------------------------------


def content(api, user, document):
    return api.as_(user).get(f"{URL}{document.pk}/content/")


def test_the_referring_doctor_downloads_the_scan_as_an_attachment(api, doctor, prescription):
    # when Dana asks for the scan of her referral
    response = content(api, doctor, prescription)
    # then the bytes come as an attachment of the sniffed type, not cached
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"prescription-{prescription.pk}.pdf" in disposition
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    # and the read is audited, with the patient
    event = AuditEvent.objects.get(action="document.content_read")
    assert (event.actor, event.target_id, event.patient_id) == (
        doctor,
        str(prescription.pk),
        prescription.patient_id,
    )


def test_reading_the_metadata_is_audited(api, doctor, prescription):
    api.as_(doctor).get(f"{URL}{prescription.pk}/")
    api.as_(doctor).get(URL)
    assert AuditEvent.objects.filter(action="document.read").count() == 2


def test_the_stored_file_has_no_public_address(api, doctor, prescription, settings):
    # the API never tells where the bytes are
    body = api.as_(doctor).get(f"{URL}{prescription.pk}/").json()
    assert prescription.storage_name not in str(body)
    # and the default folder is neither static nor media
    from pathlib import Path

    folder = Path(settings.DOCUMENTS_DIR).resolve()
    served = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    if settings.MEDIA_ROOT:
        served.append(Path(settings.MEDIA_ROOT))
    assert all(not folder.is_relative_to(p.resolve()) for p in served)


def test_an_upload_repeated_with_its_idempotency_key_is_stored_once(api, front_desk, patient):
    client = api.as_(front_desk)
    fields = {"patient": str(patient.pk), "kind": "other"}
    # when the tablet sends the same scan twice with one key
    first = client.post(URL, {**fields, "file": upload()}, format="multipart",
                        HTTP_IDEMPOTENCY_KEY="scan-1")  # fmt: skip
    again = client.post(URL, {**fields, "file": upload()}, format="multipart",
                        HTTP_IDEMPOTENCY_KEY="scan-1")  # fmt: skip
    # then one document exists, and the second answer is the first
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Document.objects.count() == 1
    # and the same key with another file is refused
    other = client.post(URL, {**fields, "file": upload(content=PNG_BYTES)}, format="multipart",
                        HTTP_IDEMPOTENCY_KEY="scan-1")  # fmt: skip
    assert other.status_code == 422
