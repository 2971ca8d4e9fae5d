"""The front desk's calendar: a time grid of the day or the week, a column per
therapist (and day), and booking a visit from an empty slot. Moving and
resizing a visit post to the visit's own move page (scheduling.views), so the
grid and the form go through the one booking service."""

import contextlib
from datetime import date, time, timedelta

from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.access import allowed
from clinic.audit import record_many
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from clinic.models import User
from clinic.vocabulary import Role
from referrals.contraindications import rule_of
from referrals.models import PlanStatus, Precaution, Referral, ReferralStatus, TreatmentPlan

from . import booking
from .access import APPOINTMENT, WAITLIST
from .forms import BookForm
from .grid import NO_VISIT_LONGER, ROW_MINUTES, build_grid, week_of
from .grid_labels import label_grid
from .models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Closure,
    OfferStatus,
    Room,
    TimeOff,
    WaitlistOffer,
    WorkingHours,
)
from .recurrence import local_day_start


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _view_of(request) -> tuple[str, date]:
    """`?view=day|week&date=`; the older `?week=` links open that week."""
    if request.GET.get("week") and not request.GET.get("view"):
        return "week", _day(request.GET["week"])
    view = "week" if request.GET.get("view") == "week" else "day"
    return view, _day(request.GET.get("date"))


@allowed(APPOINTMENT, "read")
def calendar(request):
    """The day (a column per therapist) or the week (a column per day and
    therapist) on a time grid: five queries (therapists, visits, working hours,
    time off, closures) however many therapists and visits."""
    user = request.user
    view, day = _view_of(request)
    days = [day] if view == "day" else week_of(day)
    therapists = list(User.objects.with_role(Role.THERAPIST).order_by("last_name", "first_name"))
    chosen = _chosen(request, therapists)
    shown = [chosen] if chosen else therapists
    start, end = local_day_start(days[0]), local_day_start(days[-1] + timedelta(days=1))
    by_room = request.GET.get("by") == "room" and user.role != Role.THERAPIST
    if by_room:
        return _by_room(request, view, day, days, therapists, start, end)
    every = list(
        Appointment.objects.visible_to(user)
        .filter(start__lt=end, end__gt=start, start__gte=start - NO_VISIT_LONGER,
                therapist__in=shown)
        .select_related("patient")
        .only("id", "start", "end", "status", "kind", "series_id", "therapist_id",
              "patient__id", "patient__first_name", "patient__last_name")
        .order_by("start")
    )  # fmt: skip
    # cancelled visits give their slot back: counted under the grid, not drawn on it
    visits = [v for v in every if v.status != AppointmentStatus.CANCELLED]
    grid = build_grid(
        days=days,
        therapists=shown,
        visits=visits,
        hours=_working_hours(shown),
        time_off=TimeOff.objects.filter(start__lt=end, end__gt=start, therapist__in=shown),
        closures={c.date: c for c in Closure.objects.filter(date__gte=days[0], date__lte=days[-1])},
        precautions=_precautions(user, visits),
    )
    can_move = APPOINTMENT.may(user, "update")
    label_grid(grid, can_move=can_move, by_room=False)
    step = timedelta(days=1 if view == "day" else 7)
    return render(
        request,
        "scheduling/calendar.html",
        {
            "grid": grid,
            "view": view,
            "day": day,
            "days": days,
            "previous": day - step,
            "next": day + step,
            "therapists": therapists,
            "chosen": chosen,
            "today": timezone.localdate(),
            "statuses": [s for s in AppointmentStatus.choices if s[0] != "cancelled"],
            "can_book": APPOINTMENT.may(user, "create"),
            "book_url": reverse("calendar_book"),
            "can_move": can_move,
            "can_print": APPOINTMENT.may(user, "sheet"),
            "sheet_url": reverse("day_sheet"),
            "row_minutes": ROW_MINUTES,
            "cancelled": len(every) - len(visits),
            "offers": _open_offers(
                user, [v.pk for v in every if v.status == AppointmentStatus.CANCELLED]
            ),
        },
    )


def _by_room(request, view, day, days, therapists, start, end):
    """The grid with a column per room (and day), read-only: who is in which room
    (drag and book on the therapists' view). Four queries."""
    user = request.user
    rooms = list(Room.objects.select_related("location").order_by("location__name", "name"))
    every = list(
        Appointment.objects.visible_to(user)
        .filter(start__lt=end, end__gt=start, start__gte=start - NO_VISIT_LONGER, room__in=rooms)
        .select_related("patient", "therapist")
        .only("id", "start", "end", "status", "kind", "series_id", "therapist_id", "room_id",
              "patient__id", "patient__first_name", "patient__last_name",
              "therapist__id", "therapist__first_name", "therapist__last_name",
              "therapist__username")
        .order_by("start")
    )  # fmt: skip
    visits = [v for v in every if v.status != AppointmentStatus.CANCELLED]
    grid = build_grid(
        days=days, therapists=rooms, visits=visits, hours={}, time_off=[],
        closures={c.date: c for c in Closure.objects.filter(date__gte=days[0], date__lte=days[-1])},
        precautions=_precautions(user, visits), key="room_id",
    )  # fmt: skip
    label_grid(grid, can_move=False, by_room=True)
    step = timedelta(days=1 if view == "day" else 7)
    return render(
        request,
        "scheduling/calendar.html",
        {
            "grid": grid, "view": view, "day": day, "days": days, "previous": day - step,
            "next": day + step, "therapists": therapists, "chosen": None, "by_room": True,
            "today": timezone.localdate(),
            "statuses": [s for s in AppointmentStatus.choices if s[0] != "cancelled"],
            "can_book": False, "can_move": False, "row_minutes": ROW_MINUTES,
            "can_print": APPOINTMENT.may(user, "sheet") and user.role != Role.THERAPIST,
            "sheet_url": reverse("day_sheet"),
            "cancelled": len(every) - len(visits),
        },
    )  # fmt: skip


def _open_offers(user, cancelled_ids) -> list:
    """The slots of the visits cancelled on the grid still offered to the
    waitlist (the desk's); no cancelled visit shown, no query."""
    if not cancelled_ids or not WAITLIST.may(user, "offers"):
        return []
    return list(
        WaitlistOffer.objects.visible_to(user)
        .filter(status=OfferStatus.OFFERED, freed_id__in=cancelled_ids)
        .filter(start__gte=timezone.now())
        .select_related("entry__patient", "therapist", "room")
        .order_by("start", "entry__created_at")
    )


def _chosen(request, therapists):
    if request.user.role == Role.THERAPIST:
        return request.user
    wanted = request.GET.get("therapist")
    return next((t for t in therapists if str(t.pk) == wanted), None)


def _working_hours(therapists) -> dict:
    """{therapist id: {weekday: [(start, end)]}}: only therapists who have hours."""
    hours: dict = {}
    rows = WorkingHours.objects.filter(therapist__in=therapists).values_list(
        "therapist_id", "weekday", "start_time", "end_time"
    )
    for therapist_id, weekday, starts, ends in rows:
        hours.setdefault(therapist_id, {}).setdefault(weekday, []).append((starts, ends))
    return hours


def _precautions(user, visits) -> dict:
    """{patient id: ["Stop: DVT ..."]}: the standing precautions the user may read
    (none for the front desk: a precaution is clinical). Each one shown is an
    audited read."""
    patients = {v.patient_id for v in visits}
    if not patients:
        return {}
    flags = list(
        Precaution.objects.visible_to(user)
        .in_effect()
        .filter(patient_id__in=patients, cleared_at__isnull=True)
        .select_related("referral")
    )
    record_many(
        actor=user, action="precaution.read", targets=flags, patient_of=lambda p: p.patient_id
    )
    shown: dict = {}
    for flag in flags:
        shown.setdefault(flag.patient_id, []).append(
            f"{rule_of(flag).capitalize()}: {flag.get_kind_display()}"
        )
    return shown


def _evaluable_referrals(user):
    """Signed, still valid referrals with no plan yet and a visit left: a new
    patient's evaluation (API.md, Scheduling (v1 additions))."""
    return (
        Referral.objects.visible_to(user)
        .signed()
        .filter(valid_until__gte=timezone.localdate(), plans__isnull=True)
        .with_visits_used()
        .filter(visits_used_count__lt=F("visits_prescribed"))
        .select_related("patient", "doctor")
        .order_by("patient__last_name", "patient__first_name", "signed_at")
    )


def _bookable_plans(user):
    """Approved plans under a signed referral that still have a visit to give."""
    return (
        TreatmentPlan.objects.visible_to(user)
        .filter(status=PlanStatus.APPROVED, referral__status=ReferralStatus.SIGNED)
        .with_visits_used()
        .filter(visits_used_count__lt=F("planned_visits"))
        .select_related("patient", "therapist", "referral")
        .order_by("patient__last_name", "patient__first_name", "start_date")
    )


@allowed(APPOINTMENT, "create")
def calendar_book(request):
    """Book one visit: a click on an empty slot (or a column's "Book" link)
    opens this with the therapist, day and time filled in."""
    choices = {
        "plans": _bookable_plans(request.user),
        "referrals": _evaluable_referrals(request.user),
    }
    if request.method != "POST":
        form = BookForm(**choices, initial=_slot_asked(request))
        return render(request, "scheduling/calendar_book.html", {"form": form})
    form = BookForm(request.POST, **choices)
    if form.is_valid():
        start, end = form.slot()
        plan, referral = form.cleaned_data["plan"], form.cleaned_data["referral"]
        try:
            visit = booking.book_appointment(
                patient=(plan or referral).patient,
                therapist=form.cleaned_data["therapist"],
                start=start,
                end=end,
                plan=plan,
                referral=referral,
                kind=AppointmentKind.EVALUATION if referral else AppointmentKind.TREATMENT,
                by=request.user,
            )
        except Invalid as error:
            show_service_error(request, _as_form_fields(error), form)
        except (DomainConflict, NotAllowed) as error:
            form.add_error(None, getattr(error, "detail", None) or str(error))
        else:
            local = timezone.localtime(visit.start)
            when = f"{local:%a %b %d at %H:%M}"
            text = f"{visit.patient} is booked with {visit.therapist} on {when}."
            messages.success(request, text)
            return redirect(f"{reverse('calendar')}?view=day&date={local.date().isoformat()}")
    return render(request, "scheduling/calendar_book.html", {"form": form}, status=400)


def _slot_asked(request) -> dict:
    initial = {"duration_minutes": 45}
    if request.GET.get("therapist"):
        initial["therapist"] = request.GET["therapist"]
    if request.GET.get("day"):
        initial["day"] = _day(request.GET["day"])
    with contextlib.suppress(ValueError):
        initial["at"] = time.fromisoformat(request.GET.get("at", ""))
    return initial


def _as_form_fields(error: Invalid) -> Invalid:
    names = {"start": "at", "end": "duration_minutes"}
    return Invalid({names.get(k, k): v for k, v in error.errors.items()})
