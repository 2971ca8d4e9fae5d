"""Registering patients and changing their details, for the API and the pages."""

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal

from .access import PATIENT
from .audit import record
from .models import Patient, User

# A change to any of these re-plans the reminders not yet sent.
REMINDER_FIELDS = {"reminder_channel", "reminder_consent", "email", "phone"}
# Sent (inside the change's transaction) when one of REMINDER_FIELDS changed. The
# clinic core sits below scheduling, so scheduling listens (its AppConfig.ready)
# and re-plans the patient's reminders; the core never imports it.
contact_changed = Signal()  # kwargs: patient


@transaction.atomic
def register_patient(*, data: dict, by: User) -> Patient:
    PATIENT.check(by, "create")
    patient = Patient.objects.create(**data, created_by=by)
    record(actor=by, action="patient.create", target=patient, patient=patient)
    return patient


@transaction.atomic
def update_patient(*, patient: Patient, data: dict, by: User) -> Patient:
    # contact details and reminder channel: the front desk's (API.md, Roles)
    PATIENT.check(by, "update")
    Patient.objects.filter(pk=patient.pk).update(**data, version=F("version") + 1)
    record(actor=by, action="patient.update", target=patient, patient=patient)
    patient.refresh_from_db()
    if REMINDER_FIELDS & set(data):
        contact_changed.send(sender=Patient, patient=patient)
    return patient


# What a patient may change about themselves (API.md: contact and reminder preferences).
OWN_FIELDS = {"email", "phone", "reminder_channel", "reminder_consent"}


@transaction.atomic
def update_own_contact(*, patient: Patient, data: dict, via: str) -> Patient:
    """The patient changes their own contact and reminder preferences (through the
    portal); audited as the patient's, and the reminders are re-planned."""
    changes = {field: value for field, value in data.items() if field in OWN_FIELDS}
    Patient.objects.filter(pk=patient.pk).update(**changes, version=F("version") + 1)
    record(
        actor=None, action="patient.update", target=patient, patient=patient,
        detail=f"by the patient ({via}): {', '.join(sorted(changes))}",
    )  # fmt: skip
    patient.refresh_from_db()
    if REMINDER_FIELDS & set(changes):
        contact_changed.send(sender=Patient, patient=patient)
    return patient
