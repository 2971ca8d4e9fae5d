"""The patient's paper (API.md, The patient's side: `GET /api/v1/portal/documents/`):
their superbills and signed progress reports as PDFs, only their own, audited."""

import json

import pytest
from django.utils import timezone

from billing.models import Charge
from clinic.models import AuditEvent
from sessions_log.models import ProgressReport
from tests.billing.conftest import cover, medicare  # noqa: F401 - the payer fixture
from tests.billing.test_api import NECK_AND_BACK, signed_note
from tests.billing.test_documents import pdf_text
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
PAPER = "/api/v1/portal/documents/"


def report_of(plan, therapist, *, signed: bool) -> ProgressReport:
    return ProgressReport.objects.create(
        plan=plan, author=therapist, visits_covered=1, summary="Neck easier to turn.",
        recommendation="continue", status="signed" if signed else "draft",
        signed_at=timezone.now() if signed else None,
    )  # fmt: skip


@pytest.fixture
def billed(api, therapist, plan, medicare):  # noqa: F811 - the payer fixture
    cover(plan.patient, medicare)
    signed_note(api, therapist, plan, NECK_AND_BACK)
    return Charge.objects.get()


def test_the_patient_lists_their_superbill_and_signed_report_not_the_draft(
    patient, patient_api, plan, therapist, billed
):
    # given a billed visit, a signed progress report and a draft one
    signed = report_of(plan, therapist, signed=True)
    draft = report_of(plan, therapist, signed=False)
    # when Pat lists their documents
    listed = patient_api(patient).get(PAPER)
    # then the superbill and the signed report, not the draft; the read is audited
    assert listed.status_code == 200
    kinds = {row["id"]: row["kind"] for row in listed.json()["results"]}
    assert kinds == {str(billed.pk): "superbill", str(signed.pk): "progress_report"}
    assert str(draft.pk) not in kinds
    assert AuditEvent.objects.filter(action="portal.documents_read", patient=patient).exists()


def test_the_patient_downloads_their_superbill_as_a_pdf(patient, patient_api, billed):
    answer = patient_api(patient).get(f"{PAPER}{billed.pk}/")
    text = pdf_text(answer)
    assert "Pat Parker" in text and "97140" in text
    assert AuditEvent.objects.filter(
        action="portal.document_read", patient=patient, target_id=str(billed.pk)
    ).exists()


def test_another_patients_superbill_is_a_404(patient_api, billed):
    quinn = PatientFactory(first_name="Quinn", last_name="Other")
    answer = patient_api(quinn).get(f"{PAPER}{billed.pk}/")
    assert answer.status_code == 404
    assert "Parker" not in answer.content.decode()


def test_the_patient_downloads_their_signed_progress_report(patient, patient_api, plan, therapist):
    report = report_of(plan, therapist, signed=True)
    text = pdf_text(patient_api(patient).get(f"{PAPER}{report.pk}/"))
    assert "Neck easier to turn." in text


def test_the_documents_page_lists_and_downloads_the_superbill(patient, patient_pages, billed):
    # given Pat signed in on the patient pages
    browser = patient_pages(patient)
    # when they open their documents
    page = browser.get("/portal/documents/")
    # then the superbill is there with its PDF, which downloads as theirs
    assert page.status_code == 200
    link = f"/portal/documents/{billed.pk}/"
    assert link in page.content.decode()
    assert "Pat Parker" in pdf_text(browser.get(link))


def test_the_whole_record_downloads_as_fhir_from_the_documents_page(patient, patient_pages):
    answer = patient_pages(patient).get("/portal/record/")
    assert answer["Content-Type"] == "application/fhir+json"
    bundle = json.loads(answer.content)
    assert bundle["resourceType"] == "Bundle"
    assert AuditEvent.objects.filter(action="portal.record_read", patient=patient).exists()


def test_another_patients_superbill_is_a_404_on_the_pages_too(patient_pages, billed):
    quinn = PatientFactory(first_name="Quinn", last_name="Other")
    assert patient_pages(quinn).get(f"/portal/documents/{billed.pk}/").status_code == 404
