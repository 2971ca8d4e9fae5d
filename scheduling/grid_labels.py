"""The words and links of the calendar's grid, worked out once per page in
Python instead of per visit in the template. On the week of 40 therapists
(about 1,200 visits, 280 columns) the template's own `{% url %}` tags, display
lookups and date filters were most of the page's time (the bench's "page: week
calendar, all therapists": 3.3x the floor's p99, over its 3x target). A visit's
link is drawn here whole (`visit_html`): fourteen variables each, 1,200 times,
were a third of the render."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from clinic.vocabulary import AppointmentStatus

from .grid import Grid
from .models import AppointmentKind

# A valid id for the URL converters, swapped for each visit's own.
_SOME_ID = "00000000-0000-0000-0000-000000000000"


def label_grid(grid: Grid, *, can_move: bool, by_room: bool) -> None:
    detail = reverse("appointment_detail", args=[_SOME_ID])
    move = reverse("appointment_move", args=[_SOME_ID])
    # the labels are lazy translations: made plain strings once, not per visit
    kinds = {value: str(label) for value, label in AppointmentKind.choices}
    statuses = {value: str(label) for value, label in AppointmentStatus.choices}
    for group in grid.groups:
        day_iso, day_long = group.day.isoformat(), date_format(group.day, "l M j")
        for column in group.columns:
            column.who, column.day_iso, column.day_long = str(column.therapist), day_iso, day_long
            for placed in column.visits:
                visit = placed.visit
                placed.id, placed.status = str(visit.pk), visit.status
                placed.href = detail.replace(_SOME_ID, placed.id)
                placed.movable = can_move and visit.status == AppointmentStatus.BOOKED
                placed.move_href = move.replace(_SOME_ID, placed.id) if placed.movable else ""
                placed.name = str(visit.patient)
                meta = [kinds.get(visit.kind, visit.kind), statuses.get(visit.status, visit.status)]
                if visit.series_id:
                    meta.append("series")
                if by_room:
                    meta.append(str(visit.therapist))
                placed.meta = " · ".join(meta)
                placed.html = visit_html(placed)


def visit_html(p) -> str:
    """A visit on the grid: a link to its page, placed by classes (the CSP allows
    no inline style); draggable by static/js/calendar.js when `movable`, with its
    precautions as a badge (named in words for screen readers). Only the words
    are escaped: the rest are numbers, "HH:MM" times, a status value, a UUID and
    the paths reversed from it."""
    moves = f' data-move-url="{p.move_href}" aria-describedby="cal-help"' if p.movable else ""
    flag = ""
    if p.precautions:
        words = escape("; ".join(p.precautions))
        flag = (
            f'<span class="badge badge-bad cal-flag" title="{words}">Precaution'
            f'<span class="visually-hidden">: {words}</span></span>'
        )
    resize = '<span class="cal-resize" aria-hidden="true"></span>' if p.movable else ""
    return mark_safe(  # noqa: S308 - the words above are escaped, the rest are ours
        f'<a class="cal-visit status-{p.status} at-{p.top} len-{p.length} '
        f'lane-{p.lane}-of-{p.lanes}" href="{p.href}" draggable="false" data-id="{p.id}" '
        f'data-start="{p.starts}" data-end="{p.ends}"{moves}>'
        f'<span class="cal-time">{p.starts}–{p.ends}</span>'
        f'<span class="cal-name">{escape(p.name)}</span>'
        f'<span class="cal-meta">{escape(p.meta)}</span>{flag}{resize}</a>'
    )
