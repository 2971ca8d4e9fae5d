"""One visit's day: check-in, no-show, cancellation (by the desk, the patient's
reminder link or the end of therapy) and completion by the session note."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.audit import record
from clinic.errors import InvalidTransition, NotAllowed
from clinic.models import User
from clinic.vocabulary import Role

from . import reminders, waitlist
from .access import APPOINTMENT
from .availability import Slot, check_free
from .booking import check_prescription, lock_booking, lock_room
from .models import (
    Appointment,
    AppointmentStatus,
)


def _check_own_visit(appointment: Appointment, by: User, verb: str) -> None:
    """The front desk acts on every visit; a therapist only on the visits they give."""
    APPOINTMENT.check(by, verb)
    if by.role == Role.THERAPIST and appointment.therapist_id != by.pk:
        raise NotAllowed("This visit is another therapist's.")


def _set_status(appointment, *, by, allowed_from, to, action, clock=None, **changes):
    """`clock(appointment)` is the rule of time for the step (check-in on the
    visit's day, no-show after its start), asked of the locked row."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in allowed_from:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} visit cannot be {action.split('.')[-1]}."
        )
    if clock is not None:
        clock(appointment)
    appointment.status = to
    appointment.status_changed_at = timezone.now()
    for field, value in changes.items():
        setattr(appointment, field, value)
    appointment.version = F("version") + 1
    appointment.save()
    # Nothing is sent for a visit cancelled, checked in or missed.
    reminders.skip_for([appointment.pk], reason=f"The visit is {to.label.lower()}.")
    record(actor=by, action=action, target=appointment, patient=appointment.patient)
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def cancel_appointment(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    APPOINTMENT.check(by, "cancel")
    return release_visit(appointment=appointment, by=by, reason=reason)


def release_visit(*, appointment: Appointment, by: User | None, reason: str) -> Appointment:
    """Cancel a visit as part of another decision: the patient's answer to a
    reminder, or the doctor ending therapy. The front desk's own cancelling is
    `cancel_appointment`. Every cancellation of one visit passes here, so its
    slot is offered to the waitlist."""
    cancelled = _set_status(
        appointment,
        by=by,
        allowed_from=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
        to=AppointmentStatus.CANCELLED,
        action="appointment.cancelled",
        cancel_reason=(reason or "")[:500],
    )
    # the freed slot goes to the waitlist (API.md: offers on cancellation)
    waitlist.offer_freed_slots([cancelled])
    return cancelled


@transaction.atomic
def check_in(*, appointment: Appointment, by: User) -> Appointment:
    _check_own_visit(appointment, by, "check_in")
    return _set_status(
        appointment,
        by=by,
        allowed_from=[AppointmentStatus.BOOKED],
        to=AppointmentStatus.CHECKED_IN,
        action="appointment.checked_in",
        clock=_on_its_day,
    )


def _on_its_day(appointment: Appointment) -> None:
    """A visit is checked in on its own clinic day: checking in next week's
    visit today would silently drop its reminders."""
    day = timezone.localtime(appointment.start).date()
    if day != timezone.localdate():
        raise InvalidTransition(f"A visit is checked in on its own day ({day:%a %b %d, %Y}).")


def _started(appointment: Appointment) -> None:
    if appointment.start > timezone.now():
        start = timezone.localtime(appointment.start)
        raise InvalidTransition(
            f"A visit is marked a no-show only after it starts ({start:%a %b %d, %Y at %H:%M})."
        )


@transaction.atomic
def mark_no_show(*, appointment: Appointment, by: User) -> Appointment:
    _check_own_visit(appointment, by, "no_show")
    return _set_status(
        appointment,
        by=by,
        allowed_from=[AppointmentStatus.BOOKED],
        to=AppointmentStatus.NO_SHOW,
        action="appointment.no_show",
        clock=_started,
    )


REVERTIBLE = (AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED)
REVERT_WITHIN = timedelta(hours=24)


@transaction.atomic
def revert_status(*, appointment: Appointment, by: User) -> Appointment:
    """Undo a check-in, no-show or cancellation made in the last 24 hours (a
    slip of the front desk): the visit is booked again if its slot is still
    free and the prescription still has room, and its reminders are replanned."""
    APPOINTMENT.check(by, "revert")
    lock_booking(therapist=appointment.therapist, patient_id=appointment.patient_id)
    lock_room(appointment.room)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    changed = appointment.status_changed_at
    if appointment.status not in REVERTIBLE or not changed:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} visit has nothing to undo."
        )
    if changed < timezone.now() - REVERT_WITHIN:
        raise InvalidTransition("Only a change made in the last 24 hours can be undone.")
    slot = Slot(appointment.start, appointment.end)
    check_free(
        therapist=appointment.therapist,
        patient=appointment.patient,
        slots=[slot],
        exclude_ids=[appointment.pk],
        room=appointment.room,
    )
    if appointment.status == AppointmentStatus.CANCELLED and appointment.plan_id:
        check_prescription(plan=appointment.plan, slots=[slot], exclude_ids=[appointment.pk])
    was = appointment.get_status_display().lower()
    appointment.status = AppointmentStatus.BOOKED
    appointment.status_changed_at = timezone.now()
    appointment.cancel_reason = ""
    appointment.version = F("version") + 1
    appointment.save()
    appointment.refresh_from_db()
    reminders.reschedule(appointment)
    waitlist.withdraw_offers(appointment)  # the slot is the patient's again
    record(
        actor=by, action="appointment.reverted", target=appointment, patient=appointment.patient,
        detail=f"was {was}",
    )  # fmt: skip
    return appointment


def complete_for_note(appointment: Appointment) -> None:
    """Logging a session completes its visit (called inside the note's transaction)."""
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.COMPLETED,
        status_changed_at=timezone.now(),
        version=F("version") + 1,
    )


@transaction.atomic
def answer_reminder_link(*, token: str, answer: str) -> Appointment:
    """The patient confirms or cancels through the signed link of a reminder
    (no login). The link carries the visit's version and the answer bumps it,
    so a link works once; raises reminders.LinkInvalid otherwise."""
    if answer not in ("confirm", "cancel"):
        raise reminders.LinkInvalid("Choose confirm or cancel.")
    appointment = reminders.appointment_for_link(token)
    changes = {"confirmed_at": timezone.now()} if answer == "confirm" else {}
    # Conditional on the version read: a second click racing the first gets 0 rows.
    taken = Appointment.objects.filter(
        pk=appointment.pk, version=appointment.version, status=AppointmentStatus.BOOKED
    ).update(version=F("version") + 1, **changes)
    if not taken:
        raise reminders.LinkInvalid("This link has already been used, or the visit changed since.")
    if answer == "cancel":
        return release_visit(
            appointment=appointment, by=None, reason="Cancelled by the patient (reminder link)."
        )
    reminders.after_confirming(appointment)
    record(
        actor=None,
        action="appointment.confirmed",
        target=appointment,
        patient=appointment.patient,
        detail="by the patient (reminder link)",
    )
    appointment.refresh_from_db()
    return appointment


# --- the patient's own answers, from the patient pages or the portal API --------------------


def cancel_deadline(appointment: Appointment):
    """Until when the patient may cancel themselves (API.md: LATE_CANCEL_HOURS)."""
    return appointment.start - timedelta(hours=settings.LATE_CANCEL_HOURS)


def patient_may_cancel(appointment: Appointment, *, now=None) -> bool:
    now = now or timezone.now()
    if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
        return False
    return settings.LATE_CANCEL_ALLOWED or now < cancel_deadline(appointment)


@transaction.atomic
def confirm_by_patient(*, appointment: Appointment, via: str) -> Appointment:
    """The patient says they will come. Conditional on the visit still being booked
    and ahead; confirming twice is harmless (the first time stands)."""
    now = timezone.now()
    taken = Appointment.objects.filter(
        pk=appointment.pk, status=AppointmentStatus.BOOKED, start__gt=now
    ).update(confirmed_at=Coalesce(F("confirmed_at"), Value(now)), version=F("version") + 1)
    if not taken:
        raise InvalidTransition("This visit can no longer be confirmed; please call us.")
    record(
        actor=None, action="appointment.confirmed", target=appointment,
        patient=appointment.patient, detail=f"by the patient ({via})",
    )  # fmt: skip
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def cancel_by_patient(*, appointment: Appointment, via: str) -> Appointment:
    """The patient cancels, within the clinic's policy: not later than
    LATE_CANCEL_HOURS before the visit unless LATE_CANCEL_ALLOWED (else a 409)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not patient_may_cancel(appointment):
        raise InvalidTransition(
            f"Visits can be cancelled here up to {settings.LATE_CANCEL_HOURS} hours before; "
            "please call us.",
            cancel_until=cancel_deadline(appointment),
        )
    return release_visit(
        appointment=appointment, by=None, reason=f"Cancelled by the patient ({via})."
    )
