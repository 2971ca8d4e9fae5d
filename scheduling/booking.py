"""Booking, moving, cancelling and checking in visits; recurring series
(`book_series`, `preview_series`, `cancel_series`); therapists' working hours
and time off; the patient's answer to a reminder link. Each change keeps the
visit's reminders right (scheduling.reminders).

The rules of the prescription (a plan's planned visits, a referral's visits
and validity) are the referrals app's words (PlanStatus, ReferralStatus, visits
used), below this layer. Every write takes the booking lock first:
on PostgreSQL the exclusion constraint is the last word on overlaps; on SQLite
the IMMEDIATE transaction serialises writers, so check-then-insert is safe."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition
from clinic.models import Patient, User
from clinic.vocabulary import Role
from referrals.models import PlanStatus, Referral, ReferralStatus, TreatmentPlan

from . import reminders
from .access import APPOINTMENT
from .availability import (
    Slot,
    check_availability,
    check_free,
    check_not_on_earlier_day,
    is_overlap_violation,
    taken,
)
from .models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Room,
)

KEEP = object()  # a move that does not name a room keeps the visit's


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


def _check_evaluation_parties(*, kind, plan, referral, patient) -> None:
    if kind not in AppointmentKind.values:
        raise Invalid.field("kind", "Choose evaluation or treatment.")
    if kind == AppointmentKind.TREATMENT:
        if referral is not None:
            raise Invalid.field("referral", "A treatment is booked under its plan.")
        return
    if referral is None:
        raise Invalid.field("referral", "An evaluation is booked on a signed referral.")
    if plan is not None:
        raise Invalid.field("plan", "An evaluation is booked on the referral, without a plan.")
    if referral.patient_id != patient.pk:
        raise Invalid.field("referral", "The referral is another patient's.")


def check_referral(*, referral, slots: list[Slot], exclude_ids=()) -> None:
    """An evaluation visit: the referral is signed, valid on the day, and has a
    visit left of those it prescribes (its plans' visits and evaluations)."""
    if referral.status != ReferralStatus.SIGNED:
        raise Invalid.field(
            "referral", f"The referral is {referral.status}; visits need a signed referral."
        )
    last_day = max(timezone.localtime(s.start).date() for s in slots)
    if last_day > referral.valid_until:
        raise Invalid.field(
            "start",
            f"The referral is valid until {referral.valid_until:%b %d, %Y}; "
            f"a visit on {last_day:%b %d, %Y} is past it.",
        )
    used = Referral.objects.with_visits_used().values_list("visits_used_count", flat=True)
    used = used.get(pk=referral.pk)
    if used + len(slots) > referral.visits_prescribed:
        raise Invalid.field(
            "referral",
            f"The referral prescribes {referral.visits_prescribed} visits and {used} are "
            "booked or done; none is left for an evaluation.",
        )


def lock_booking(*, therapist: User, patient_id, also: User | None = None) -> Patient:
    """The booking lock, the one every booking, move and series takes: bookings
    touching the same therapist or patient wait for each other (PostgreSQL row
    locks, therapists first in id order, then the patient, so two never deadlock;
    on SQLite the IMMEDIATE transaction already serialises writers). `also` is a
    second therapist (a visit moved from one therapist to another). Returns the
    patient, loaded by the lock's own query with the facts the booking rules need.
    A visit in a room then takes `lock_room`, always after this lock."""
    ids = sorted({therapist.pk, also.pk if also else therapist.pk})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    return patients_for_booking().select_for_update().get(pk=patient_id)


def lock_room(room: Room | None) -> None:
    """The room's part of the booking lock (taken after `lock_booking`, so the
    order is therapists, patient, room and two bookings never deadlock): two
    bookings into one room wait for each other."""
    if room is not None:
        list(Room.objects.select_for_update().filter(pk=room.pk).values_list("pk"))


@transaction.atomic
def book_appointment(
    *,
    patient: Patient,
    therapist: User,
    start: datetime,
    end: datetime,
    plan=None,
    by: User,
    kind: str = AppointmentKind.TREATMENT,
    referral=None,
    room: Room | None = None,
) -> Appointment:
    """One visit: a treatment under a plan, or an evaluation on a signed
    referral alone (before any plan; it counts against the referral's visits),
    in a room if it names one."""
    APPOINTMENT.check(by, "create")
    return book_slot(
        patient=patient, therapist=therapist, start=start, end=end, plan=plan, by=by, kind=kind,
        referral=referral, room=room,
    )  # fmt: skip


def book_slot(
    *,
    patient: Patient,
    therapist: User,
    start: datetime,
    end: datetime,
    plan=None,
    by: User | None,
    kind: str = AppointmentKind.TREATMENT,
    referral=None,
    room: Room | None = None,
) -> Appointment:
    """Every rule of a booking, whoever books: the front desk
    (`book_appointment`) or a patient taking a waitlist offer (no user; the
    offer's link is the permission). Called inside a transaction."""
    if therapist.role != Role.THERAPIST:
        raise Invalid.field("therapist", "Appointments are booked with a therapist.")
    if plan is not None and plan.patient_id != patient.pk:
        raise Invalid.field("plan", "The plan belongs to another patient.")
    _check_evaluation_parties(kind=kind, plan=plan, referral=referral, patient=patient)
    slot = Slot(start, end)
    check_not_on_earlier_day([slot])
    locked = lock_booking(therapist=therapist, patient_id=patient.pk)
    lock_room(room)
    check_prescription(plan=plan, slots=[slot])
    check_booking_rules(patient=locked, slots=[slot])
    if kind == AppointmentKind.EVALUATION:
        check_referral(referral=referral, slots=[slot])
    location = room.location if room is not None else None
    check_availability(therapist=therapist, slots=[slot], location=location)
    check_free(therapist=therapist, patient=patient, slots=[slot], room=room)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                patient=patient, therapist=therapist, plan=plan, start=start, end=end,
                created_by=by, kind=kind, referral=referral, room=room,
            )  # fmt: skip
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise taken(error) from error
        raise
    reminders.create_for([appointment])
    record(actor=by, action="appointment.book", target=appointment, patient=patient)
    return appointment


@transaction.atomic
def move_appointment(
    *, appointment: Appointment, start: datetime, end: datetime, by: User, therapist=None,
    room=KEEP,
):  # fmt: skip
    """Move a booked visit to another time, length, therapist or room (the
    calendar's drag, resize and the visit page; `room=None` leaves no room):
    every rule of a new booking is checked for the new place, and nothing
    changes on refusal."""
    APPOINTMENT.check(by, "update")
    therapist = therapist or appointment.therapist
    if therapist.role != Role.THERAPIST:
        raise Invalid.field("therapist", "Appointments are booked with a therapist.")
    room = appointment.room if room is KEEP else room
    # the same lock as a booking: a move and a booking into the same slot wait in turn
    patient = lock_booking(
        therapist=appointment.therapist, patient_id=appointment.patient_id, also=therapist
    )
    lock_room(room)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise InvalidTransition(
            f"A {appointment.get_status_display().lower()} visit cannot be moved."
        )
    place = (start, end, therapist.pk, room.pk if room is not None else None)
    if place == (appointment.start, appointment.end, appointment.therapist_id, appointment.room_id):
        return appointment  # not a move: the version (ETag) stays (clinic.versions)
    slot = Slot(start, end)
    check_not_on_earlier_day([slot])
    if appointment.plan_id:
        check_prescription(plan=appointment.plan, slots=[slot], exclude_ids=[appointment.pk])
    check_booking_rules(patient=patient, slots=[slot], exclude_ids=[appointment.pk])
    location = room.location if room is not None else None
    check_availability(therapist=therapist, slots=[slot], location=location)
    check_free(
        therapist=therapist,
        patient=appointment.patient,
        slots=[slot],
        exclude_ids=[appointment.pk],
        room=room,
    )
    appointment.start, appointment.end, appointment.therapist = start, end, therapist
    appointment.room = room
    appointment.confirmed_at = None  # the patient confirmed the old time, not this one
    appointment.version = F("version") + 1
    fields = ["start", "end", "therapist", "room", "confirmed_at", "version", "updated_at"]
    try:
        with transaction.atomic():
            appointment.save(update_fields=fields)
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise taken(error) from error
        raise
    record(actor=by, action="appointment.move", target=appointment, patient=appointment.patient)
    appointment.refresh_from_db()
    reminders.reschedule(appointment)
    return appointment
