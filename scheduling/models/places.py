"""Where visits happen (API.md, Scheduling (v1 additions)): the clinic's
locations, each with its time zone, and their treatment rooms. No room holds
two live visits at once: on PostgreSQL an exclusion constraint (migration
`room_and_location`), on SQLite the booking service's check under the booking
lock, exactly as the therapist's rule is held."""

from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db import models

from clinic.models import Entity


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. America/New_York).")


class Location(Entity):
    name = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The clock of its visits in what patients read (reminders, links)."""
        return ZoneInfo(self.time_zone)

    @property
    def where(self) -> str:
        return f"{self.name}, {self.address}" if self.address else self.name


class Room(Entity):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="room_name_unique_per_location"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.location.name})"
