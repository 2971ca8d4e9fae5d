"""The patient's own FHIR record (API.md, The patient's side: `GET
/api/v1/portal/record/` and /portal/record/) holds what the staff export holds:
their signed consents as `Consent`s and, as `DocumentReference`s, the papers the
portal lets them download (superbills, signed progress reports), each at an
address their own session opens. The staff's scans are not theirs to download
(portal/access.py), so none is named. Nothing of another patient's comes back."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle

from documents import services
from tests.billing.conftest import medicare  # noqa: F401 - the payer fixture
from tests.documents.conftest import PNG_BYTES, upload
from tests.documents.test_fhir import references, resources
from tests.documents.test_fhir_consents import publish, signed
from tests.factories import PatientFactory, ReferralFactory, TreatmentPlanFactory

from . import test_paper
from .test_paper import report_of

pytestmark = pytest.mark.django_db
RECORD = "/api/v1/portal/record/"
billed = test_paper.billed  # Pat's billed visit: a charge, so a superbill


def valid(bundle: dict) -> dict:
    """The bundle parses as FHIR R4 (R4B models) and every reference resolves in it."""
    Bundle.model_validate(bundle)
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))
    assert set(references(bundle)) <= set(full_urls)
    return bundle


def by_id(bundle, kind) -> dict:
    return {r["id"]: r for r in resources(bundle, kind)}


@pytest.fixture
def scan(private_documents, patient, front_desk):
    """An MRI report faxed in for Pat: the staff's attachment, not one of Pat's papers."""
    return services.upload_document(
        by=front_desk, patient=patient, kind="imaging", file=upload("mri.png", PNG_BYTES)
    )


@pytest.fixture
def quinn(doctor, therapist, private_documents, front_desk):
    """Another patient with a consent, a signed progress report and a scan of her own."""
    quinn = PatientFactory(first_name="Quinn", last_name="Other")
    plan = TreatmentPlanFactory(
        referral=ReferralFactory(patient=quinn, doctor=doctor), therapist=therapist
    )
    quinn.consent = signed(quinn, publish())
    quinn.report = report_of(plan, therapist, signed=True)
    quinn.scan = services.upload_document(
        by=front_desk, patient=quinn, kind="imaging", file=upload("q.png", PNG_BYTES)
    )
    return quinn


def test_the_patients_bundle_holds_their_consents_and_their_papers(
    patient, patient_api, plan, therapist, billed, scan
):
    # given Pat signed the consent to treatment, a visit was billed, a report signed
    consent = signed(patient, publish())
    report = report_of(plan, therapist, signed=True)
    draft = report_of(plan, therapist, signed=False)
    # when Pat downloads their record through the API
    bundle = valid(patient_api(patient).get(RECORD).json())
    # then their signature is an active Consent of theirs, as in the staff export
    (found,) = resources(bundle, "Consent")
    assert found["id"] == str(consent.pk) and found["status"] == "active"
    assert found["patient"] == {"reference": f"urn:uuid:{patient.pk}"}
    # and their superbill and signed report are DocumentReferences; no draft, no scan
    papers = by_id(bundle, "DocumentReference")
    assert set(papers) == {str(billed.pk), str(report.pk)}
    assert str(draft.pk) not in json.dumps(bundle) and str(scan.pk) not in json.dumps(bundle)
    progress = papers[str(report.pk)]
    assert progress["type"]["coding"][0]["code"] == "11506-3"  # LOINC progress note
    assert progress["context"]["related"] == [{"reference": f"urn:uuid:{plan.pk}"}]
    superbill = papers[str(billed.pk)]
    assert superbill["type"] == {"text": "Superbill"}
    # the superbill belongs to its visit's Encounter
    (encounter,) = resources(bundle, "Encounter")
    assert superbill["context"]["related"] == [{"reference": f"urn:uuid:{encounter['id']}"}]
    assert all(p["subject"] == {"reference": f"urn:uuid:{patient.pk}"} for p in papers.values())


def test_every_address_in_the_api_bundle_opens_with_the_same_token(
    patient, patient_api, plan, therapist, billed, scan
):
    report_of(plan, therapist, signed=True)
    client = patient_api(patient)
    bundle = client.get(RECORD).json()
    urls = [r["content"][0]["attachment"]["url"] for r in resources(bundle, "DocumentReference")]
    assert len(urls) == 2
    # never the staff's content door, which a patient cannot open
    assert "/api/v1/documents/" not in json.dumps(bundle)
    for url in urls:
        assert url.startswith("http://testserver/api/v1/portal/documents/")
        answer = client.get(url)
        assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"


def test_every_address_in_the_downloaded_bundle_opens_in_the_same_browser(
    patient, patient_pages, plan, therapist, billed, scan
):
    consent = signed(patient, publish())
    report_of(plan, therapist, signed=True)
    browser = patient_pages(patient)
    bundle = valid(json.loads(browser.get("/portal/record/").content))
    assert set(by_id(bundle, "Consent")) == {str(consent.pk)}
    urls = [r["content"][0]["attachment"]["url"] for r in resources(bundle, "DocumentReference")]
    assert len(urls) == 2
    assert "/api/v1/" not in json.dumps(bundle)
    for url in urls:
        assert url.startswith("http://testserver/portal/documents/")
        answer = browser.get(url)
        assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"


def test_another_patients_consents_and_papers_never_appear(
    patient, patient_api, patient_pages, plan, therapist, billed, quinn
):
    # given Pat's own consent, and Quinn's consent, report and scan
    mine = signed(patient, publish(kind="privacy", text="We keep your record private."))
    theirs = {str(quinn.pk), str(quinn.consent.pk), str(quinn.report.pk), str(quinn.scan.pk)}
    # when Pat downloads their record both ways
    on_api = valid(patient_api(patient).get(RECORD).json())
    on_page = valid(json.loads(patient_pages(patient).get("/portal/record/").content))
    # then nothing of Quinn's is in either
    for bundle in (on_api, on_page):
        text = json.dumps(bundle)
        assert [i for i in theirs if i in text] == []
        assert "Quinn" not in text
        assert set(by_id(bundle, "Consent")) == {str(mine.pk)}
        assert set(by_id(bundle, "DocumentReference")) == {str(billed.pk)}
    # and Quinn's own bundle has hers and none of Pat's
    hers = valid(patient_api(quinn).get(RECORD).json())
    assert set(by_id(hers, "Consent")) == {str(quinn.consent.pk)}
    assert set(by_id(hers, "DocumentReference")) == {str(quinn.report.pk)}
    assert str(mine.pk) not in json.dumps(hers) and str(billed.pk) not in json.dumps(hers)


def test_consents_and_papers_cost_the_same_queries_however_many(
    patient, patient_api, plan, therapist, django_assert_max_num_queries
):
    client = patient_api(patient)
    signed(patient, publish())
    report_of(plan, therapist, signed=True)
    with CaptureQueriesContext(connection) as one:
        assert client.get(RECORD).status_code == 200
    assert len(one) <= 24  # the whole record, its consents and papers included
    signed(patient, publish(kind="privacy", text="Private."))
    signed(patient, publish(text="I agree, version two."))
    for _ in range(3):
        report_of(plan, therapist, signed=True)
    with django_assert_max_num_queries(len(one)):
        bundle = client.get(RECORD).json()
    assert len(resources(bundle, "Consent")) == 3
    assert len(resources(bundle, "DocumentReference")) == 4


def test_a_fhir_client_of_the_patients_gets_the_fhir_media_type(patient, patient_api):
    answer = patient_api(patient).get(RECORD, HTTP_ACCEPT="application/fhir+json")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/fhir+json")
    valid(json.loads(answer.content))
    plain = patient_api(patient).get(RECORD, HTTP_ACCEPT="application/json")
    assert plain["Content-Type"] == "application/json"
