"""When a therapist can see a patient: the slots asked for, clashes with live
visits (half-open intervals), working hours, time off and closures."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from clinic.errors import Conflict, Invalid
from clinic.models import User

from .models import (
    Appointment,
    Closure,
    TimeOff,
    WorkingHours,
)
from .recurrence import clinic_zone

# PostgreSQL error codes that mean "someone else got the slot first".
EXCLUSION_VIOLATION = "23P01"


DEADLOCK_DETECTED = "40P01"


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def _parties(therapist, patient, room=None) -> Q:
    """The visits a new one may not overlap: the therapist's, the patient's and,
    if it names one, the room's."""
    parties = Q(therapist=therapist)
    if patient is not None:
        parties |= Q(patient=patient)
    if room is not None:
        parties |= Q(room=room)
    return parties


def _with(appointment, therapist, patient) -> str:
    if appointment.therapist_id == therapist.pk:
        return "therapist"
    if patient is not None and appointment.patient_id == patient.pk:
        return "patient"
    return "room"


def find_conflicts(
    *, therapist, patient, slots: list[Slot], exclude_ids=(), room=None
) -> list[dict]:
    """Every live appointment that overlaps one of `slots`, for the therapist,
    the patient or the room, in one query:
    `[{"appointment", "start", "end", "with", "occurrence"}]`."""
    if not slots:
        return []
    window = Q()
    for slot in slots:
        window |= Q(start__lt=slot.end, end__gt=slot.start)
    clashing = (
        Appointment.objects.live()
        .filter(_parties(therapist, patient, room))
        .filter(window)
        .exclude(pk__in=list(exclude_ids))
        .only("id", "start", "end", "therapist_id", "patient_id", "room_id")
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
                        "with": _with(appointment, therapist, patient),
                        "occurrence": slot.start,
                    }
                )
    return conflicts


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


ROOM_CONSTRAINT = "appointment_room_no_overlap"


def taken(error: Exception) -> Conflict:
    """The 409 of a write the database refused as an overlap: someone else got
    the therapist, the patient or the room first."""
    diag = getattr(getattr(error, "__cause__", None), "diag", None)
    if getattr(diag, "constraint_name", None) == ROOM_CONSTRAINT:
        return Conflict("The room was just taken by another booking.", conflicts=[])
    return Conflict("The time was just taken by another booking.", conflicts=[])


def _hours_text(rows) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in rows) or "none"


def availability_problems(*, therapist: User, slots: list[Slot], location=None) -> list[str]:
    """Why the therapist cannot take some of `slots` (at `location`, the visit's
    room's), in plain words (two queries whatever the number of slots). No
    working hours at all means any time."""
    away = unavailable(therapist=therapist, slots=slots, location=location)
    return [m for messages in away.values() for m in messages]


def unavailable(*, therapist: User, slots: list[Slot], location=None) -> dict[datetime, list[str]]:
    """{slot start: why the therapist cannot take it}, for the slots they cannot."""
    if not slots:
        return {}
    hours = _weekly_hours(therapist, location)
    at = f" at {location.name}" if location is not None else ""
    time_off = list(
        TimeOff.objects.filter(
            therapist=therapist,
            start__lt=max(s.end for s in slots),
            end__gt=min(s.start for s in slots),
        )
    )
    problems: dict[datetime, list[str]] = {}
    for slot in slots:
        start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
        when = f"{start:%a %b %d, %Y} at {start:%H:%M}-{end:%H:%M}"
        if hours and not _within_hours(hours.get(start.weekday(), []), start, end):
            problems.setdefault(slot.start, []).append(
                f"{therapist} does not work{at} on {when} "
                f"(working hours that day: {_hours_text(hours.get(start.weekday(), []))})."
            )
        for off in time_off:
            if off.start < slot.end and off.end > slot.start:
                problems.setdefault(slot.start, []).append(
                    f"{therapist} is off on {when}{_reason(off.reason)}."
                )
    return problems


def _within_hours(rows, start: datetime, end: datetime) -> bool:
    if start.date() != end.date():
        return False
    return any(a <= start.time() and end.time() <= b for a, b in rows)


def _reason(text: str) -> str:
    return f" ({text})" if text else ""


def check_availability(*, therapist: User, slots: list[Slot], location=None) -> None:
    problems = availability_problems(therapist=therapist, slots=slots, location=location)
    if problems:
        raise Invalid({"start": problems})


# --- free time: the availability look-up and the suggestions of a clash ------------------

SUGGESTION_STEP = timedelta(minutes=15)  # free starts are offered on the quarter hour
SUGGESTIONS = 3


def clinic_hours() -> tuple[time, time]:
    """The hours the clinic is open (setting CLINIC_HOURS, e.g. "08:00-19:00")."""
    opens, closes = settings.CLINIC_HOURS.split("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)


def free_starts(
    *, therapist, days, duration: timedelta, patient=None, exclude_ids=(), room=None
) -> dict[date, list[Slot]]:
    """The starts of `duration` the therapist (and the patient, and the room) can
    take on each of `days`: within working hours (at the room's location; the
    clinic's hours for a therapist who has none), outside closures, time off and
    live visits, not in the past. Four queries, whatever the number of days."""
    days = sorted(set(days))
    if not days:
        return {}
    zone = clinic_zone()
    first = datetime.combine(days[0], time.min, zone)
    last = datetime.combine(days[-1] + timedelta(days=1), time.min, zone)
    closed = set(Closure.objects.filter(date__in=days).values_list("date", flat=True))
    hours = _weekly_hours(therapist, room.location if room is not None else None)
    busy = [
        (a.start, a.end)
        for a in Appointment.objects.live()
        .filter(_parties(therapist, patient, room))
        .overlapping(first, last)
        .exclude(pk__in=list(exclude_ids))
        .only("start", "end")
    ]
    busy += [
        (off.start, off.end)
        for off in TimeOff.objects.filter(therapist=therapist, start__lt=last, end__gt=first)
    ]
    now = timezone.now()
    free = {}
    for day in days:
        windows = (
            [] if day in closed else hours.get(day.weekday(), []) if hours else [clinic_hours()]
        )
        free[day] = [
            slot
            for opens, closes in windows
            for slot in _starts(day, opens, closes, duration, zone)
            if slot.start >= now and not any(s < slot.end and e > slot.start for s, e in busy)
        ]
    return free


def _windows(hours: dict, day: date) -> list:
    # no working hours at all: bookable whenever the clinic is open
    return hours.get(day.weekday(), []) if hours else [clinic_hours()]


def _weekly_hours(therapist, location=None) -> dict[int, list]:
    """{weekday: [(start, end)]} of the therapist's hours at `location` (hours
    that name no location hold at every one). Empty only for a therapist with
    no hours at all; a day worked only elsewhere is there, with no hours."""
    hours: dict[int, list] = {}
    rows = WorkingHours.objects.filter(therapist=therapist).values_list(
        "weekday", "start_time", "end_time", "location_id"
    )
    for weekday, start, end, where in rows:
        day = hours.setdefault(weekday, [])
        if location is None or where in (None, location.pk):
            day.append((start, end))
    return hours


def _starts(day, opens, closes, duration, zone):
    start = datetime.combine(day, opens, zone)
    end_of_window = datetime.combine(day, closes, zone)
    while start + duration <= end_of_window:
        yield Slot(start, start + duration)
        start += SUGGESTION_STEP


def check_free(*, therapist, patient, slots: list[Slot], exclude_ids=(), room=None) -> None:
    """A 409 listing every clash, each with its suggestions, or nothing."""
    conflicts = find_conflicts(
        therapist=therapist, patient=patient, slots=slots, exclude_ids=exclude_ids, room=room
    )
    add_suggestions(
        conflicts,
        therapist=therapist,
        patient=patient,
        slots=slots,
        exclude_ids=exclude_ids,
        room=room,
    )
    raise_on_conflicts(conflicts)


def add_suggestions(
    conflicts: list[dict], *, therapist, patient, slots: list[Slot], exclude_ids=(), room=None
) -> None:
    """Each clash gets `suggestions`: up to three free starts of the same length
    for that therapist and patient on the same day, nearest first. The clashing
    visits themselves stay busy; the slots being booked are not yet anyone's."""
    if not conflicts:
        return
    by_start = {s.start: s for s in slots}
    wanted = {timezone.localtime(c["occurrence"]).date() for c in conflicts}
    length = slots[0].end - slots[0].start
    free = free_starts(
        therapist=therapist,
        patient=patient,
        days=wanted,
        duration=length,
        exclude_ids=exclude_ids,
        room=room,
    )
    for conflict in conflicts:
        asked = by_start.get(conflict["occurrence"])
        day = timezone.localtime(conflict["occurrence"]).date()
        span = (asked.end - asked.start) if asked else length
        nearest = sorted(
            (s for s in free.get(day, []) if s.end - s.start == span),
            key=lambda s: abs(s.start - conflict["occurrence"]),
        )[:SUGGESTIONS]
        conflict["suggestions"] = [{"start": s.start, "end": s.end} for s in nearest]
