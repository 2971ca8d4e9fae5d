"""Attaching a document on the patient's page: the same rules as the API (content
judged by its bytes, the size limit, the door), and the list beside it shows each
role what the policy allows."""

import pytest
from django.test import Client

from clinic.models import AuditEvent
from documents.models import Document

from .conftest import HTML_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _attach(client, patient, file, kind="imaging"):
    return client.post(f"/patients/{patient.pk}/documents/", {"kind": kind, "file": file})


def test_the_front_desk_attaches_a_fax_and_lists_it_without_opening_it(front_desk, patient):
    client = _signed_in(front_desk)
    answer = _attach(client, patient, upload("mri.png", PNG_BYTES))
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    document = Document.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/patients/{patient.pk}/"
    assert (document.kind, document.content_type, document.uploaded_by) == (
        "imaging", "image/png", front_desk
    )  # fmt: skip
    assert "Imaging" in page and f"/documents/{document.pk}/view/" not in page
    assert client.get(f"/documents/{document.pk}/view/").status_code == 403


def test_an_html_file_named_scan_pdf_is_refused_on_the_page(therapist, patient, plan):
    client = _signed_in(therapist)
    answer = _attach(client, patient, upload("scan.pdf", HTML_BYTES), kind="prescription")
    page = client.get(answer["Location"]).content.decode()
    assert not Document.objects.exists()
    assert "Only PDF, JPEG and PNG" in page


def test_the_doctor_opens_it_from_the_patients_page_and_the_read_is_audited(
    front_desk, doctor, patient, plan
):
    _attach(_signed_in(front_desk), patient, upload("mri.png", PNG_BYTES))
    document = Document.objects.get()
    client = _signed_in(doctor)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"/documents/{document.pk}/view/" in page
    assert client.get(f"/documents/{document.pk}/view/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor=doctor).values_list("action", flat=True))
    assert {"document.read", "document.content_read"} <= actions


def test_a_therapist_attaches_nothing_to_a_patient_outside_their_care(other_therapist, patient):
    answer = _attach(_signed_in(other_therapist), patient, upload("mri.png", PNG_BYTES))
    assert answer.status_code == 404 and not Document.objects.exists()


def test_the_manager_attaches_nothing(manager, patient):
    answer = _attach(_signed_in(manager), patient, upload("mri.png", PNG_BYTES))
    assert answer.status_code == 403 and not Document.objects.exists()
