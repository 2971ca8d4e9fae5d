"""The demo clinic's places (called by `seed_demo`): two locations with their
rooms, and working hours for every therapist, alternating the locations by
weekday; the visits still to come are given a free room where the therapist
works that day."""

from datetime import time

from django.utils import timezone

from clinic.models import User
from clinic.vocabulary import LIVE_STATUSES, Role

from .models import Appointment, Location, Room, WorkingHours

PLACES = [
    ("Main Street", "120 Main Street, Springfield", ["Room 1", "Room 2", "Room 3"]),
    ("Harbor", "9 Pier Road, Springfield", ["Blue room", "Green room"]),
]
OPENS, CLOSES = time(8), time(19)  # wide enough for every visit the demo books


def seed_places(*, time_zone: str) -> list[Location]:
    """Idempotent: run again, it adds nothing."""
    locations = []
    for name, address, rooms in PLACES:
        location, _ = Location.objects.get_or_create(
            name=name, defaults={"address": address, "time_zone": time_zone}
        )
        for room in rooms:
            Room.objects.get_or_create(location=location, name=room)
        locations.append(location)
    therapists = User.objects.with_role(Role.THERAPIST).order_by("username")
    for i, therapist in enumerate(therapists):
        if WorkingHours.objects.filter(therapist=therapist).exists():
            continue
        WorkingHours.objects.bulk_create(
            WorkingHours(
                therapist=therapist, location=locations[(i + weekday) % len(locations)],
                weekday=weekday, start_time=OPENS, end_time=CLOSES,
            )
            for weekday in range(5)
        )  # fmt: skip
    _rooms_for_coming_visits(locations)
    return locations


def _rooms_for_coming_visits(locations) -> None:
    where = {
        (h.therapist_id, h.weekday): h.location_id
        for h in WorkingHours.objects.exclude(location=None)
    }
    rooms: dict = {}
    for room in Room.objects.filter(location__in=locations).order_by("name"):
        rooms.setdefault(room.location_id, []).append(room)
    taken: dict = {}
    coming = Appointment.objects.filter(
        status__in=LIVE_STATUSES, room=None, start__gte=timezone.now()
    ).order_by("start")
    for visit in coming:
        location = where.get((visit.therapist_id, timezone.localtime(visit.start).weekday()))
        for room in rooms.get(location, []):
            busy = taken.setdefault(room.pk, [])
            if not any(s < visit.end and e > visit.start for s, e in busy):
                busy.append((visit.start, visit.end))
                Appointment.objects.filter(pk=visit.pk).update(room=room)
                break
