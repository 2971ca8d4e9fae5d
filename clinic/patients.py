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
    # compared with the row, not `patient`: a page's form has already set its fields
    stored = Patient.objects.filter(pk=patient.pk).values(*data).get()
    if all(stored[field] == value for field, value in data.items()):
        return patient  # nothing changes: the version (ETag) stays (clinic.versions)
    Patient.objects.filter(pk=patient.pk).update(**data, version=F("version") + 1)
    record(actor=by, action="patient.update", target=patient, patient=patient)
    patient.refresh_from_db()
    if REMINDER_FIELDS & set(data):
        contact_changed.send(sender=Patient, patient=patient)
    return patient
