"""RFC 5545 recurrence rules, expanded on the clinic's wall clock.

A rule is expanded from the first visit's *local* time as a naive datetime and
each occurrence is then placed in `settings.TIME_ZONE`, so a Monday/Thursday
10:00 series stays at 10:00 when daylight saving starts or ends. Expanding in
UTC instead would move every visit after the change by an hour."""

from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.utils import timezone

from .errors import Invalid

MAX_OCCURRENCES = 200
ALLOWED_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# The time of day comes from the first visit; these would add visits within a day.
REFUSED_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART"}


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _refuse(message: str) -> Invalid:
    return Invalid.field("rrule", message)


def parse_parts(rule: str) -> dict[str, str]:
    """`FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12` -> {"FREQ": "WEEKLY", ...}, or Invalid."""
    if not isinstance(rule, str) or not rule.strip():
        raise _refuse("A recurrence rule is required, e.g. FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12.")
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if "\n" in text or len(text) > 500:
        raise _refuse("Give one RRULE line, e.g. FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12.")
    parts = {}
    for item in filter(None, text.split(";")):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip() or name in parts:
            raise _refuse(f"{item!r} is not a NAME=VALUE part of a recurrence rule.")
        parts[name] = value.strip().upper()
    return parts


def _check_parts(parts: dict[str, str]) -> None:
    freq = parts.get("FREQ")
    if freq is None:
        raise _refuse("The rule needs a FREQ, e.g. FREQ=WEEKLY.")
    if freq not in ALLOWED_FREQS:
        raise _refuse(f"FREQ={freq} is not allowed; visits repeat at most daily.")
    refused = sorted(REFUSED_PARTS & parts.keys())
    if refused:
        raise _refuse(f"{', '.join(refused)} cannot be used: the time comes from the first visit.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse("Give COUNT or UNTIL, not both.")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _refuse("The rule needs COUNT or UNTIL so the series ends.")
    count = parts.get("COUNT", "1")
    if not count.isdigit() or not 1 <= int(count) <= MAX_OCCURRENCES:
        raise _refuse(f"COUNT must be a number from 1 to {MAX_OCCURRENCES}.")


def _local_until(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as a naive local datetime. A date alone (20261231) means the whole
    of that day, which is what a person writing it means; a UTC time (…Z) is
    converted to the clinic's wall clock."""
    try:
        if "T" not in value:
            day = datetime.strptime(value, "%Y%m%d").replace(tzinfo=tz).date()
            return datetime.combine(day, time.max)
        if value.endswith("Z"):
            utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
            return utc.astimezone(tz).replace(tzinfo=None)
        return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz).replace(tzinfo=None)
    except ValueError:
        raise _refuse(f"UNTIL={value} is not a date like 20261231.") from None


def expand(rule: str, first_start: datetime) -> list[datetime]:
    """Every occurrence of `rule` from `first_start` on (aware, in the clinic's
    zone), at most MAX_OCCURRENCES; a bad or unbounded rule is Invalid naming `rrule`."""
    if timezone.is_naive(first_start):
        raise Invalid.field("start", "The first visit needs a time zone offset.")
    tz = clinic_zone()
    parts = parse_parts(rule)
    _check_parts(parts)
    until = _local_until(parts.pop("UNTIL"), tz) if "UNTIL" in parts else None
    local_start = timezone.localtime(first_start, tz).replace(tzinfo=None)
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        recurrence = rrulestr(text, dtstart=local_start)
        if until is not None:
            recurrence = recurrence.replace(until=until)
        wall_times = list(islice(iter(recurrence), MAX_OCCURRENCES + 1))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise _refuse(f"The recurrence rule could not be read: {error}.") from None
    if len(wall_times) > MAX_OCCURRENCES:
        raise _refuse(f"The rule gives more than {MAX_OCCURRENCES} visits; shorten it.")
    if not wall_times:
        raise _refuse("The rule gives no visit on or after the first one.")
    return [wall.replace(tzinfo=tz) for wall in wall_times]


def local_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the clinic's zone, as an aware datetime."""
    return datetime.combine(day, time.min).replace(tzinfo=clinic_zone())


def next_local_time(moment: datetime, at: time) -> datetime:
    """The first `at` o'clock (clinic time) at or after `moment`."""
    local = timezone.localtime(moment, clinic_zone())
    candidate = datetime.combine(local.date(), at).replace(tzinfo=clinic_zone())
    if candidate < local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at).replace(
            tzinfo=clinic_zone()
        )
    return candidate
