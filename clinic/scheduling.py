"""Booking, moving, cancelling and checking in visits.

The rules of the prescription (a plan's planned visits, a referral's visits
and validity) are read through the plan's relations, so this core module does
not import the referrals app. Every write takes the booking lock first:
on PostgreSQL the exclusion constraint is the last word on overlaps; on SQLite
the IMMEDIATE transaction serialises writers, so check-then-insert is safe."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .audit import record
from .errors import Conflict, Invalid, InvalidTransition
from .models import Appointment, AppointmentStatus, Patient, User
from .vocabulary import Role

# PostgreSQL error codes that mean "someone else got the slot first".
EXCLUSION_VIOLATION = "23P01"
DEADLOCK_DETECTED = "40P01"


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def find_conflicts(*, therapist, patient, slots: list[Slot], exclude_ids=()) -> list[dict]:
    """Every live appointment that overlaps one of `slots`, for the therapist or
    the patient, in one query: `[{"appointment", "start", "end", "with", "occurrence"}]`."""
    if not slots:
        return []
    window = Q()
    for slot in slots:
        window |= Q(start__lt=slot.end, end__gt=slot.start)
    clashing = (
        Appointment.objects.live()
        .filter(Q(therapist=therapist) | Q(patient=patient))
        .filter(window)
        .exclude(pk__in=list(exclude_ids))
        .only("id", "start", "end", "therapist_id", "patient_id")
    )
    conflicts = []
    for appointment in clashing:
        for slot in slots:
            if appointment.start < slot.end and appointment.end > slot.start:
                conflicts.append(
                    {
                        "appointment": str(appointment.pk),
                        "start": appointment.start,
                        "end": appointment.end,
                        "with": "therapist"
                        if appointment.therapist_id == therapist.pk
                        else "patient",
                        "occurrence": slot.start,
                    }
                )
    return conflicts


def check_prescription(*, plan, slots: list[Slot], exclude_ids=()) -> None:
    """A plan's visits never exceed its planned visits nor its referral's
    prescription and validity; cancelled visits give their slot back."""
    if plan is None:
        return
    referral = plan.referral
    if plan.status != "approved":
        raise Invalid.field(
            "plan", f"The plan is {plan.status}; only an approved plan can be booked."
        )
    if referral.status != "signed":
        raise Invalid.field(
            "plan", f"The referral is {referral.status}; visits need a signed referral."
        )
    last_day = max(timezone.localtime(s.start).date() for s in slots)
    if last_day > referral.valid_until:
        raise Invalid.field(
            "start",
            f"The referral is valid until {referral.valid_until:%b %d, %Y}; "
            f"a visit on {last_day:%b %d, %Y} is past it.",
        )
    counted = Appointment.objects.counted().exclude(pk__in=list(exclude_ids))
    plan_used = counted.filter(plan=plan).count()
    if plan_used + len(slots) > plan.planned_visits:
        left = max(plan.planned_visits - plan_used, 0)
        raise Invalid.field(
            "plan",
            f"The plan has {plan.planned_visits} visits and {plan_used} are booked or done; "
            f"{left} left, {len(slots)} asked.",
        )
    referral_used = counted.filter(plan__referral=referral).count()
    if referral_used + len(slots) > referral.visits_prescribed:
        left = max(referral.visits_prescribed - referral_used, 0)
        raise Invalid.field(
            "plan",
            f"The referral prescribes {referral.visits_prescribed} visits and {referral_used} are "
            f"booked or done; {left} left, {len(slots)} asked.",
        )


def check_not_on_earlier_day(slots: list[Slot]) -> None:
    today = timezone.localdate()
    for slot in slots:
        if slot.end <= slot.start:
            raise Invalid.field("end", "The visit must end after it starts.")
        if timezone.localtime(slot.start).date() < today:
            raise Invalid.field("start", "A visit cannot be booked on a day already past.")


def raise_on_conflicts(conflicts: list[dict]) -> None:
    if conflicts:
        raise Conflict("The time clashes with another live appointment.", conflicts=conflicts)


def is_overlap_violation(error: Exception) -> bool:
    code = getattr(getattr(error, "__cause__", None), "pgcode", None)
    return code in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED)


def _lock_booking(therapist: User, patient: Patient) -> None:
    """Serialise bookings that touch the same therapist or patient (PostgreSQL;
    a no-op on SQLite, whose IMMEDIATE transactions already serialise writers).
    Locks are taken in pk order so two bookings never deadlock on each other."""
    User.objects.select_for_update().filter(pk=therapist.pk).order_by("pk").exists()
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))


@transaction.atomic
def book_appointment(
    *, patient: Patient, therapist: User, start: datetime, end: datetime, plan=None, by: User
) -> Appointment:
    if therapist.role != Role.THERAPIST:
        raise Invalid.field("therapist", "Appointments are booked with a therapist.")
    if plan is not None and plan.patient_id != patient.pk:
        raise Invalid.field("plan", "The plan belongs to another patient.")
    slot = Slot(start, end)
    check_not_on_earlier_day([slot])
    _lock_booking(therapist, patient)
    check_prescription(plan=plan, slots=[slot])
    raise_on_conflicts(find_conflicts(therapist=therapist, patient=patient, slots=[slot]))
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                patient=patient, therapist=therapist, plan=plan, start=start, end=end, created_by=by
            )
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise Conflict("The time was just taken by another booking.", conflicts=[]) from error
        raise
    record(actor=by, action="appointment.book", target=appointment, patient=patient)
    return appointment


@transaction.atomic
def move_appointment(*, appointment: Appointment, start: datetime, end: datetime, by: User):
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} visit cannot be moved."
        )
    slot = Slot(start, end)
    check_not_on_earlier_day([slot])
    if appointment.plan_id:
        check_prescription(plan=appointment.plan, slots=[slot], exclude_ids=[appointment.pk])
    raise_on_conflicts(
        find_conflicts(
            therapist=appointment.therapist,
            patient=appointment.patient,
            slots=[slot],
            exclude_ids=[appointment.pk],
        )
    )
    appointment.start, appointment.end = start, end
    appointment.version = F("version") + 1
    try:
        with transaction.atomic():
            appointment.save(update_fields=["start", "end", "version", "updated_at"])
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise Conflict("The time was just taken by another booking.", conflicts=[]) from error
        raise
    record(actor=by, action="appointment.move", target=appointment, patient=appointment.patient)
    appointment.refresh_from_db()
    return appointment


def _set_status(appointment, *, by, allowed_from, to, action, **changes):
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in allowed_from:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} visit cannot be {action.split('.')[-1]}."
        )
    appointment.status = to
    appointment.status_changed_at = timezone.now()
    for field, value in changes.items():
        setattr(appointment, field, value)
    appointment.version = F("version") + 1
    appointment.save()
    record(actor=by, action=action, target=appointment, patient=appointment.patient)
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def cancel_appointment(*, appointment: Appointment, by: User, reason: str = "") -> Appointment:
    return _set_status(
        appointment,
        by=by,
        allowed_from=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
        to=AppointmentStatus.CANCELLED,
        action="appointment.cancelled",
        cancel_reason=(reason or "")[:500],
    )


@transaction.atomic
def check_in(*, appointment: Appointment, by: User) -> Appointment:
    return _set_status(
        appointment,
        by=by,
        allowed_from=[AppointmentStatus.BOOKED],
        to=AppointmentStatus.CHECKED_IN,
        action="appointment.checked_in",
    )


@transaction.atomic
def mark_no_show(*, appointment: Appointment, by: User) -> Appointment:
    return _set_status(
        appointment,
        by=by,
        allowed_from=[AppointmentStatus.BOOKED],
        to=AppointmentStatus.NO_SHOW,
        action="appointment.no_show",
    )


def complete_for_note(appointment: Appointment) -> None:
    """Logging a session completes its visit (called inside the note's transaction)."""
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.COMPLETED,
        status_changed_at=timezone.now(),
        version=F("version") + 1,
    )
