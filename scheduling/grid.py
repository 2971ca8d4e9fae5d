"""The calendar's time grid, as plain data for the template: a column per
therapist and day, the visits placed on 5-minute rows, and the shaded bands
(outside the clinic's hours, outside the therapist's working hours, time off,
closures). No query here: the page loads the rows once and passes them in, so
the week of 40 therapists costs what the week of one does.

Positions are row numbers, drawn by the classes of static/css/calendar.css
(`at-N`, `len-N`, `rows-N`): the CSP allows no inline style."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .availability import clinic_hours
from .recurrence import clinic_zone

ROW_MINUTES = 5
MAX_ROWS = 24 * 60 // ROW_MINUTES  # a whole day: the classes at-0 .. at-288
MAX_LENGTH_ROWS = 8 * 60 // ROW_MINUTES  # a visit is drawn at most 8 hours long
MAX_LANES = 3  # overlapping visits (a no-show and its rebooking) side by side
# Visits keep to the clinic's hours, so none crosses a whole day: a lower bound on
# `start` lets PostgreSQL read a day or a week from the (start, id) index. Without
# it `end > monday` bounds nothing indexed, and the week of 40 therapists scanned
# every visit ever booked (67 ms at 600,000 visits, bench/RESULTS-growth.md).
NO_VISIT_LONGER = timedelta(days=1)


@dataclass
class Band:
    """A shaded stretch of a column: the clinic closed or the therapist away."""

    top: int
    length: int
    kind: str  # closed | off | away
    label: str


@dataclass
class Placed:
    visit: object
    top: int
    length: int
    starts: str  # "10:00", clinic time
    ends: str
    lane: int = 0
    lanes: int = 1
    precautions: list[str] = field(default_factory=list)
    # the page's words and links (grid_labels.label_grid)
    id: str = ""
    status: str = ""
    href: str = ""
    movable: bool = False
    move_href: str = ""
    name: str = ""
    meta: str = ""
    html: str = ""


@dataclass
class Column:
    day: date
    therapist: object
    bands: list[Band] = field(default_factory=list)
    visits: list[Placed] = field(default_factory=list)
    closure: object = None
    # the page's words (grid_labels.label_grid)
    who: str = ""
    day_iso: str = ""
    day_long: str = ""


@dataclass
class DayGroup:
    day: date
    columns: list[Column]
    closure: object = None


@dataclass
class Grid:
    first_minute: int
    rows: int
    hours: list[tuple[int, str]]  # (row, "08:00") for the time axis
    groups: list[DayGroup]


def _minute(moment: datetime, day: date) -> int:
    """Minutes since the start of `day` (clinic time), clipped to the day."""
    local = moment.astimezone(clinic_zone())
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def _span(first: int, last: int, visits) -> tuple[int, int]:
    """The grid's minutes: the clinic's hours, widened to whole hours so that no
    visit falls outside it."""
    for visit in visits:
        day = visit.start.astimezone(clinic_zone()).date()
        first = min(first, _minute(visit.start, day) // 60 * 60)
        last = max(last, -(-_minute(visit.end, day) // 60) * 60)
    return first, min(max(last, first + 60), 24 * 60)


def build_grid(
    *, days, therapists, visits, hours, time_off, closures, precautions, key="therapist_id"
) -> Grid:
    """`hours` {therapist id: {weekday: [(start, end)]}}; `time_off` rows with
    therapist_id, start, end, reason; `closures` {date: Closure}; `precautions`
    {patient id: [label]} (empty for those who may not read them). The columns
    are `therapists`, or any rows a visit names by `key` (the rooms: "room_id")."""
    opens, closes = clinic_hours()
    first, last = _span(opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute, visits)
    grid = Grid(first_minute=first, rows=(last - first) // ROW_MINUTES, hours=[], groups=[])
    grid.hours = [((m - first) // ROW_MINUTES, f"{m // 60:02d}:00") for m in range(first, last, 60)]
    columns = {}
    for day in days:
        group = DayGroup(day=day, columns=[], closure=closures.get(day))
        for therapist in therapists:
            column = Column(day=day, therapist=therapist, closure=group.closure)
            column.bands = _bands(grid, column, hours.get(therapist.pk), (opens, closes))
            group.columns.append(column)
            columns[(day, therapist.pk)] = column
        grid.groups.append(group)
    for off in time_off:
        for day in days:
            column = columns.get((day, off.therapist_id))
            if column and not column.closure:
                _shade(grid, column, _minute(off.start, day), _minute(off.end, day), "away",
                       f"Time off{': ' + off.reason if off.reason else ''}")  # fmt: skip
    for visit in visits:
        day = visit.start.astimezone(clinic_zone()).date()
        column = columns.get((day, getattr(visit, key)))
        if column is not None:
            column.visits.append(_place(grid, visit, day, precautions.get(visit.patient_id, [])))
    for column in columns.values():
        _assign_lanes(column.visits)
    return grid


def _bands(grid: Grid, column: Column, hours, clinic) -> list[Band]:
    if column.closure:
        return [Band(0, grid.rows, "closed", f"Closed: {column.closure.reason}")]
    bands = []
    opens, closes = (t.hour * 60 + t.minute for t in clinic)
    _shade(grid, column, 0, opens, "closed", "Clinic closed", bands)
    _shade(grid, column, closes, 24 * 60, "closed", "Clinic closed", bands)
    if hours is not None:  # no working hours at all: bookable whenever the clinic is open
        free = opens
        for start, end in sorted(hours.get(column.day.weekday(), [])):
            start_m, end_m = start.hour * 60 + start.minute, end.hour * 60 + end.minute
            _shade(grid, column, free, min(start_m, closes), "off", "Not working", bands)
            free = max(free, end_m)
        _shade(grid, column, free, closes, "off", "Not working", bands)
    return bands


def _shade(grid, column, start_minute, end_minute, kind, label, into=None) -> None:
    top = max(start_minute - grid.first_minute, 0) // ROW_MINUTES
    bottom = min(end_minute - grid.first_minute, grid.rows * ROW_MINUTES) // ROW_MINUTES
    if bottom > top:
        (column.bands if into is None else into).append(Band(top, bottom - top, kind, label))


def _place(grid: Grid, visit, day: date, precautions: list[str]) -> Placed:
    start, end = _minute(visit.start, day), _minute(visit.end, day)
    top = (start - grid.first_minute) // ROW_MINUTES
    length = max(-(-(end - start) // ROW_MINUTES), 1)
    local_end = visit.end.astimezone(clinic_zone())
    return Placed(
        visit=visit,
        top=top,
        length=min(length, MAX_LENGTH_ROWS, grid.rows - top),
        starts=f"{start // 60:02d}:{start % 60:02d}",
        ends=f"{local_end:%H:%M}",
        precautions=precautions,
    )


def _assign_lanes(placed: list[Placed]) -> None:
    """Visits that overlap (only a visit no longer live can overlap another)
    share the column's width, each in its own lane."""
    placed.sort(key=lambda p: (p.top, -p.length))
    cluster, reach = [], -1
    for item in [*placed, None]:
        if item is None or item.top >= reach:
            for lane_item in cluster:
                lane_item.lanes = min(max(p.lane for p in cluster) + 1, MAX_LANES)
            cluster, reach = [], -1
        if item is None:
            break
        used = {p.lane for p in cluster if p.top + p.length > item.top}
        item.lane = min(next(i for i in range(MAX_LANES + 1) if i not in used), MAX_LANES - 1)
        cluster.append(item)
        reach = max(reach, item.top + item.length)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]
