"""The patient's whole record as FHIR R4 (API.md, The patient's side: their right
of access), for `GET /api/v1/portal/record/` and the download on /portal/documents/.

It holds what the staff export holds (sessions_log/api.py `PatientFhirView`), by
the same builders: the record itself, every consent the patient signed as a
`Consent` (documents/fhir_consents.py), and their documents as
`DocumentReference`s (documents/fhir.py). Which documents follows the portal's
rules (portal/access.py): a patient downloads their superbills and signed progress
reports (`read_documents`, portal/paper_api.py), and no scan or attachment of the
staff's (those are read through the staff's content door, which a patient cannot
open). So the bundle names exactly the papers the patient may download, each at an
address the same patient session opens: the API's for a token, the page's for the
browser. Another patient's consents and papers are never read (every query starts
from this patient)."""

from django.utils import timezone

from documents.fhir import LOINC, reference_resource
from documents.fhir_consents import add_consents
from sessions_log.fhir import patient_bundle
from sessions_log.fhir_resources import derived_id

from .access import PORTAL
from .paper_api import Paper, papers_of

PDF = "application/pdf"
# a signed progress report is a progress note; a superbill has no LOINC document type
PROGRESS_NOTE = {
    "coding": [{"system": LOINC, "code": "11506-3", "display": "Progress note"}],
    "text": "Progress report",
}
SUPERBILL = {"text": "Superbill"}


def _issued(paper: Paper):
    record = paper.record
    return record.signed_at if paper.kind == "progress_report" else record.created_at


def _related(paper: Paper, in_bundle: set):
    """The bundle's resource the paper belongs to: a report's CarePlan, a
    superbill's Encounter (its visit, once completed); None when not there."""
    if paper.kind == "progress_report":
        related = str(paper.record.plan_id)
    else:
        related = derived_id("encounter", paper.record.appointment_id)
    return related if related in in_bundle else None


def paper_reference(paper: Paper, *, patient, url: str, in_bundle: set) -> dict:
    issued = timezone.localtime(_issued(paper)).isoformat(timespec="seconds")
    return reference_resource(
        resource_id=paper.id,
        patient_id=patient.pk,
        kind_of=PROGRESS_NOTE if paper.kind == "progress_report" else SUPERBILL,
        date=issued,
        attachment={"contentType": PDF, "url": url, "title": paper.title, "creation": issued},
        related=_related(paper, in_bundle),
    )


def add_paper_references(bundle: dict, *, patient, url_of) -> dict:
    """The patient's papers appended to `bundle` as DocumentReferences; `url_of(id)`
    the address of one paper's PDF for the caller. Two queries."""
    in_bundle = {entry["resource"]["id"] for entry in bundle["entry"]}
    bundle["entry"] += [
        {
            "fullUrl": f"urn:uuid:{paper.id}",
            "resource": paper_reference(
                paper, patient=patient, url=url_of(paper.id), in_bundle=in_bundle
            ),
        }
        for paper in papers_of(patient)
    ]
    return bundle


def own_record(caller, *, url_of) -> dict:
    """The signed-in patient's whole record, as the staff export builds it, with
    their consents and the papers they may download (`url_of`: see above)."""
    PORTAL.check(caller, "read_record")
    patient = caller.patient
    bundle = patient_bundle(patient, reader=None)
    bundle = add_consents(bundle, patient=patient)
    if PORTAL.may(caller, "read_documents"):
        bundle = add_paper_references(bundle, patient=patient, url_of=url_of)
    return bundle
