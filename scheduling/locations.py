"""The rules of the clinic's places: the manager adds and renames locations and
rooms (audited); a visit's room must be one the booking may use; a
therapist's working hours are read for the location of the visit's room."""

from django.db import transaction
from django.db.models import F

from clinic.audit import record
from clinic.errors import Invalid
from clinic.models import User

from .access import LOCATION, ROOM
from .models import Location, Room, validate_time_zone

LOCATION_FIELDS = ("name", "address", "time_zone")
ROOM_FIELDS = ("location", "name")


def _check_time_zone(data: dict) -> None:
    if "time_zone" in data:
        try:
            validate_time_zone(data["time_zone"])
        except Exception as error:  # a ValidationError: the field's own words
            raise Invalid.field("time_zone", " ".join(error.messages)) from None


def _check_unique(model, *, data: dict, current=None, scope: dict) -> None:
    name = data.get("name", current.name if current else "")
    taken = model.objects.filter(name__iexact=name, **scope)
    if current is not None:
        taken = taken.exclude(pk=current.pk)
    if taken.exists():
        raise Invalid.field("name", f"{name!r} is already taken.")


@transaction.atomic
def add_location(*, data: dict, by: User) -> Location:
    LOCATION.check(by, "create")
    _check_time_zone(data)
    _check_unique(Location, data=data, scope={})
    location = Location.objects.create(**{k: v for k, v in data.items() if k in LOCATION_FIELDS})
    record(actor=by, action="location.create", target=location)
    return location


@transaction.atomic
def change_location(*, location: Location, data: dict, by: User) -> Location:
    LOCATION.check(by, "update")
    _check_time_zone(data)
    _check_unique(Location, data=data, current=location, scope={})
    for field in LOCATION_FIELDS:
        if field in data:
            setattr(location, field, data[field])
    location.version = F("version") + 1
    location.save()
    record(actor=by, action="location.update", target=location)
    location.refresh_from_db()
    return location


@transaction.atomic
def add_room(*, data: dict, by: User) -> Room:
    ROOM.check(by, "create")
    _check_unique(Room, data=data, scope={"location": data["location"]})
    room = Room.objects.create(location=data["location"], name=data["name"])
    record(actor=by, action="room.create", target=room)
    return room


@transaction.atomic
def change_room(*, room: Room, data: dict, by: User) -> Room:
    ROOM.check(by, "update")
    location = data.get("location", room.location)
    _check_unique(Room, data=data, current=room, scope={"location": location})
    for field in ROOM_FIELDS:
        if field in data:
            setattr(room, field, data[field])
    room.version = F("version") + 1
    room.save()
    record(actor=by, action="room.update", target=room)
    room.refresh_from_db()
    return room
