"""A document as a FHIR R4 `DocumentReference` (API.md, Outside physicians and
documents), added to the FHIR export of the patient's record. Only what the
reader may list goes in; the attachment points at the content door, which
checks again, so the bundle never carries the bytes."""

from django.conf import settings
from django.urls import reverse

from .models import Document, DocumentKind

LOINC = "http://loinc.org"
# LOINC document types where one fits; "report" and "other" say only their kind
KIND_CODES = {
    DocumentKind.PRESCRIPTION: ("57133-1", "Referral note"),
    DocumentKind.IMAGING: ("18748-4", "Diagnostic imaging study"),
    DocumentKind.CONSENT: ("59284-0", "Consent Document"),
}


def _type(kind: str) -> dict:
    concept = {"text": DocumentKind(kind).label}
    if kind in KIND_CODES:
        code, display = KIND_CODES[kind]
        concept["coding"] = [{"system": LOINC, "code": code, "display": display}]
    return concept


def reference_resource(
    *, resource_id, patient_id, kind_of: dict, date: str, attachment: dict, related=None
) -> dict:
    """A `DocumentReference` of any paper of the record (an attachment here, a
    patient's superbill or progress report in portal/record.py): `kind_of` its
    `type`, `attachment` where to fetch it (a URL its reader can open), `related`
    the id of a resource of the same bundle it belongs to, if any."""
    resource = {
        "resourceType": "DocumentReference",
        "id": str(resource_id),
        "status": "current",
        "type": kind_of,
        "subject": {"reference": f"urn:uuid:{patient_id}"},
        "date": date,
        "content": [{"attachment": attachment}],
    }
    if related is not None:
        resource["context"] = {"related": [{"reference": f"urn:uuid:{related}"}]}
    return resource


def document_reference(document: Document, *, in_bundle: set) -> dict:
    """`in_bundle`: the ids of the bundle's resources, so every reference resolves."""
    content_url = reverse("api:document-content", args=[document.pk])
    # the referral is the bundle's ServiceRequest of the same id
    referral = document.referral_id if str(document.referral_id) in in_bundle else None
    return reference_resource(
        resource_id=document.pk,
        patient_id=document.patient_id,
        kind_of=_type(document.kind),
        date=document.uploaded_at.isoformat(),
        attachment={
            "contentType": document.content_type,
            "url": settings.SITE_URL.rstrip("/") + content_url,
            "size": document.size,
            "title": document.download_name,
            "creation": document.uploaded_at.isoformat(),
        },
        related=referral,
    )


def add_document_references(bundle: dict, *, patient, reader) -> dict:
    """The patient's documents that `reader` may list, appended to `bundle`."""
    in_bundle = {entry["resource"]["id"] for entry in bundle["entry"]}
    documents = Document.objects.visible_to(reader).filter(patient=patient).order_by("uploaded_at")
    bundle["entry"] += [
        {"fullUrl": f"urn:uuid:{d.pk}", "resource": document_reference(d, in_bundle=in_bundle)}
        for d in documents
    ]
    return bundle
