"""RFC 5545 recurrence rules, expanded on the clinic's wall clock.

A rule is expanded from the first visit's *local* time as a naive datetime and
each occurrence is then placed in `settings.TIME_ZONE`, so a Monday/Thursday
10:00 series stays at 10:00 when daylight saving starts or ends. Expanding in
UTC instead would move every visit after the change by an hour."""

import calendar
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from clinic.errors import Invalid

MAX_OCCURRENCES = 200
# The search window: no visit of a series lies further from its first one. A
# rule is expanded by walking its periods inside this window only, so a rule
# that never (or rarely) matches costs at most ~730 small steps, never a walk
# to the year 9999 as dateutil would do (4.6 s for BYMONTH=2;BYMONTHDAY=31).
MAX_SPAN = timedelta(days=2 * 366)
MAX_INTERVAL = 99
ALLOWED_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH"}
ALLOWED_PARTS |= {"BYSETPOS", "WKST"}
# The time of day comes from the first visit; these would add visits within a day.
REFUSED_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART"}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# the longest each month can be (February in a leap year)
LONGEST_MONTH = {m: calendar.monthrange(2024, m)[1] for m in range(1, 13)}


@dataclass(frozen=True)
class Rule:
    """A checked rule; the BY parts as sets of numbers (weekday 0 = Monday)."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None  # naive, on the clinic's wall clock
    weekdays: frozenset[int] = frozenset()
    nth_weekdays: frozenset[tuple[int, int]] = frozenset()  # (weekday, n): 1MO, -1FR
    monthdays: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    setpos: tuple[int, ...] = ()
    wkst: int = 0


def clinic_zone() -> ZoneInfo:
    """ZoneInfo(settings.TIME_ZONE), kept by Django between calls (and forgotten
    when a test changes the setting): reading the setting each time cost the week
    calendar of 40 therapists about a third of its time (25,000 calls)."""
    return timezone.get_default_timezone()


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
    unknown = sorted(parts.keys() - ALLOWED_PARTS - REFUSED_PARTS)
    if unknown:
        allowed = ", ".join(sorted(ALLOWED_PARTS))
        raise _refuse(f"{', '.join(unknown)} cannot be used in a series; use {allowed}.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse("Give COUNT or UNTIL, not both.")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _refuse("The rule needs COUNT or UNTIL so the series ends.")


def _number(name: str, text: str, low: int, high: int, *, signed: bool = False) -> int:
    """A whole number in low..high (or -high..-low as well when signed), or Invalid."""
    digits = text[1:] if signed and text[:1] in "+-" else text
    if not digits.isdigit() or len(digits) > 3 or not low <= int(digits) <= high:
        span = f"±{low} to ±{high}" if signed else f"{low} to {high}"
        raise _refuse(f"{name}={text} is not allowed: give numbers from {span}.")
    return -int(digits) if text.startswith("-") else int(digits)


def _numbers(parts, name, low, high, *, signed=False) -> frozenset[int]:
    if name not in parts:
        return frozenset()
    return frozenset(_number(name, v, low, high, signed=signed) for v in parts[name].split(","))


def _weekday(text: str) -> int:
    if text not in WEEKDAY_CODES:
        raise _refuse(f"{text} is not a weekday; use MO, TU, WE, TH, FR, SA or SU.")
    return WEEKDAY_CODES.index(text)


def _read_weekdays(parts: dict[str, str]) -> tuple[frozenset[int], frozenset[tuple[int, int]]]:
    """BYDAY=MO,TH -> plain weekdays; BYDAY=1MO,-1FR -> (weekday, n) within the month or year."""
    plain, nth = set(), set()
    widest = 53 if parts["FREQ"] == "YEARLY" and "BYMONTH" not in parts else 5
    for item in filter(None, parts.get("BYDAY", "").split(",")):
        if len(item) == 2:
            plain.add(_weekday(item))
            continue
        if parts["FREQ"] not in ("MONTHLY", "YEARLY"):
            raise _refuse(f"BYDAY={item}: a numbered weekday needs FREQ=MONTHLY or YEARLY.")
        nth.add((_weekday(item[-2:]), _number("BYDAY", item[:-2], 1, widest, signed=True)))
    if plain and nth:
        raise _refuse("Give weekdays all with a number (1MO,-1FR) or all without (MO,FR).")
    return frozenset(plain), frozenset(nth)


def _check_month_days(rule: Rule) -> None:
    """Refuse a day that no chosen month has (BYMONTH=2;BYMONTHDAY=30)."""
    months = rule.months or LONGEST_MONTH.keys()
    if rule.monthdays and not any(
        abs(day) <= LONGEST_MONTH[month] for day in rule.monthdays for month in months
    ):
        raise _refuse("BYMONTHDAY never falls in the months of BYMONTH; the rule gives no visit.")


def read_rule(rule: str, tz: ZoneInfo) -> Rule:
    """The rule checked part by part, or Invalid naming `rrule`; nothing is expanded yet."""
    parts = parse_parts(rule)
    _check_parts(parts)
    weekdays, nth_weekdays = _read_weekdays(parts)
    setpos = tuple(sorted(_numbers(parts, "BYSETPOS", 1, 366, signed=True)))
    if setpos and not ({"BYDAY", "BYMONTHDAY", "BYMONTH"} & parts.keys()):
        raise _refuse("BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH to pick from.")
    checked = Rule(
        freq=parts["FREQ"],
        interval=_number("INTERVAL", parts.get("INTERVAL", "1"), 1, MAX_INTERVAL),
        count=_number("COUNT", parts["COUNT"], 1, MAX_OCCURRENCES) if "COUNT" in parts else None,
        until=_local_until(parts["UNTIL"], tz) if "UNTIL" in parts else None,
        weekdays=weekdays,
        nth_weekdays=nth_weekdays,
        monthdays=_numbers(parts, "BYMONTHDAY", 1, 31, signed=True),
        months=_numbers(parts, "BYMONTH", 1, 12),
        setpos=setpos,
        wkst=_weekday(parts.get("WKST", "MO")),
    )
    _check_month_days(checked)
    return checked


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
    except (ValueError, OverflowError):
        raise _refuse(f"UNTIL={value} is not a date like 20261231.") from None


def _with_defaults(rule: Rule, start: datetime) -> Rule:
    """RFC 5545's defaults taken from the first visit: WEEKLY repeats its
    weekday, MONTHLY its day of the month, YEARLY its day and month."""
    if rule.weekdays or rule.nth_weekdays or rule.monthdays:
        return rule
    if rule.freq == "WEEKLY":
        return replace(rule, weekdays=frozenset({start.weekday()}))
    if rule.freq == "MONTHLY":
        return replace(rule, monthdays=frozenset({start.day}))
    if rule.freq == "YEARLY":
        months = rule.months or frozenset({start.month})
        return replace(rule, monthdays=frozenset({start.day}), months=months)
    return rule


def _periods(rule: Rule, first: date, last: date) -> Iterator[list[date]]:
    """The days of each period (a day, week, month or year) from the one holding
    `first`, every INTERVAL-th, while the period starts on or before `last`."""
    week = first.toordinal() - (first.weekday() - rule.wkst) % 7
    for step in itertools.count():
        if rule.freq == "DAILY":
            opens = first.toordinal() + step * rule.interval
            days = range(opens, opens + 1)
        elif rule.freq == "WEEKLY":
            opens = week + 7 * step * rule.interval
            days = range(max(opens, first.toordinal()), opens + 7)
        elif rule.freq == "MONTHLY":
            year, month = divmod(first.year * 12 + first.month - 1 + step * rule.interval, 12)
            opens = date(year, month + 1, 1).toordinal() if year <= last.year else None
            days = range(opens, opens + calendar.monthrange(year, month + 1)[1]) if opens else ()
        else:
            year = first.year + step * rule.interval
            opens = date(year, 1, 1).toordinal() if year <= last.year else None
            days = range(opens, date(year, 12, 31).toordinal() + 1) if opens else ()
        if opens is None or days[0] > last.toordinal():
            return
        yield [date.fromordinal(day) for day in days]


def _nth(day: date, rule: Rule) -> tuple[int, int]:
    """Which of its weekday `day` is within its month (or year, for a YEARLY rule
    without BYMONTH), counted from the start and from the end: (2, -3)."""
    if rule.freq == "YEARLY" and not rule.months:
        position, length = day.timetuple().tm_yday, 366 if calendar.isleap(day.year) else 365
    else:
        position, length = day.day, calendar.monthrange(day.year, day.month)[1]
    return (position - 1) // 7 + 1, -((length - position) // 7 + 1)


def _matches(rule: Rule, day: date) -> bool:
    if rule.months and day.month not in rule.months:
        return False
    if rule.monthdays:
        from_end = day.day - calendar.monthrange(day.year, day.month)[1] - 1
        if day.day not in rule.monthdays and from_end not in rule.monthdays:
            return False
    if rule.weekdays and day.weekday() not in rule.weekdays:
        return False
    if rule.nth_weekdays:
        return any((day.weekday(), n) in rule.nth_weekdays for n in _nth(day, rule))
    return True


def _pick(days: list[date], setpos: tuple[int, ...]) -> list[date]:
    """BYSETPOS: the n-th (or n-th from last) of the period's matching days."""
    picked = {days[p - 1 if p > 0 else p] for p in setpos if -len(days) <= p <= len(days)}
    return sorted(picked)


def _occurrences(rule: Rule, start: datetime, end: datetime, limit: int) -> list[datetime]:
    """At most `limit` wall times of the rule from `start` to `end` (both naive)."""
    found = []
    for period in _periods(rule, start.date(), end.date()):
        days = [day for day in period if _matches(rule, day)]
        for day in _pick(days, rule.setpos) if rule.setpos else days:
            at = datetime.combine(day, start.time())
            if at > end:
                return found
            if at >= start:
                found.append(at)
                if len(found) == limit:
                    return found
    return found


def expand(rule: str, first_start: datetime) -> list[datetime]:
    """Every occurrence of `rule` from `first_start` on (aware, in the clinic's
    zone), at most MAX_OCCURRENCES within MAX_SPAN; a bad, unbounded or too
    sparse rule is Invalid naming `rrule`."""
    if timezone.is_naive(first_start):
        raise Invalid.field("start", "The first visit needs a time zone offset.")
    tz = clinic_zone()
    checked = read_rule(rule, tz)
    start = timezone.localtime(first_start, tz).replace(tzinfo=None, microsecond=0)
    if start.date() > date.max - MAX_SPAN:
        raise Invalid.field("start", "The first visit is too far in the future.")
    window_end = start + MAX_SPAN
    if checked.until is not None and checked.until > window_end:
        raise _refuse(f"UNTIL is more than {MAX_SPAN.days} days after the first visit.")
    limit = checked.count or MAX_OCCURRENCES + 1
    wall_times = _occurrences(
        _with_defaults(checked, start), start, checked.until or window_end, limit
    )
    if len(wall_times) > MAX_OCCURRENCES:
        raise _refuse(f"The rule gives more than {MAX_OCCURRENCES} visits; shorten it.")
    if not wall_times:
        raise _refuse(f"The rule gives no visit within {MAX_SPAN.days} days of the first one.")
    if checked.count and len(wall_times) < checked.count:
        raise _refuse(
            f"The rule's {checked.count} visits do not fit within {MAX_SPAN.days} days "
            "of the first one; shorten it."
        )
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


def further(rule: str, first_start: datetime, after: datetime, limit: int) -> list[datetime]:
    """Up to `limit` more occurrences of the rule's pattern after `after`, its own
    COUNT or UNTIL set aside (within MAX_SPAN of the first visit): the make-up
    visits of a series extended past its closures and clashes."""
    tz = clinic_zone()
    pattern = replace(read_rule(rule, tz), count=None, until=None)
    start = timezone.localtime(first_start, tz).replace(tzinfo=None, microsecond=0)
    past = timezone.localtime(after, tz).replace(tzinfo=None)
    walls = _occurrences(
        _with_defaults(pattern, start), start, start + MAX_SPAN, 2 * MAX_OCCURRENCES
    )
    return [wall.replace(tzinfo=tz) for wall in walls if wall > past][:limit]
