"""The one door to documents (see clinic/access.py): what each role may ever do
with an attachment, and `access_document(user, id)` that scopes (404 outside
scope, the same answer as missing). Which documents a user may see is
`Document.objects.visible_to(user)`: those of the episodes and patients the
user may read, break-the-glass included for reads."""

from django.core.exceptions import ValidationError
from django.http import Http404

from clinic.access import ALL_ROLES, DOCTOR, FRONT_DESK, NO_FRONT_DESK, THERAPIST, Policy

from .models import Document

DOCUMENT = Policy(
    "document",
    {
        # metadata (patient, referral, kind, type, size, hash, who and when): the
        # front desk files the faxes, so it reads what it files, as status fields
        "read": ALL_ROLES,
        # the front desk files the fax; clinicians attach scans; the manager writes
        # no clinical record (API.md, Roles)
        "create": DOCTOR | THERAPIST | FRONT_DESK,
        # the bytes: those who may read the episode (the front desk reads no
        # clinical record)
        "content": NO_FRONT_DESK,
        # the paper intake: prescriptions scanned and not yet transcribed (a page)
        "intake": THERAPIST,
    },
)


def access_document(user, document_id, verb: str = "read", *, glass: bool = False) -> Document:
    DOCUMENT.check(user, verb)
    scoped = Document.objects.visible_to(user, glass=glass).select_related("patient", "referral")
    try:
        return scoped.get(pk=document_id)
    except (Document.DoesNotExist, ValidationError, ValueError) as missing:
        # a malformed id is as missing as another clinician's document
        raise Http404("No such document.") from missing
