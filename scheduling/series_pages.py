"""The front desk's series booking with its live conflict preview."""

from datetime import timedelta

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
from .forms import SeriesForm

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


def _preview(form, plan) -> dict:
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
    )
    rows = [
        {
            "start": slot.start,
            "end": slot.end,
            "clashes": [c for c in preview.conflicts if c["occurrence"] == slot.start],
        }
        for slot in preview.occurrences
    ]
    return {"preview": preview, "preview_rows": rows}


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
            )
            messages.success(request, series.booked_in_words(booked))
            return redirect("patient_detail", patient_id=plan.patient_id)
        except Invalid as error:
            show_service_error(request, error, form)
        except (DomainConflict, NotAllowed) as error:
            show_service_error(request, error)
    preview = _preview(form, plan) if request.method == "POST" else {}
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
        {"plan": plan, "form": form, **_preview(form, plan)},
    )
