"""Consents in the FHIR export (API.md, Outside physicians and documents): each
consent the patient signed is a FHIR R4 Consent about the bundle's Patient,
`active` while it is the current version, `inactive` once a newer version asks
again; one asked for and not signed is absent; the bundle still validates."""

import base64
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent

from clinic.consents import publish_consent, record_paper_consent, sign_consent
from tests.factories import PatientFactory
from tests.portal.test_consent import data_url, png

from .test_fhir import FHIR_JSON, export, references, resources

pytestmark = pytest.mark.django_db


def publish(kind="treatment", text="I agree to massage therapy."):
    title = "Consent to treatment" if kind == "treatment" else "Privacy notice"
    return publish_consent(kind=kind, title=title, text=text, by=None)


def signed(patient, document):
    return sign_consent(
        patient=patient, document=document, full_name="Pat Parker", signature_png=data_url(png())
    )


def consents(api, doctor, patient):
    bundle = export(api, doctor, patient, HTTP_ACCEPT=FHIR_JSON).json()
    # the bundle parses, every Consent parses, and every reference resolves inside it
    Bundle.model_validate(bundle)
    found = resources(bundle, "Consent")
    for consent in found:
        Consent.model_validate(consent)
    assert set(references(bundle)) <= {e["fullUrl"] for e in bundle["entry"]}
    return {c["id"]: c for c in found}


def test_a_signed_consent_is_an_active_consent_of_the_patient(api, doctor, referral, clock):
    # given Pat signed the clinic's consent to treatment on her phone
    signature = signed(referral.patient, publish())
    # when Dana exports Pat's record for a FHIR client
    found = consents(api, doctor, referral.patient)
    # then it is an active treatment consent, performed by Pat herself
    consent = found[str(signature.pk)]
    patient = {"reference": f"urn:uuid:{referral.patient_id}"}
    assert consent["status"] == "active"
    assert consent["patient"] == patient and consent["performer"] == [patient]
    assert consent["scope"]["coding"][0]["code"] == "treatment"
    assert consent["category"][0]["coding"][0] == {
        "system": "http://loinc.org", "code": "59284-0", "display": "Consent Document"
    }  # fmt: skip
    assert consent["policyRule"]["text"] == "Consent to treatment (version 1)"
    assert consent["provision"] == {"type": "permit", "period": {"start": consent["dateTime"]}}
    # and the drawing itself stays out of the bundle
    assert "data" not in consent["sourceAttachment"]


def test_an_unsigned_consent_is_absent(api, doctor, referral):
    # given the clinic asks for a privacy notice Pat has not signed
    publish("privacy")
    treatment = signed(referral.patient, publish())
    # then only what she signed is a Consent: a consent records a decision made
    assert set(consents(api, doctor, referral.patient)) == {str(treatment.pk)}


def test_a_consent_replaced_by_a_newer_version_is_inactive_from_then(api, doctor, referral, clock):
    # given Pat signed version 1, and a month later the manager published version 2
    old = signed(referral.patient, publish())
    clock.traveller.shift(timedelta(days=30))
    newer = publish(text="I agree to massage therapy, cupping included.")
    # then her signature of version 1 is inactive, its permission ending with version 2
    consent = consents(api, doctor, referral.patient)[str(old.pk)]
    assert consent["status"] == "inactive"
    assert consent["provision"]["period"]["end"] == newer.created_at.isoformat(timespec="seconds")
    # and once she signs version 2, that one is the active consent
    again = signed(referral.patient, newer)
    found = consents(api, doctor, referral.patient)
    assert {k: c["status"] for k, c in found.items()} == {
        str(old.pk): "inactive",
        str(again.pk): "active",
    }


def test_a_paper_privacy_consent_is_a_hipaa_notice(api, doctor, referral, front_desk):
    scan = base64.b64encode(b"%PDF-1.7\n%%EOF\n").decode()
    signature = record_paper_consent(
        patient=referral.patient, document=publish("privacy"), scan=scan, by=front_desk
    )
    consent = consents(api, doctor, referral.patient)[str(signature.pk)]
    assert consent["scope"]["coding"][0]["code"] == "patient-privacy"
    assert consent["policyRule"]["coding"][0]["code"] == "hipaa-npp"
    assert consent["sourceAttachment"]["contentType"] == "application/pdf"


def test_another_patients_consent_stays_out(api, doctor, referral):
    signed(PatientFactory(), publish())
    assert consents(api, doctor, referral.patient) == {}


def test_the_consents_cost_two_queries_however_many(
    api, doctor, referral, django_assert_max_num_queries
):
    for kind in ("treatment", "privacy"):
        signed(referral.patient, publish(kind))
    export(api, doctor, referral.patient)  # warm the session and the user
    with django_assert_max_num_queries(60) as counted:
        export(api, doctor, referral.patient)
    baseline = len(counted.captured_queries)
    signed(referral.patient, publish("treatment", text="Version 2."))
    with django_assert_max_num_queries(baseline):
        export(api, doctor, referral.patient)
