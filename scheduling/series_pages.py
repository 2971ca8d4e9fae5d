"""The front desk's series booking with its live conflict preview; a clash is
resolved date by date by taking one of its suggestions (a `move` of that
occurrence to another time of its day, kept in the form as hidden inputs)."""

import contextlib
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import allowed
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from clinic.models import User
from clinic.vocabulary import Role
from referrals.models import TreatmentPlan

from . import series
from .access import SERIES
from .forms import SeriesForm, local_datetime

# --- the front desk's series booking ------------------------------------------------------------


def _booking_plan(request, plan_id):
    """The plan as the front desk sees it: status and counts, no clinical content."""
    return get_object_or_404(
        TreatmentPlan.objects.visible_to(request.user)
        .with_visits_used()
        .select_related("patient", "therapist", "referral")
        .only(
            "id", "status", "planned_visits", "frequency_per_week", "start_date", "therapist",
            "patient__id", "patient__first_name", "patient__last_name",
            "referral__id", "referral__status", "referral__valid_until",
            "referral__visits_prescribed", "referral__signed_at",
            *[f"therapist__{f}" for f in ("id", "first_name", "last_name", "username", "role")],
        ),
        pk=plan_id,
    )  # fmt: skip


def _series_form(request, plan):
    therapists = User.objects.with_role(Role.THERAPIST)
    if request.method == "POST":
        return SeriesForm(request.POST, therapists=therapists)
    return SeriesForm(
        therapists=therapists,
        initial={
            "therapist": plan.therapist_id,
            "first_day": max(plan.start_date, _tomorrow()),
            "at": "10:00",
            "count": max(plan.planned_visits - plan.visits_used, 1),
        },
    )


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def _moves(request) -> dict:
    """The clashes resolved so far: `move` (kept) and `move_N` (just chosen)
    values "2026-12-14T10:00@10:45": the occurrence, then its new time that
    day. Malformed ones are left out."""
    moves = {}
    chosen = [v for k in request.POST if k.startswith("move") for v in request.POST.getlist(k)]
    for value in chosen:
        with contextlib.suppress(ValueError):
            occurrence, at = value.split("@")
            when = datetime.fromisoformat(occurrence)
            start = local_datetime(when.date(), time.fromisoformat(at))
            moves[local_datetime(when.date(), when.time())] = start
    return moves


def _move_value(occurrence, start) -> str:
    occurrence, start = timezone.localtime(occurrence), timezone.localtime(start)
    return f"{occurrence:%Y-%m-%dT%H:%M}@{start:%H:%M}"


def _preview(form, plan, moves=None) -> dict:
    """The preview's context: the occurrences with their clashes, or what is missing."""
    if not form.is_valid():
        missing = [
            (form.fields[name].label if name in form.fields else "Series", errors[0])
            for name, errors in form.errors.items()
        ]
        return {"preview": None, "missing": missing}
    preview = series.preview_series(
        plan=plan,
        therapist=form.cleaned_data["therapist"],
        first_start=form.first_start(),
        duration_minutes=form.cleaned_data["duration_minutes"],
        rrule=form.rrule(),
        room=form.cleaned_data.get("room"),
        moves=moves,
    )
    rows = [
        {
            "start": slot.start,
            "end": slot.end,
            "moved_from": preview.moved.get(slot.start),
            "clashes": [c for c in preview.conflicts if c["occurrence"] == slot.start],
        }
        for slot in preview.occurrences
    ]
    kept = [_move_value(occurrence, start) for start, occurrence in preview.moved.items()]
    return {"preview": preview, "preview_rows": rows, "moves": kept}


@allowed(SERIES, "create")
def series_new(request, plan_id):
    plan = _booking_plan(request, plan_id)
    form = _series_form(request, plan)
    if request.method == "POST" and form.is_valid():
        try:
            booked = series.book_series(
                plan=plan,
                therapist=form.cleaned_data["therapist"],
                first_start=form.first_start(),
                duration_minutes=form.cleaned_data["duration_minutes"],
                rrule=form.rrule(),
                by=request.user,
                on_conflict=form.cleaned_data["on_conflict"],
                extend=form.cleaned_data["extend"],
                room=form.cleaned_data.get("room"),
                moves=_moves(request),
            )
            messages.success(request, series.booked_in_words(booked))
            return redirect("patient_detail", patient_id=plan.patient_id)
        except Invalid as error:
            show_service_error(request, error, form)
        except (DomainConflict, NotAllowed) as error:
            show_service_error(request, error)
    preview = _preview(form, plan, _moves(request)) if request.method == "POST" else {}
    return render(
        request,
        "scheduling/series_form.html",
        {"plan": plan, "form": form, **preview},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@allowed(SERIES, "create")
def series_preview(request, plan_id):
    plan = _booking_plan(request, plan_id)
    form = _series_form(request, plan)
    return render(
        request,
        "scheduling/_series_preview.html",
        {"plan": plan, "form": form, **_preview(form, plan, _moves(request))},
    )
