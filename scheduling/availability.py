"""When a therapist can see a patient: the slots asked for, clashes with live
visits (half-open intervals), working hours, time off and closures."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from clinic.errors import Conflict, Invalid
from clinic.models import User

from .models import (
    Appointment,
    TimeOff,
    WorkingHours,
)

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


def _hours_text(rows) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in rows) or "none"


def availability_problems(*, therapist: User, slots: list[Slot]) -> list[str]:
    """Why the therapist cannot take some of `slots`, in plain words (two queries
    whatever the number of slots). No working hours at all means any time."""
    if not slots:
        return []
    hours: dict[int, list] = {}
    for weekday, start, end in WorkingHours.objects.filter(therapist=therapist).values_list(
        "weekday", "start_time", "end_time"
    ):
        hours.setdefault(weekday, []).append((start, end))
    time_off = list(
        TimeOff.objects.filter(
            therapist=therapist,
            start__lt=max(s.end for s in slots),
            end__gt=min(s.start for s in slots),
        )
    )
    problems = []
    for slot in slots:
        start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
        when = f"{start:%a %b %d, %Y} at {start:%H:%M}-{end:%H:%M}"
        if hours and not _within_hours(hours.get(start.weekday(), []), start, end):
            problems.append(
                f"{therapist} does not work on {when} "
                f"(working hours that day: {_hours_text(hours.get(start.weekday(), []))})."
            )
        for off in time_off:
            if off.start < slot.end and off.end > slot.start:
                problems.append(f"{therapist} is off on {when}{_reason(off.reason)}.")
    return problems


def _within_hours(rows, start: datetime, end: datetime) -> bool:
    if start.date() != end.date():
        return False
    return any(a <= start.time() and end.time() <= b for a, b in rows)


def _reason(text: str) -> str:
    return f" ({text})" if text else ""


def check_availability(*, therapist: User, slots: list[Slot]) -> None:
    problems = availability_problems(therapist=therapist, slots=slots)
    if problems:
        raise Invalid({"start": problems})
