"""The printable day sheet (issue 15, item 8): one therapist's or one room's
visits of a day, in time order, with what the person at the table needs on
paper: time, patient, kind, the room (or the therapist), the precautions the
reader may see, the phone to call, and space for notes.

The sheet goes through the scheduling door: the front desk and the manager
print any therapist's or room's sheet; a therapist prints only their own
(another therapist's, or a room's, is a 404, as any record outside one's
scope is). Every patient printed is an audited read, in one INSERT."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404

from clinic.audit import record_many
from clinic.models import User
from clinic.vocabulary import Role

from .access import APPOINTMENT
from .calendar_pages import _precautions
from .grid import NO_VISIT_LONGER
from .models import Appointment, AppointmentStatus, Room
from .recurrence import clinic_zone, local_day_start


@dataclass
class SheetRow:
    visit: Appointment
    starts: str  # "09:15", clinic time
    ends: str
    precautions: list[str] = field(default_factory=list)


@dataclass
class DaySheet:
    day: date
    therapist: User | None
    room: Room | None
    rows: list[SheetRow]

    @property
    def title(self) -> str:
        return str(self.therapist or self.room)


def day_sheet(user, day: date, *, therapist_id=None, room_id=None) -> DaySheet:
    """The sheet of `day` for one therapist or one room (exactly one given).
    Four queries: the column, the visits, the precautions, the audit."""
    APPOINTMENT.check(user, "sheet")
    if bool(therapist_id) == bool(room_id):
        raise Http404("A day sheet is for one therapist or one room.")
    therapist, room = _column(user, therapist_id, room_id)
    start, end = local_day_start(day), local_day_start(day + timedelta(days=1))
    visits = list(
        Appointment.objects.visible_to(user)
        .filter(start__lt=end, end__gt=start, start__gte=start - NO_VISIT_LONGER)
        .exclude(status=AppointmentStatus.CANCELLED)
        .filter(**({"therapist": therapist} if therapist else {"room": room}))
        .select_related("patient", "therapist", "room")
        .order_by("start", "end")
    )
    flags = _precautions(user, visits)
    record_many(
        actor=user, action="appointment.sheet", targets=visits, patient_of=lambda v: v.patient_id
    )
    zone = clinic_zone()
    rows = [
        SheetRow(
            visit=v,
            starts=f"{v.start.astimezone(zone):%H:%M}",
            ends=f"{v.end.astimezone(zone):%H:%M}",
            precautions=flags.get(v.patient_id, []),
        )
        for v in visits
    ]
    return DaySheet(day=day, therapist=therapist, room=room, rows=rows)


def _column(user, therapist_id, room_id):
    """The therapist or the room asked for, within the caller's scope (404 outside)."""
    try:
        if therapist_id:
            if user.role == Role.THERAPIST and str(user.pk) != str(therapist_id):
                raise Http404("No such therapist.")
            return User.objects.with_role(Role.THERAPIST).get(pk=therapist_id), None
        if user.role == Role.THERAPIST:  # a room's sheet shows others' patients
            raise Http404("No such room.")
        return None, Room.objects.select_related("location").get(pk=room_id)
    except (User.DoesNotExist, Room.DoesNotExist, ValidationError, ValueError) as missing:
        raise Http404("No such therapist or room.") from missing
