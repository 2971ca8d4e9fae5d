"""FHIR clients served (API.md, Outside physicians and documents): the FHIR
media type in and out, the patient's identifier, and the documents the caller
may read as DocumentReferences whose references all resolve."""

import pytest
from fhir.resources.R4B.bundle import Bundle

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"


def export(api, user, patient, **headers):
    return api.as_(user).get(f"/api/v1/patients/{patient.pk}/fhir/", **headers)


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from [value] if key == "reference" else references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_a_fhir_client_gets_the_bundle_in_the_fhir_media_type(api, doctor, referral):
    # when a FHIR client asks for its media type
    response = export(api, doctor, referral.patient, HTTP_ACCEPT=FHIR_JSON)
    # then it gets the bundle, labelled as FHIR
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    assert response.json()["resourceType"] == "Bundle"


def test_the_fhir_version_parameter_is_accepted_too(api, doctor, referral):
    response = export(api, doctor, referral.patient, HTTP_ACCEPT=f"{FHIR_JSON}; fhirVersion=4.0")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)


def test_a_plain_json_client_still_gets_json(api, doctor, referral):
    response = export(api, doctor, referral.patient, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"


def test_a_request_sent_as_fhir_json_is_understood(api, doctor, referral):
    response = export(api, doctor, referral.patient, HTTP_ACCEPT=FHIR_JSON, CONTENT_TYPE=FHIR_JSON)
    assert response.status_code == 200


def test_the_patient_carries_the_clinics_patient_number(api, doctor, referral, settings):
    settings.SITE_URL = "https://clinic.example"
    bundle = export(api, doctor, referral.patient).json()
    (patient,) = resources(bundle, "Patient")
    assert patient["identifier"] == [
        {
            "use": "usual",
            "system": "https://clinic.example/patients",
            "value": str(referral.patient_id),
        }
    ]


def test_documents_the_caller_reads_are_document_references_that_resolve(
    api, doctor, plan, prescription, imaging
):
    # given Pat's referral scan and her own imaging report / when Dana exports
    bundle = export(api, doctor, plan.patient, HTTP_ACCEPT=FHIR_JSON).json()
    # then both are DocumentReferences, the scan tied to its referral
    documents = {r["id"]: r for r in resources(bundle, "DocumentReference")}
    assert set(documents) == {str(prescription.pk), str(imaging.pk)}
    scan = documents[str(prescription.pk)]
    assert scan["context"]["related"] == [{"reference": f"urn:uuid:{prescription.referral_id}"}]
    attachment = scan["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["url"].endswith(f"/api/v1/documents/{prescription.pk}/content/")
    # and the bundle still parses, every reference resolving inside it
    Bundle.model_validate(bundle)
    ids = {e["fullUrl"] for e in bundle["entry"]}
    assert set(references(bundle)) <= ids


def test_a_second_doctor_exports_nothing_of_pat(api, other_doctor, patient, prescription):
    assert export(api, other_doctor, patient, HTTP_ACCEPT=FHIR_JSON).status_code == 404
