"""Scheduling's records: visits and their series, reminders, closures and
availability (`visits`); locations and rooms (`places`); the waitlist and its
offers (`waitlist`)."""

from .places import Location, Room, validate_time_zone
from .visits import (
    COUNTED_STATUSES,
    LIVE_STATUSES,
    Appointment,
    AppointmentKind,
    AppointmentQuerySet,
    AppointmentSeries,
    AppointmentStatus,
    Closure,
    Reminder,
    ReminderStatus,
    TimeOff,
    WorkingHours,
)
from .waitlist import WEEKDAYS, OfferStatus, WaitlistEntry, WaitlistOffer

__all__ = [
    "COUNTED_STATUSES",
    "LIVE_STATUSES",
    "Appointment",
    "AppointmentKind",
    "AppointmentQuerySet",
    "AppointmentSeries",
    "AppointmentStatus",
    "Closure",
    "Location",
    "Reminder",
    "ReminderStatus",
    "Room",
    "TimeOff",
    "WaitlistEntry",
    "WaitlistOffer",
    "WEEKDAYS",
    "OfferStatus",
    "WorkingHours",
    "validate_time_zone",
]
