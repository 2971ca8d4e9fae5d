"""Booking, moving, cancelling and checking in visits; recurring series
(`book_series`, `preview_series`, `cancel_series`); therapists' working hours
and time off; the patient's answer to a reminder link. Each change keeps the
visit's reminders right (scheduling.reminders).

The rules of the prescription (a plan's planned visits, a referral's visits
and validity) are the referrals app's words (PlanStatus, ReferralStatus, visits
used), below this layer. Every write takes the booking lock first:
on PostgreSQL the exclusion constraint is the last word on overlaps; on SQLite
the IMMEDIATE transaction serialises writers, so check-then-insert is safe."""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record, record_many
from clinic.errors import Conflict, Invalid, InvalidTransition
from clinic.models import Patient, User
from clinic.vocabulary import Role
from referrals.models import PlanStatus, ReferralStatus, TreatmentPlan

from . import reminders
from .access import APPOINTMENT, SERIES
from .availability import (
    Slot,
    check_availability,
    check_not_on_earlier_day,
    find_conflicts,
    is_overlap_violation,
    raise_on_conflicts,
)
from .models import (
    Appointment,
    AppointmentSeries,
    AppointmentStatus,
    Closure,
)
from .recurrence import expand, local_day_start


def check_prescription(*, plan, slots: list[Slot], exclude_ids=()) -> None:
    """A plan's visits never exceed its planned visits nor its referral's
    prescription and validity; cancelled visits give their slot back."""
    if plan is None:
        return
    referral = plan.referral
    if plan.status != PlanStatus.APPROVED:
        raise Invalid.field(
            "plan", f"The plan is {plan.status}; only an approved plan can be booked."
        )
    if referral.status != ReferralStatus.SIGNED:
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
    certified_until = getattr(plan, "certified_until", None)  # null: not limited
    if certified_until and last_day > certified_until:
        raise Invalid.field(
            "start",
            f"The plan is certified until {certified_until:%b %d, %Y}; "
            f"a visit on {last_day:%b %d, %Y} needs the doctor to recertify it.",
        )
    # Both counts in one query: a series is checked once, however long it is.
    used = (
        TreatmentPlan.objects.with_visits_used(excluding=exclude_ids)
        .values("visits_used_count", "referral_visits_used")
        .get(pk=plan.pk)
    )
    plan_used = used["visits_used_count"]
    if plan_used + len(slots) > plan.planned_visits:
        left = max(plan.planned_visits - plan_used, 0)
        raise Invalid.field(
            "plan",
            f"The plan has {plan.planned_visits} visits and {plan_used} are booked or done; "
            f"{left} left, {len(slots)} asked.",
        )
    referral_used = used["referral_visits_used"]
    if referral_used + len(slots) > referral.visits_prescribed:
        left = max(referral.visits_prescribed - referral_used, 0)
        raise Invalid.field(
            "plan",
            f"The referral prescribes {referral.visits_prescribed} visits and {referral_used} are "
            f"booked or done; {left} left, {len(slots)} asked.",
        )


# Rules of the apps above this one that a booking must pass too (billing: a
# payer's authorization). Each is called as `rule(patient=, slots=,
# exclude_ids=)` and raises Invalid naming its field; the apps register them in
# their AppConfig.ready(), so this module never imports them. Kept to what
# cannot be checked elsewhere: the booking's own transaction and lock.
BOOKING_RULES: list = []
# What those rules need to know of the patient, as expressions loaded with the
# patient's row (name -> e.g. an Exists), so a rule that does not apply to the
# patient costs no query of its own.
PATIENT_FACTS: dict = {}


def patients_for_booking():
    return Patient.objects.annotate(**PATIENT_FACTS)


def check_booking_rules(*, patient, slots: list[Slot], exclude_ids=()) -> None:
    for rule in BOOKING_RULES:
        rule(patient=patient, slots=slots, exclude_ids=exclude_ids)


def lock_booking(*, therapist: User, patient_id) -> Patient:
    """The booking lock, the one every booking, move and series takes: bookings
    touching the same therapist or patient wait for each other (PostgreSQL row
    locks, therapist first, then patient, so two never deadlock; on SQLite the
    IMMEDIATE transaction already serialises writers). Returns the patient,
    loaded by the lock's own query (the reminders need it)."""
    User.objects.select_for_update().filter(pk=therapist.pk).exists()
    return patients_for_booking().select_for_update().get(pk=patient_id)


@transaction.atomic
def book_appointment(
    *, patient: Patient, therapist: User, start: datetime, end: datetime, plan=None, by: User
) -> Appointment:
    APPOINTMENT.check(by, "create")
    if therapist.role != Role.THERAPIST:
        raise Invalid.field("therapist", "Appointments are booked with a therapist.")
    if plan is not None and plan.patient_id != patient.pk:
        raise Invalid.field("plan", "The plan belongs to another patient.")
    slot = Slot(start, end)
    check_not_on_earlier_day([slot])
    locked = lock_booking(therapist=therapist, patient_id=patient.pk)
    check_prescription(plan=plan, slots=[slot])
    check_booking_rules(patient=locked, slots=[slot])
    check_availability(therapist=therapist, slots=[slot])
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
    reminders.create_for([appointment])
    record(actor=by, action="appointment.book", target=appointment, patient=patient)
    return appointment


@transaction.atomic
def move_appointment(*, appointment: Appointment, start: datetime, end: datetime, by: User):
    APPOINTMENT.check(by, "update")
    # the same lock as a booking: a move and a booking into the same slot wait in turn
    patient = lock_booking(therapist=appointment.therapist, patient_id=appointment.patient_id)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} visit cannot be moved."
        )
    slot = Slot(start, end)
    check_not_on_earlier_day([slot])
    if appointment.plan_id:
        check_prescription(plan=appointment.plan, slots=[slot], exclude_ids=[appointment.pk])
    check_booking_rules(patient=patient, slots=[slot], exclude_ids=[appointment.pk])
    check_availability(therapist=appointment.therapist, slots=[slot])
    raise_on_conflicts(
        find_conflicts(
            therapist=appointment.therapist,
            patient=appointment.patient,
            slots=[slot],
            exclude_ids=[appointment.pk],
        )
    )
    appointment.start, appointment.end = start, end
    appointment.confirmed_at = None  # the patient confirmed the old time, not this one
    appointment.version = F("version") + 1
    try:
        with transaction.atomic():
            appointment.save(
                update_fields=["start", "end", "confirmed_at", "version", "updated_at"]
            )
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise Conflict("The time was just taken by another booking.", conflicts=[]) from error
        raise
    record(actor=by, action="appointment.move", target=appointment, patient=appointment.patient)
    appointment.refresh_from_db()
    reminders.reschedule(appointment)
    return appointment


# --- working hours and time off ------------------------------------------------------


# --- recurring series ------------------------------------------------------------------


@dataclass
class SeriesBooking:
    series: AppointmentSeries
    appointments: list[Appointment]
    skipped: list[date]  # occurrences that fell on a clinic closure


@dataclass
class SeriesPreview:
    occurrences: list[Slot]
    conflicts: list[dict]
    skipped: list[date]
    problems: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # Invalid's shape

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.problems


def _series_slots(*, first_start, duration_minutes, rrule) -> tuple[list[Slot], list[date]]:
    """The occurrences of the rule, minus the days the clinic is closed."""
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 480:
        raise Invalid.field("duration_minutes", "A visit lasts from 5 to 480 minutes.")
    starts = expand(rrule, first_start)
    closed = set(
        Closure.objects.filter(date__in={timezone.localtime(s).date() for s in starts}).values_list(
            "date", flat=True
        )
    )
    length = timedelta(minutes=duration_minutes)
    slots = [Slot(s, s + length) for s in starts if timezone.localtime(s).date() not in closed]
    skipped = sorted({timezone.localtime(s).date() for s in starts} & closed)
    if not slots:
        raise Invalid.field("rrule", "Every visit of the rule falls on a day the clinic is closed.")
    return slots, skipped


def _check_series_parties(*, plan, therapist) -> None:
    if plan is None:
        raise Invalid.field("plan", "A series is booked under a treatment plan.")
    if getattr(therapist, "role", None) != Role.THERAPIST:
        raise Invalid.field("therapist", "Appointments are booked with a therapist.")


def preview_series(*, plan, therapist, first_start, duration_minutes, rrule) -> SeriesPreview:
    """What `book_series` would do, without writing anything: the occurrences,
    the clashes and every problem at once, for the front desk's live preview."""
    preview = SeriesPreview(occurrences=[], conflicts=[], skipped=[])
    try:
        _check_series_parties(plan=plan, therapist=therapist)
        preview.occurrences, preview.skipped = _series_slots(
            first_start=first_start, duration_minutes=duration_minutes, rrule=rrule
        )
    except Invalid as error:
        preview.problems = error.errors
        return preview
    patient = patients_for_booking().get(pk=plan.patient_id)
    for check in (
        lambda: check_not_on_earlier_day(preview.occurrences),
        lambda: check_prescription(plan=plan, slots=preview.occurrences),
        lambda: check_booking_rules(patient=patient, slots=preview.occurrences),
        lambda: check_availability(therapist=therapist, slots=preview.occurrences),
    ):
        try:
            check()
        except Invalid as error:
            for name, messages in error.errors.items():
                preview.problems.setdefault(name, []).extend(messages)
    preview.conflicts = find_conflicts(
        therapist=therapist, patient=patient, slots=preview.occurrences
    )
    return preview


@transaction.atomic
def book_series(
    *, plan, therapist: User, first_start: datetime, duration_minutes: int, rrule: str, by: User
) -> SeriesBooking:
    """Book every occurrence of `rrule` or none: the prescription, working hours
    and clashes are checked for the whole set at once, then one INSERT. The
    number of queries does not grow with the number of visits."""
    SERIES.check(by, "create")
    _check_series_parties(plan=plan, therapist=therapist)
    slots, skipped = _series_slots(
        first_start=first_start, duration_minutes=duration_minutes, rrule=rrule
    )
    check_not_on_earlier_day(slots)
    patient = lock_booking(therapist=therapist, patient_id=plan.patient_id)
    check_prescription(plan=plan, slots=slots)
    check_booking_rules(patient=patient, slots=slots)
    check_availability(therapist=therapist, slots=slots)
    raise_on_conflicts(find_conflicts(therapist=therapist, patient=patient, slots=slots))
    series = AppointmentSeries(
        plan=plan,
        patient=patient,
        therapist=therapist,
        rrule=rrule.strip(),
        first_start=first_start,
        duration_minutes=duration_minutes,
        created_by=by,
    )
    appointments = [
        Appointment(
            patient=patient,
            therapist=therapist,
            plan=plan,
            series=series,
            start=slot.start,
            end=slot.end,
            created_by=by,
        )
        for slot in slots
    ]
    # No inner savepoint: on a clash the whole booking is rolled back anyway.
    try:
        series.save(force_insert=True)
        Appointment.objects.bulk_create(appointments)
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise Conflict("The time was just taken by another booking.", conflicts=[]) from error
        raise
    reminders.create_for(appointments)
    record_many(
        actor=by, action="appointment.book", targets=appointments, patient_of=lambda a: patient.pk
    )
    return SeriesBooking(series=series, appointments=appointments, skipped=skipped)


def skipped_dates(series: AppointmentSeries) -> list[date]:
    """The days of a series' rule left out because the clinic was closed (for
    showing a series after it was booked; `book_series` reports them too)."""
    days = {timezone.localtime(s).date() for s in expand(series.rrule, series.first_start)}
    booked = {
        timezone.localtime(s).date() for s in series.appointments.values_list("start", flat=True)
    }
    closed = Closure.objects.filter(date__in=days - booked).values_list("date", flat=True)
    return sorted(closed)


@transaction.atomic
def cancel_series(*, series: AppointmentSeries, from_date: date, reason: str, by: User):
    """Cancel the booked visits of a series from `from_date` (clinic time) on;
    their slots go back to the prescription and their reminders are skipped."""
    SERIES.check(by, "cancel")
    series = AppointmentSeries.objects.select_for_update().get(pk=series.pk)
    cancelled = list(
        Appointment.objects.select_for_update()
        .filter(series=series, status=AppointmentStatus.BOOKED)
        .filter(start__gte=local_day_start(from_date))
        .order_by("start")
    )
    now, reason = timezone.now(), (reason or "")[:500]
    ids = [a.pk for a in cancelled]
    Appointment.objects.filter(pk__in=ids).update(
        status=AppointmentStatus.CANCELLED,
        status_changed_at=now,
        cancel_reason=reason,
        version=F("version") + 1,
    )
    reminders.skip_for(ids, reason="The visit was cancelled.")
    if series.cancelled_from is None or from_date < series.cancelled_from:
        series.cancelled_from = from_date
        series.save(update_fields=["cancelled_from", "updated_at"])
    record(
        actor=by,
        action="series.cancelled",
        target=series,
        patient=series.patient,
        detail=f"from {from_date.isoformat()}: {len(ids)} visits; {reason}",
    )
    return list(Appointment.objects.filter(pk__in=ids).order_by("start"))


# --- the patient's answer to a reminder ------------------------------------------------
