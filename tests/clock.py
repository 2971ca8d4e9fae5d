"""The tests' clock. Every test starts at one pinned instant of clinic time and
time runs on from there (time-machine, tick=True), so what a test asserts never
depends on when the machine runs it.

The instant is DEFAULT_NOW unless CLINIC_TEST_NOW names another, as an ISO
date-time read in the clinic's TIME_ZONE (`CLINIC_TEST_NOW=2026-03-08T00:10`);
`make test-clock` runs the date-sensitive tests at the awkward ones (just after
midnight, just before, a Sunday, the two daylight-saving days).

A test that starts another process (a real Celery worker, gunicorn) cannot share
the pinned clock: it carries `@pytest.mark.real_clock` and must hold whatever
the machine's clock reads."""

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

ENV = "CLINIC_TEST_NOW"
# A Wednesday mid-morning, months away from a daylight-saving change.
DEFAULT_NOW = "2026-06-10T10:30"


def pinned_now(time_zone: str) -> datetime:
    """The instant the tests start at, aware, in the clinic's zone."""
    text = os.environ.get(ENV) or DEFAULT_NOW
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise pytest.UsageError(f"{ENV}={text!r} is not an ISO date-time") from exc
    zone = ZoneInfo(time_zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


@dataclass
class Clock:
    """What a test needs of time: the instant it started at, clinic-local days
    and hours counted from it, and the means to move on."""

    start: datetime
    traveller: object  # time-machine's fixture

    @property
    def zone(self) -> ZoneInfo:
        return self.start.tzinfo

    @property
    def today(self) -> date:
        return self.start.date()

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        """A wall-clock time in the clinic's zone, `days` after the start's day."""
        day = self.today + timedelta(days=days)
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def move_to(self, moment: datetime) -> None:
        # a bare timestamp: naming a zone would make time-machine set TZ for the
        # whole process (and every subprocess it starts)
        self.traveller.move_to(moment.timestamp(), tick=True)

    def shift(self, delta: timedelta) -> None:
        self.traveller.shift(delta)
