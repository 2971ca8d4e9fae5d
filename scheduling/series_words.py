"""A booked series in the front desk's words: counts that agree in number,
how many of how many were booked and why each date was left out, and the days
of a series' rule the clinic was closed."""

from datetime import date

from django.utils import timezone

from .models import AppointmentSeries, Closure
from .recurrence import expand


def visits(count: int) -> str:
    """ "1 visit", "7 visits": counts in words that agree in number."""
    return f"{count} visit" if count == 1 else f"{count} visits"


def booked_in_words(booked) -> str:
    """What the front desk is told after booking a series (a SeriesBooking): how many of how
    many, and why each one left out is (an 8-visit series never silently
    becomes 7)."""
    done = len(booked.appointments)
    asked = done + booked.short_by
    head = f"{visits(done)} booked" if asked == done else f"{done} of {visits(asked)} booked"
    reasons = []
    for skipped in booked.skipped:
        local = timezone.localtime(skipped.occurrence)
        why = skipped.detail.rstrip(".")
        if skipped.suggestions:
            free = ", ".join(f"{timezone.localtime(s['start']):%H:%M}" for s in skipped.suggestions)
            why += f"; free that day: {free}"
        reasons.append(f"{local:%a %b %d} ({why})")
    made_up = done - (asked - len(booked.skipped)) if booked.skipped else 0
    tail = f" Skipped: {'; '.join(reasons)}." if reasons else ""
    if made_up > 0:
        tail += f" {visits(made_up).capitalize()} made up after the last."
    return f"{head}.{tail}"


def skipped_dates(series: AppointmentSeries) -> list[date]:
    """The days of a series' rule left out because the clinic was closed (for
    showing a series after it was booked; `book_series` reports them too)."""
    days = {timezone.localtime(s).date() for s in expand(series.rrule, series.first_start)}
    booked = {
        timezone.localtime(s).date() for s in series.appointments.values_list("start", flat=True)
    }
    closed = Closure.objects.filter(date__in=days - booked).values_list("date", flat=True)
    return sorted(closed)
