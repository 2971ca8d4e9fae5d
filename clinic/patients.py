"""Registering patients and changing their details, for the API and the pages."""

import unicodedata

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal

from .access import PATIENT
from .audit import record
from .errors import Duplicate
from .models import Patient, User

# A change to any of these re-plans the reminders not yet sent.
REMINDER_FIELDS = {"reminder_channel", "reminder_consent", "email", "phone"}
# Sent (inside the change's transaction) when one of REMINDER_FIELDS changed. The
# clinic core sits below scheduling, so scheduling listens (its AppConfig.ready)
# and re-plans the patient's reminders; the core never imports it.
contact_changed = Signal()  # kwargs: patient


def _folded(name: str) -> str:
    """A name compared without case or accents: "Müller" is "muller"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def likely_duplicates(*, last_name: str, date_of_birth) -> list[Patient]:
    """Registered patients with the same last name (case and accents ignored)
    and date of birth (API.md, Scheduling (v1 additions))."""
    same_birthday = Patient.objects.filter(date_of_birth=date_of_birth, is_active=True)
    return [
        p for p in same_birthday.order_by("last_name") if _folded(p.last_name) == _folded(last_name)
    ]


@transaction.atomic
def register_patient(*, data: dict, by: User, confirm_new: bool = False) -> Patient:
    """Register a patient; one who looks like a registered patient is a
    `Duplicate` (409 duplicate, with the candidates) unless `confirm_new`."""
    PATIENT.check(by, "create")
    data = {k: v for k, v in data.items() if k != "confirm_new"}
    if not confirm_new and data.get("date_of_birth"):
        found = likely_duplicates(
            last_name=data.get("last_name", ""), date_of_birth=data["date_of_birth"]
        )
        if found:
            raise Duplicate(
                "A patient with this last name and date of birth is already registered.",
                candidates=[
                    {"id": str(p.pk), "first_name": p.first_name, "last_name": p.last_name,
                     "date_of_birth": p.date_of_birth.isoformat()}
                    for p in found
                ],
            )  # fmt: skip
    patient = Patient.objects.create(**data, created_by=by)
    record(actor=by, action="patient.create", target=patient, patient=patient)
    return patient


@transaction.atomic
def update_patient(*, patient: Patient, data: dict, by: User) -> Patient:
    # contact details and reminder channel: the front desk's (API.md, Roles)
    PATIENT.check(by, "update")
    if _write_changes(patient, data):
        record(actor=by, action="patient.update", target=patient, patient=patient)
        _after_change(patient, data)
    return patient


def _write_changes(patient: Patient, data: dict) -> bool:
    """Write what differs from the row; False (the version, its ETag, kept) when
    nothing does. Compared with the row, not `patient`: a page's form has
    already set its fields."""
    if not data:
        return False
    stored = Patient.objects.filter(pk=patient.pk).values(*data).get()
    if all(stored[field] == value for field, value in data.items()):
        return False
    if "email" in data and data["email"] != stored["email"]:
        # a new address is worth trying: the bounce was about the old one
        data = {**data, "email_bounced_at": None, "email_bounce_reason": ""}
    Patient.objects.filter(pk=patient.pk).update(**data, version=F("version") + 1)
    return True


def _after_change(patient: Patient, data: dict) -> None:
    patient.refresh_from_db()
    if REMINDER_FIELDS & set(data):
        contact_changed.send(sender=Patient, patient=patient)


# What a patient may change about themselves (API.md: contact and reminder preferences).
OWN_FIELDS = {"email", "phone", "reminder_channel", "reminder_consent"}


@transaction.atomic
def update_own_contact(*, patient: Patient, data: dict, via: str) -> Patient:
    """The patient changes their own contact and reminder preferences (through the
    portal); audited as the patient's, and the reminders are re-planned."""
    changes = {field: value for field, value in data.items() if field in OWN_FIELDS}
    if _write_changes(patient, changes):
        record(
            actor=None, action="patient.update", target=patient, patient=patient,
            detail=f"by the patient ({via}): {', '.join(sorted(changes))}",
        )  # fmt: skip
        _after_change(patient, changes)
    return patient
