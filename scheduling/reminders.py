"""Appointment reminders as an outbox.

Booking or moving a visit writes one `Reminder` row per offset in
`settings.REMINDER_OFFSETS` for the patient's channel, in the same transaction
as the visit. Nothing waits in the broker: a beat task every minute claims the
rows that are due (`claim_due`) and one task delivers the claimed batch
(`reminder_delivery.deliver`). A claim is a lease (`claimed_until`): a worker
that dies while sending leaves the rows pending, and once the lease runs out
the next scan claims them again, so a reminder is never lost and at most the
one in flight when a worker dies is sent twice (the delivery's journal says
how). The exact lease time doubles as the claim's token: a delivery whose
lease was taken over by a later scan does nothing."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic.models import Patient, ReminderChannel

from .models import Appointment, AppointmentStatus, Reminder, ReminderStatus
from .recurrence import clinic_zone

log = logging.getLogger(__name__)

CONFIRM_SALT = "clinic.reminders.confirm"


def setting(name: str, default):
    return getattr(settings, name, default)


def kind_of(offset: timedelta) -> str:
    """24h, 2h, 30m: the label a person reads in the list of reminders."""
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


# --- the outbox rows -----------------------------------------------------------------


def _missing_contact(patient: Patient) -> str:
    if patient.reminder_channel == ReminderChannel.EMAIL and not patient.email:
        return "The patient has no email address."
    if patient.reminder_channel == ReminderChannel.EMAIL and patient.email_bounced_at:
        return "The patient's email address bounced; the front desk should check it."
    if patient.reminder_channel == ReminderChannel.SMS and not patient.phone:
        return "The patient has no phone number."
    if patient.reminder_channel == ReminderChannel.SMS and not patient.text_consent:
        return "The patient opted out of text messages (STOP)."
    return ""


def planned_reminders(appointment: Appointment, *, now: datetime | None = None) -> list[Reminder]:
    """The rows a visit should have (unsaved). Offsets already past are dropped,
    except the nearest of them: a visit booked late still gets one reminder now."""
    patient = appointment.patient
    if not patient.reminder_consent or patient.reminder_channel == ReminderChannel.NONE:
        return []
    now = now or timezone.now()
    if appointment.start <= now:
        return []
    due = {kind_of(o): appointment.start - o for o in settings.REMINDER_OFFSETS}
    future = {kind: at for kind, at in due.items() if at > now}
    past = [(at, kind) for kind, at in due.items() if at <= now]
    if past:
        _, nearest = max(past)
        future[nearest] = now
    missing = _missing_contact(patient) or confirmed_and_done(appointment)
    return [
        Reminder(
            appointment=appointment,
            kind=kind,
            channel=patient.reminder_channel,
            due_at=at,
            status=ReminderStatus.SKIPPED if missing else ReminderStatus.PENDING,
            last_error=missing,
        )
        for kind, at in sorted(future.items(), key=lambda item: item[1])
    ]


CONFIRMED = "The patient confirmed the visit."


def confirmed_and_done(appointment: Appointment) -> str:
    """REMINDER_AFTER_CONFIRM=skip: a confirmed visit needs no more reminders
    (by default they go out and say the visit is confirmed)."""
    if appointment.confirmed_at and setting("REMINDER_AFTER_CONFIRM", "say") == "skip":
        return CONFIRMED
    return ""


def after_confirming(appointment: Appointment) -> int:
    """Called by the services that confirm a visit, in their transaction."""
    if setting("REMINDER_AFTER_CONFIRM", "say") != "skip":
        return 0
    return skip_for([appointment.pk], reason=CONFIRMED)


def create_for(appointments: list[Appointment]) -> list[Reminder]:
    """Write the reminders of newly booked visits, in one INSERT."""
    now = timezone.now()
    rows = [row for a in appointments for row in planned_reminders(a, now=now)]
    return Reminder.objects.bulk_create(rows)


def reschedule(appointment: Appointment) -> list[Reminder]:
    """A moved visit starts over: the old rows (sent or not) described the old time."""
    Reminder.objects.filter(appointment=appointment).delete()
    return create_for([appointment])


def replan_for_patient(patient: Patient) -> list[Reminder]:
    """After the patient's channel, contact or consent changed: the reminders
    not yet sent for their coming visits are planned again (call it from the
    service that saves the patient, in its transaction)."""
    visits = list(
        Appointment.objects.filter(
            patient=patient, status=AppointmentStatus.BOOKED, start__gt=timezone.now()
        ).select_related("patient")
    )
    for visit in visits:
        visit.patient = patient  # the changed contact details, not a stale copy
    Reminder.objects.filter(appointment__in=visits).exclude(status=ReminderStatus.SENT).delete()
    already_sent = set(
        Reminder.objects.filter(appointment__in=visits, status=ReminderStatus.SENT).values_list(
            "appointment_id", "kind"
        )
    )
    now = timezone.now()
    rows = [
        row
        for visit in visits
        for row in planned_reminders(visit, now=now)
        if (visit.pk, row.kind) not in already_sent
    ]
    return Reminder.objects.bulk_create(rows)


def replan_on_contact_change(sender, *, patient: Patient, **kwargs) -> None:
    """clinic.patients.contact_changed: the patient's channel, consent or address changed."""
    replan_for_patient(patient)


def skip_for(appointment_ids, *, reason: str) -> int:
    """A visit cancelled, checked in or missed needs no more reminders."""
    return Reminder.objects.filter(
        appointment_id__in=list(appointment_ids), status=ReminderStatus.PENDING
    ).update(status=ReminderStatus.SKIPPED, last_error=reason[:500], claimed_until=None)


# --- claiming due rows ------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """The rows one scan claimed, and their lease: the claim's token."""

    reminder_ids: tuple[str, ...] = ()
    lease: str = ""  # claimed_until in ISO form

    def __len__(self) -> int:
        return len(self.reminder_ids)


def _claimable(now: datetime):
    return Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


@transaction.atomic
def claim_due(*, now: datetime | None = None, limit: int | None = None) -> Batch:
    """Claim up to `limit` due reminders for this scan, in a constant number of
    queries. PostgreSQL: rows locked by a concurrent scan are skipped
    (FOR UPDATE SKIP LOCKED). Elsewhere (SQLite) the transaction is IMMEDIATE,
    so scans are serialised and the conditional UPDATE (pending, lease free)
    cannot take a row another scan holds; its row count says what we got.
    The claim counts an attempt, so a worker killed mid-send still uses up one
    of the bounded tries; delivery gives it back to a row it does not try."""
    now = now or timezone.now()
    limit = limit or setting("REMINDER_BATCH_SIZE", 50)
    lease = now + timedelta(seconds=setting("REMINDER_CLAIM_SECONDS", 300))
    candidates = _claimable(now).order_by("due_at")
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True)
    ids = list(candidates.values_list("pk", flat=True)[:limit])
    if not ids:
        return Batch()
    claimed = (
        _claimable(now).filter(pk__in=ids).update(claimed_until=lease, attempts=F("attempts") + 1)
    )
    if claimed != len(ids):
        # Cannot happen under the locks above; if it does, trust the rows.
        ours = Reminder.objects.filter(pk__in=ids, claimed_until=lease)
        ids = list(ours.values_list("pk", flat=True))
    return Batch(tuple(str(pk) for pk in ids), lease.isoformat())


# --- the message --------------------------------------------------------------------------


def confirm_token(appointment: Appointment) -> str:
    """A signed, expiring token for the no-login confirm page. It carries the
    visit's version: confirming, cancelling or moving the visit bumps the
    version, so each link works once."""
    return signing.dumps({"a": str(appointment.pk), "v": appointment.version}, salt=CONFIRM_SALT)


class LinkInvalid(Exception):
    """The patient's link is forged, expired, used, or the visit changed."""


def appointment_for_link(token: str) -> Appointment:
    """The visit a reminder link is for, if the link may still be used."""
    max_age = setting("REMINDER_LINK_MAX_AGE", 14 * 24 * 3600)
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkInvalid("This link has expired.") from None
    except signing.BadSignature:
        raise LinkInvalid("This link is not valid.") from None
    appointment = (
        Appointment.objects.select_related("patient", "therapist", "room__location")
        .filter(pk=data["a"])
        .first()
    )
    if appointment is None or appointment.version != data["v"]:
        raise LinkInvalid("This link has already been used, or the visit changed since.")
    if appointment.status != AppointmentStatus.BOOKED or appointment.start <= timezone.now():
        raise LinkInvalid("This visit can no longer be changed here; please call us.")
    return appointment


def confirm_url(appointment: Appointment) -> str:
    path = reverse("confirm:visit", args=[confirm_token(appointment)])
    return settings.SITE_URL.rstrip("/") + path


def clinic_context() -> dict:
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_address": settings.CLINIC_ADDRESS,
        "clinic_phone": settings.CLINIC_PHONE,
    }


def on_clock(moment: datetime, zone) -> datetime:
    """`moment` on `zone`'s clock, and kept there by the templates' date filters,
    which would otherwise show it on the active time zone's (the clinic's)."""
    return do_timezone(moment, zone)


def message_context_for(appointment: Appointment) -> dict:
    """What a patient reads about a visit: the time on the clock of the visit's
    location (its room's), and that location's address; the clinic's own clock
    and address for a visit in no room. The caller loads `room__location`."""
    location = appointment.room.location if appointment.room_id else None
    zone = location.zone if location else clinic_zone()
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "therapist": appointment.therapist,
        "start": on_clock(appointment.start, zone),
        "end": on_clock(appointment.end, zone),
        **clinic_context(),
    }
    if location:
        context["clinic_address"] = location.where
    return context


# Sent while a reminder's message is composed, with the context to add to: the
# patient's side (portal, a layer above) puts its sign-in link there.
message_composing = Signal()  # kwargs: reminder, context (a dict to update)


def message_context(reminder: Reminder) -> dict:
    appointment = reminder.appointment
    context = {**message_context_for(appointment), "link": confirm_url(appointment)}
    message_composing.send(sender=Reminder, reminder=reminder, context=context)
    return context


def send(reminder: Reminder, *, mail_connection=None, sms=None) -> str:
    """Render and send one reminder; returns the provider's id of the message
    ("" when the backend gives none), which its delivery reports name.
    `mail_connection` and `sms` (a backend): kept for a whole batch; None opens
    one for this message. Writes nothing: the batch records the outcome."""
    context = message_context(reminder)
    patient = reminder.appointment.patient
    if reminder.channel == ReminderChannel.SMS:
        text = render_to_string("reminders/sms.txt", context).strip()
        backend = sms or sms_backend()
        return _provider_id(backend.send(to=patient.phone, text=text, reference=str(reminder.pk)))
    subject = render_to_string("reminders/email_subject.txt", context).strip()
    body = render_to_string("reminders/email_body.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=[patient.email],
        headers={"X-Clinic-Reminder": str(reminder.pk)},
        connection=mail_connection,
    )
    message.attach_alternative(render_to_string("reminders/email_body.html", context), "text/html")
    message.send(fail_silently=False)
    status = getattr(message, "anymail_status", None)  # set by an anymail backend
    return _provider_id(status.message_id if status else None)


def _provider_id(value) -> str:
    return str(value)[:100] if value is not None else ""


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
