"""Recurring series: book every occurrence of an RFC 5545 rule in the clinic's
zone (`book_series`), all or nothing, or (`on_conflict="skip"`) the free ones,
each skipped date answered with its reason and suggestions, and (`extend`)
made up after the last so the series reaches its count within the
prescription; the live preview; cancelling the rest of a series. The single
visit's rules (the prescription, the booking lock) are scheduling.booking's."""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record, record_many
from clinic.errors import Invalid
from clinic.models import User
from clinic.vocabulary import Role
from referrals.models import TreatmentPlan

from . import (
    booking,  # the module: tests watch its booking lock
    reminders,
    waitlist,
)
from .access import SERIES
from .availability import (
    Slot,
    add_suggestions,
    check_availability,
    check_free,
    check_not_on_earlier_day,
    find_conflicts,
    is_overlap_violation,
    taken,
    unavailable,
)
from .models import Appointment, AppointmentSeries, AppointmentStatus, Closure
from .recurrence import expand, further, local_day_start
from .series_words import booked_in_words, skipped_dates, visits  # noqa: F401 (callers' names)

ON_CONFLICT = ("refuse", "skip")
SKIP_REASONS = ("closure", "conflict", "unavailable")  # Skipped.reason
MAKE_UP_LOOKAHEAD = 40  # further occurrences tried to make up skipped ones


@dataclass
class Skipped:
    """An occurrence of the rule left out, and why: `closure` (the clinic is
    closed), `conflict` (a live visit of the therapist or the patient) or
    `unavailable` (outside the therapist's hours, or time off)."""

    occurrence: datetime
    reason: str
    detail: str
    suggestions: list = dataclasses.field(default_factory=list)
    conflicts: list = dataclasses.field(default_factory=list)


@dataclass
class SeriesBooking:
    series: AppointmentSeries
    appointments: list[Appointment]
    skipped: list[Skipped]  # closures and (with on_conflict="skip") clashes, in date order
    short_by: int = 0  # visits of the rule neither booked nor made up

    @property
    def closed_days(self) -> list[date]:
        return [
            timezone.localtime(s.occurrence).date() for s in self.skipped if s.reason == "closure"
        ]


@dataclass
class SeriesPreview:
    occurrences: list[Slot]
    conflicts: list[dict]
    skipped: list[date]
    problems: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # Invalid's shape
    moved: dict = dataclasses.field(default_factory=dict)  # {new start: the occurrence}

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.problems


def _series_slots(*, first_start, duration_minutes, rrule) -> tuple[list[Slot], list[date]]:
    """The occurrences of the rule, minus the days the clinic is closed."""
    slots, closures = _open_and_closed(first_start, duration_minutes, rrule)
    if not slots:
        raise Invalid.field("rrule", "Every visit of the rule falls on a day the clinic is closed.")
    return slots, sorted({timezone.localtime(s.occurrence).date() for s in closures})


def _open_and_closed(first_start, duration_minutes, rrule) -> tuple[list[Slot], list[Skipped]]:
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 480:
        raise Invalid.field("duration_minutes", "A visit lasts from 5 to 480 minutes.")
    return _without_closures(expand(rrule, first_start), timedelta(minutes=duration_minutes))


def _without_closures(starts, length) -> tuple[list[Slot], list[Skipped]]:
    closed = dict(
        Closure.objects.filter(date__in={timezone.localtime(s).date() for s in starts}).values_list(
            "date", "reason"
        )
    )
    slots, skipped = [], []
    for start in starts:
        reason = closed.get(timezone.localtime(start).date())
        if reason is None:
            slots.append(Slot(start, start + length))
        else:
            skipped.append(Skipped(start, "closure", f"The clinic is closed: {reason}."))
    return slots, skipped


def _check_series_parties(*, plan, therapist) -> None:
    if plan is None:
        raise Invalid.field("plan", "A series is booked under a treatment plan.")
    if getattr(therapist, "role", None) != Role.THERAPIST:
        raise Invalid.field("therapist", "Appointments are booked with a therapist.")


def preview_series(
    *, plan, therapist, first_start, duration_minutes, rrule, room=None, moves=None
) -> SeriesPreview:
    """What `book_series` would do, without writing anything: the occurrences,
    the clashes (the therapist's, the patient's, the room's) and every problem
    at once, for the front desk's live preview."""
    preview = SeriesPreview(occurrences=[], conflicts=[], skipped=[])
    try:
        _check_series_parties(plan=plan, therapist=therapist)
        preview.occurrences, preview.skipped = _series_slots(
            first_start=first_start, duration_minutes=duration_minutes, rrule=rrule
        )
        # a move whose date is no longer in the rule (the form changed) is dropped
        known = {s.start for s in preview.occurrences}
        moves = {o: start for o, start in (moves or {}).items() if o in known}
        preview.occurrences = moved(preview.occurrences, moves)
        preview.moved = {start: o for o, start in moves.items()}
    except Invalid as error:
        preview.problems = error.errors
        return preview
    patient = booking.patients_for_booking().get(pk=plan.patient_id)
    for check in (
        lambda: check_not_on_earlier_day(preview.occurrences),
        lambda: booking.check_prescription(plan=plan, slots=preview.occurrences),
        lambda: booking.check_booking_rules(patient=patient, slots=preview.occurrences),
        lambda: check_availability(
            therapist=therapist, slots=preview.occurrences, location=_location(room)
        ),
    ):
        try:
            check()
        except Invalid as error:
            for name, messages in error.errors.items():
                preview.problems.setdefault(name, []).extend(messages)
    preview.conflicts = find_conflicts(
        therapist=therapist, patient=patient, slots=preview.occurrences, room=room
    )
    add_suggestions(
        preview.conflicts, therapist=therapist, patient=patient, slots=preview.occurrences,
        room=room,
    )  # fmt: skip
    return preview


def _location(room):
    return room.location if room is not None else None


@transaction.atomic
def book_series(
    *,
    plan,
    therapist: User,
    first_start: datetime,
    duration_minutes: int,
    rrule: str,
    by: User,
    on_conflict: str = "refuse",
    extend: bool = False,
    room=None,
    moves: dict | None = None,
) -> SeriesBooking:
    """Book the occurrences of `rrule`: every one or none (`refuse`), or the free
    ones (`skip`), each left out answered with its reason; with `extend`, the
    ones left out are made up after the last. The prescription, working hours
    and clashes are checked for the whole set at once, then one INSERT: the
    number of queries does not grow with the number of visits. A `room` is taken
    by every visit: its clashes are conflicts as the therapist's are. `moves`
    {occurrence: start} takes an occurrence at another time of its own day (a
    clash resolved date by date)."""
    SERIES.check(by, "create")
    if on_conflict not in ON_CONFLICT:
        raise Invalid.field("on_conflict", "Choose refuse or skip.")
    _check_series_parties(plan=plan, therapist=therapist)
    slots, skipped = _open_and_closed(first_start, duration_minutes, rrule)
    slots = moved(slots, moves or {})
    check_not_on_earlier_day(slots)
    patient = booking.lock_booking(therapist=therapist, patient_id=plan.patient_id)
    booking.lock_room(room)
    if on_conflict == "skip":
        slots, clashing = _sort_out(therapist=therapist, patient=patient, slots=slots, room=room)
        skipped = sorted(skipped + clashing, key=lambda s: s.occurrence)
    elif slots:
        check_availability(therapist=therapist, slots=slots, location=_location(room))
        check_free(therapist=therapist, patient=patient, slots=slots, room=room)
    short_by = len(skipped)
    if extend and skipped:
        made_up = _make_up(
            plan=plan, therapist=therapist, patient=patient, rrule=rrule, first_start=first_start,
            length=timedelta(minutes=duration_minutes), have=slots, need=len(skipped), room=room,
        )  # fmt: skip
        slots, short_by = slots + made_up, len(skipped) - len(made_up)
    if not slots:
        raise Invalid.field("rrule", "No visit of the rule is free (closures or clashes).")
    booking.check_prescription(plan=plan, slots=slots)
    booking.check_booking_rules(patient=patient, slots=slots)
    series = AppointmentSeries(
        plan=plan,
        patient=patient,
        therapist=therapist,
        rrule=rrule.strip(),
        first_start=first_start,
        duration_minutes=duration_minutes,
        created_by=by,
        room=room,
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
            room=room,
        )
        for slot in slots
    ]
    # No inner savepoint: on a clash the whole booking is rolled back anyway.
    try:
        series.save(force_insert=True)
        Appointment.objects.bulk_create(appointments)
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise taken(error) from error
        raise
    reminders.create_for(appointments)
    record_many(
        actor=by, action="appointment.book", targets=appointments, patient_of=lambda a: patient.pk
    )
    return SeriesBooking(
        series=series, appointments=appointments, skipped=skipped, short_by=short_by
    )


def moved(slots: list[Slot], moves: dict) -> list[Slot]:
    """The occurrences with `moves` {occurrence: new start} applied, each within
    its own day and keeping its length; an occurrence the rule does not have
    (or a closed day's) is a 400 naming `moves`."""
    if not moves:
        return slots
    known = {slot.start for slot in slots}
    for occurrence, start in moves.items():
        if occurrence not in known:
            when = f"{timezone.localtime(occurrence):%a %b %d %H:%M}"
            raise Invalid.field("moves", f"{when} is not an open visit of the series.")
        if timezone.localtime(start).date() != timezone.localtime(occurrence).date():
            raise Invalid.field("moves", "A visit of a series is moved within its own day.")
    return [
        Slot(moves[s.start], moves[s.start] + (s.end - s.start)) if s.start in moves else s
        for s in slots
    ]


def _sort_out(
    *, therapist, patient, slots, suggest=True, room=None
) -> tuple[list[Slot], list[Skipped]]:
    """The occurrences the therapist, the patient (and the room) can take, and
    the others with why (each clash with its suggestions): five queries at most."""
    away = unavailable(therapist=therapist, slots=slots, location=_location(room))
    conflicts = find_conflicts(therapist=therapist, patient=patient, slots=slots, room=room)
    if suggest:
        add_suggestions(conflicts, therapist=therapist, patient=patient, slots=slots, room=room)
    clashes: dict = {}
    for conflict in conflicts:
        clashes.setdefault(conflict["occurrence"], []).append(conflict)
    free, skipped = [], []
    for slot in slots:
        if slot.start in away:
            skipped.append(Skipped(slot.start, "unavailable", " ".join(away[slot.start])))
        elif slot.start in clashes:
            found = clashes[slot.start]
            whose = " and ".join(sorted({c["with"] for c in found}))
            skipped.append(
                Skipped(
                    slot.start,
                    "conflict",
                    f"It clashes with another live visit of the {whose}.",
                    suggestions=found[0].get("suggestions", []),
                    conflicts=[{k: v for k, v in c.items() if k != "suggestions"} for c in found],
                )
            )
        else:
            free.append(slot)
    return free, skipped


def _make_up(
    *, plan, therapist, patient, rrule, first_start, length, have, need, room=None
) -> list[Slot]:
    """Further free occurrences of the rule after the last, as many as were left
    out, within the prescription's visits left, its validity and the plan's
    certification."""
    used = (
        TreatmentPlan.objects.with_visits_used()
        .values("visits_used_count", "referral_visits_used")
        .get(pk=plan.pk)
    )
    left = min(
        plan.planned_visits - used["visits_used_count"],
        plan.referral.visits_prescribed - used["referral_visits_used"],
    ) - len(have)
    wanted = min(need, left)
    if wanted <= 0:
        return []
    last_day = min(plan.referral.valid_until, getattr(plan, "certified_until", None) or date.max)
    after = expand(rrule, first_start)[-1]
    starts = [
        s
        for s in further(rrule, first_start, after, MAKE_UP_LOOKAHEAD + need)
        if timezone.localtime(s).date() <= last_day
    ]
    candidates, _ = _without_closures(starts, length)
    free, _ = _sort_out(
        therapist=therapist, patient=patient, slots=candidates, suggest=False, room=room
    )
    return free[:wanted]


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
    waitlist.offer_freed_slots(cancelled)  # each freed slot goes to the waitlist
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
