"""The one door to documents: what each role may ever do with them, and
`access_document(user, id)` that scopes (404 outside scope, the same answer as
missing). Shaped like the other apps' doors (issue 11): a verb table read by
the API and the services, and the queryset's `visible_to(user)` for scope."""

from django.core.exceptions import ValidationError
from django.http import Http404

from clinic.errors import NotAllowed
from clinic.vocabulary import Role

from .models import Document

ALL_ROLES = frozenset(Role.values)
NO_FRONT_DESK = ALL_ROLES - {Role.FRONT_DESK}

DOCUMENT = {
    # metadata: patient, referral, kind, type, size, hash, who and when
    "read": ALL_ROLES,
    # the front desk files the fax; clinicians attach scans; the manager writes
    # no clinical record (API.md, Roles)
    "create": frozenset({Role.DOCTOR, Role.THERAPIST, Role.FRONT_DESK}),
    # the bytes: those who may read the episode (the front desk reads no clinical record)
    "content": NO_FRONT_DESK,
}


def may(user, verb: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return getattr(user, "role", None) in DOCUMENT.get(verb, frozenset())


def check(user, verb: str) -> None:
    """A role that may never `verb` a document is refused (403)."""
    if not may(user, verb):
        role = (getattr(user, "role", "") or "caller").replace("_", " ")
        raise NotAllowed(f"A {role} may not {verb} documents.")


def access_document(user, document_id, verb: str = "read") -> Document:
    check(user, verb)
    scoped = Document.objects.visible_to(user).select_related("patient", "referral")
    try:
        return scoped.get(pk=document_id)
    except (Document.DoesNotExist, ValidationError, ValueError) as missing:
        # a malformed id is as missing as another clinician's document
        raise Http404("No such document.") from missing
