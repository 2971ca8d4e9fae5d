"""Break-the-glass (API.md, Roles): a doctor or therapist who must read more of
a patient than their own care episodes gives a reason and, for
BREAK_GLASS_MINUTES, reads the patient's whole clinical record, read-only. The
manager reviews every use; every read under it is audited as usual."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .access import PATIENT
from .audit import record
from .errors import Invalid
from .models import BreakGlass, Patient, User

MIN_REASON = 10


@transaction.atomic
def break_the_glass(*, patient: Patient, reason: str, by: User) -> BreakGlass:
    PATIENT.check(by, "break_glass")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise Invalid.field("reason", f"Say why, in at least {MIN_REASON} characters.")
    grant = BreakGlass.objects.create(
        actor=by,
        patient=patient,
        reason=reason,
        expires_at=timezone.now() + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    record(actor=by, action="access.break_glass", target=grant, patient=patient, detail=reason)
    return grant
