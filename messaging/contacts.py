"""What the providers tell us about a patient's contact details: an email
address that bounced (or whose owner complained), and a phone that texted STOP
or START. Each change is audited as the provider's (no staff actor), re-plans
the reminders not yet sent (clinic.patients.contact_changed, heard by
scheduling) and, for a bad address, tells the front desk."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.audit import record
from clinic.models import Patient, User
from clinic.patients import contact_changed
from clinic.vocabulary import Role

log = logging.getLogger(__name__)


@transaction.atomic
def mark_email_bounced(*, email: str, reason: str, provider: str) -> list[Patient]:
    """Every active patient with this address (case ignored) stops getting email
    until the front desk enters a new one. A second report changes nothing."""
    patients = list(
        Patient.objects.select_for_update()
        .filter(email__iexact=email.strip(), email_bounced_at__isnull=True, is_active=True)
        .order_by("pk")
    )
    for patient in patients:
        Patient.objects.filter(pk=patient.pk).update(
            email_bounced_at=timezone.now(),
            email_bounce_reason=reason[:200],
            version=F("version") + 1,
        )
        patient.refresh_from_db()
        record(
            actor=None, action="patient.email_bounced", target=patient, patient=patient,
            detail=f"{provider}: {reason}",
        )  # fmt: skip
        contact_changed.send(sender=Patient, patient=patient)
        transaction.on_commit(lambda p=patient: tell_front_desk(patient=p))
    return patients


def tell_front_desk(*, patient: Patient) -> int:
    """One email to each front-desk person: whose address to check, and where.
    Only the name and the link: the reason stays in the audit trail."""
    staff = User.objects.with_role(Role.FRONT_DESK).filter(is_active=True).exclude(email="")
    context = {
        "patient": patient,
        "clinic_name": settings.CLINIC_NAME,
        "url": settings.SITE_URL + reverse("patient_detail", args=[patient.pk]),
    }
    body = render_to_string("messaging/bounce_to_front_desk.txt", context)
    recipients = [user.email for user in staff]
    if not recipients:
        log.warning("no front-desk email address to tell about patient %s", patient.pk)
        return 0
    return send_mail(
        subject=f"{settings.CLINIC_NAME}: a patient's email address does not work",
        message=body,
        from_email=None,
        recipient_list=recipients,
    )


@transaction.atomic
def set_text_consent(*, patients: list[Patient], consent: bool, via: str) -> list[Patient]:
    """STOP (consent off) or START (on again) from the patients' phone number."""
    changed = []
    for patient in patients:
        taken = Patient.objects.filter(pk=patient.pk, text_consent=not consent).update(
            text_consent=consent, version=F("version") + 1
        )
        if not taken:
            continue  # already so: a repeated STOP changes nothing
        patient.refresh_from_db()
        record(
            actor=None, action="patient.text_consent", target=patient, patient=patient,
            detail=f"{'on' if consent else 'off'} by the patient ({via})",
        )  # fmt: skip
        contact_changed.send(sender=Patient, patient=patient)
        changed.append(patient)
    return changed
