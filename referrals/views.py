"""Referral and plan pages: the doctor's referral form with the diagnosis search
and the body map, the therapist's intake queue and plan editor, the doctor's
plan review, and the front desk's series booking with its live preview."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic import scheduling
from clinic.audit import record
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import SeriesForm, show_service_error
from clinic.models import Patient, User
from clinic.views import role_required
from clinic.vocabulary import Role

from . import icd10, services
from .forms import SIDE_CHOICES, PlanForm, ReferralForm
from .models import PlanArea, PlanStatus, Referral, TreatmentPlan

SERVICE_ERRORS = (DomainConflict, Invalid, NotAllowed)
CLINICAL = (Role.DOCTOR, Role.THERAPIST, Role.MANAGER)


def referral_for(user, referral_id):
    return get_object_or_404(
        Referral.objects.visible_to(user)
        .select_related("patient", "doctor", "renewal_of")
        .prefetch_related("diagnoses", "target_areas", "recommended_modalities"),
        pk=referral_id,
    )


def plan_for(user, plan_id):
    return get_object_or_404(
        TreatmentPlan.objects.visible_to(user)
        .with_visits_used()
        .select_related("patient", "therapist", "referral__doctor")
        .prefetch_related(
            "goals",
            Prefetch("areas", queryset=PlanArea.objects.prefetch_related("modalities")),
            "referral__diagnoses",
            "referral__target_areas",
            "referral__recommended_modalities",
        ),
        pk=plan_id,
    )


# --- diagnosis search (htmx) -------------------------------------------------------------------


@require_GET
@role_required(Role.DOCTOR)
def icd10_search(request):
    term = request.GET.get("q", "").strip()
    results = icd10.search(term, limit=15) if len(term) >= 2 else []
    return render(request, "referrals/_icd10_results.html", {"results": results, "q": term})


@require_GET
@role_required(Role.DOCTOR)
def icd10_pick(request):
    code = icd10.normalise(request.GET.get("code", ""))
    if not icd10.is_billable(code):
        return render(request, "referrals/_icd10_results.html", {"results": [], "q": code})
    diagnosis = {"code": code, "description": icd10.describe(code)}
    return render(request, "referrals/_diagnosis_item.html", {"d": diagnosis})


# --- the referral form ------------------------------------------------------------------------


def _render_referral_form(request, form, *, patient, referral=None, renewal_of=None):
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "patient": patient,
            "referral": referral,
            "renewal_of": renewal_of,
            "side_choices": SIDE_CHOICES,
        },
        status=400 if form.errors else 200,
    )


def _save_referral(request, form, *, patient, referral=None, renewal_of=None):
    """Create or update from the form, then sign if asked; None when it failed."""
    if not form.is_valid():
        # show the nested problems together with the field ones
        for name, problems in services.validate_referral_content(
            form.nested(), partial=True
        ).items():
            show_service_error(request, Invalid({name: problems}), form)
        return None
    try:
        data = form.data_for_service()
        if referral is None:
            referral = services.create_referral(
                doctor=request.user, patient=patient, data=data, renewal_of=renewal_of
            )
        else:
            referral = services.update_referral(referral=referral, by=request.user, data=data)
        if "sign" in request.POST:
            referral = services.sign_referral(referral=referral, by=request.user)
    except Invalid as error:
        show_service_error(request, error, form)
        return None
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return None
    return referral


@role_required(Role.DOCTOR)
def referral_new(request, patient_id):
    patient = get_object_or_404(Patient.objects.visible_to(request.user), pk=patient_id)
    renewal_of = None
    if request.GET.get("renewal_of") or request.POST.get("renewal_of"):
        renewal_id = request.GET.get("renewal_of") or request.POST.get("renewal_of")
        renewal_of = referral_for(request.user, renewal_id)
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        referral = _save_referral(request, form, patient=patient, renewal_of=renewal_of)
        if referral:
            messages.success(request, f"Referral {referral.get_status_display().lower()}.")
            return redirect("referral_detail", referral_id=referral.pk)
    elif renewal_of:
        form = ReferralForm(initial=_renewal_initial(renewal_of))
        form.load(renewal_of)
    return _render_referral_form(request, form, patient=patient, renewal_of=renewal_of)


def _renewal_initial(referral):
    return {
        "precautions": referral.precautions,
        "visits_prescribed": referral.visits_prescribed,
        "frequency_per_week": referral.frequency_per_week,
        "recommended_modalities": [m.code for m in referral.recommended_modalities.all()],
    }


@role_required(Role.DOCTOR)
def referral_edit(request, referral_id):
    referral = referral_for(request.user, referral_id)
    if referral.doctor_id != request.user.pk or referral.is_locked:
        messages.error(request, "A signed referral is not edited; write a renewal instead.")
        return redirect("referral_detail", referral_id=referral.pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        saved = _save_referral(request, form, patient=referral.patient, referral=referral)
        if saved:
            messages.success(request, f"Referral {saved.get_status_display().lower()}.")
            return redirect("referral_detail", referral_id=saved.pk)
    else:
        form = ReferralForm(
            initial={**_renewal_initial(referral), "valid_until": referral.valid_until}
        )
        form.load(referral)
    return _render_referral_form(request, form, patient=referral.patient, referral=referral)


@role_required(*CLINICAL)
def referral_detail(request, referral_id):
    referral = referral_for(request.user, referral_id)
    record(actor=request.user, action="referral.read", target=referral, patient=referral.patient)
    plans = referral.plans.select_related("therapist")
    return render(request, "referrals/referral_detail.html", {"referral": referral, "plans": plans})


@require_POST
@role_required(Role.DOCTOR)
def referral_sign(request, referral_id):
    referral = referral_for(request.user, referral_id)
    try:
        services.sign_referral(referral=referral, by=request.user)
        messages.success(request, "Referral signed.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("referral_detail", referral_id=referral.pk)


# --- the therapist's intake queue, plans, and plan editor --------------------------------------


@role_required(Role.THERAPIST)
def intake_queue(request):
    referrals = (
        Referral.objects.visible_to(request.user)
        .intake_queue()
        .select_related("patient", "doctor")
        .prefetch_related("target_areas")
        .order_by("signed_at")
    )
    return render(request, "referrals/intake_queue.html", {"referrals": referrals})


@role_required(Role.THERAPIST)
def my_plans(request):
    plans = (
        TreatmentPlan.objects.visible_to(request.user)
        .filter(therapist=request.user)
        .with_visits_used()
        .select_related("patient", "referral__doctor")
        .order_by("status", "-updated_at")
    )
    return render(request, "referrals/plan_list.html", {"plans": plans, "title": "My plans"})


@role_required(Role.DOCTOR)
def plans_to_review(request):
    plans = (
        TreatmentPlan.objects.visible_to(request.user)
        .filter(status=PlanStatus.PROPOSED)
        .with_visits_used()
        .select_related("patient", "referral__doctor", "therapist")
        .order_by("proposed_at")
    )
    return render(request, "referrals/plan_list.html", {"plans": plans, "title": "Plans to review"})


def _render_plan_form(request, form, *, referral, plan=None):
    return render(
        request,
        "referrals/plan_form.html",
        {"form": form, "referral": referral, "plan": plan},
        status=400 if form.errors else 200,
    )


def _save_plan(request, form, *, referral, plan=None):
    nested, errors = form.nested()
    if not form.is_valid() or errors:
        problems = services.validate_plan_content(nested, referral=referral, partial=True)
        for name, value in {**problems, **errors}.items():
            show_service_error(request, Invalid({name: value}), form)
        return None
    data = {**form.cleaned_data, **nested}
    try:
        if plan is None:
            plan = services.create_plan(therapist=request.user, referral=referral, data=data)
        else:
            plan = services.update_plan(plan=plan, by=request.user, data=data)
        if "propose" in request.POST:
            plan = services.propose_plan(plan=plan, by=request.user)
    except Invalid as error:
        show_service_error(request, error, form)
        return None
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return None
    return plan


@role_required(Role.THERAPIST)
def plan_new(request, referral_id):
    referral = referral_for(request.user, referral_id)
    existing = referral.plans.exclude(status=PlanStatus.DISCONTINUED).first()
    if existing:
        return redirect("plan_detail", plan_id=existing.pk)
    form = PlanForm(
        request.POST or None,
        referral=referral,
        initial={
            "frequency_per_week": referral.frequency_per_week,
            "planned_visits": referral.visits_prescribed,
            "start_date": timezone.localdate(),
        },
    )
    if request.method == "POST":
        plan = _save_plan(request, form, referral=referral)
        if plan:
            messages.success(request, f"Plan {plan.get_status_display().lower()}.")
            return redirect("plan_detail", plan_id=plan.pk)
    return _render_plan_form(request, form, referral=referral)


@role_required(Role.THERAPIST)
def plan_edit(request, plan_id):
    plan = plan_for(request.user, plan_id)
    if plan.therapist_id != request.user.pk or not plan.is_editable:
        messages.error(request, f"A {plan.status} plan cannot be edited; only drafts can.")
        return redirect("plan_detail", plan_id=plan.pk)
    form = PlanForm(request.POST or None, referral=plan.referral)
    if request.method == "POST":
        saved = _save_plan(request, form, referral=plan.referral, plan=plan)
        if saved:
            messages.success(request, f"Plan {saved.get_status_display().lower()}.")
            return redirect("plan_detail", plan_id=saved.pk)
    else:
        form = PlanForm(
            referral=plan.referral,
            initial={f: getattr(plan, f) for f in services.PLAN_FIELDS},
        )
        form.load(plan)
    return _render_plan_form(request, form, referral=plan.referral, plan=plan)


@role_required(*CLINICAL)
def plan_detail(request, plan_id):
    """The plan beside its referral: the therapist's view and the doctor's review."""
    plan = plan_for(request.user, plan_id)
    record(actor=request.user, action="plan.read", target=plan, patient=plan.patient)
    return render(request, "referrals/plan_detail.html", {"plan": plan, "referral": plan.referral})


@require_POST
@role_required(Role.THERAPIST)
def plan_propose(request, plan_id):
    plan = plan_for(request.user, plan_id)
    try:
        services.propose_plan(plan=plan, by=request.user)
        messages.success(request, "Plan proposed to the referring doctor.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@role_required(Role.DOCTOR)
def plan_approve(request, plan_id):
    plan = plan_for(request.user, plan_id)
    try:
        services.approve_plan(plan=plan, by=request.user)
        messages.success(request, "Plan approved; the front desk can book its visits.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@role_required(Role.DOCTOR)
def plan_send_back(request, plan_id):
    plan = plan_for(request.user, plan_id)
    try:
        services.request_plan_changes(
            plan=plan, by=request.user, comment=request.POST.get("comment", "")
        )
        messages.success(request, "Plan sent back to the therapist with your comment.")
    except Invalid as error:
        return render(
            request,
            "referrals/plan_detail.html",
            {
                "plan": plan,
                "referral": plan.referral,
                "comment_errors": error.errors.get("comment"),
            },
            status=400,
        )
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
    return redirect("plan_detail", plan_id=plan.pk)


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
    preview = scheduling.preview_series(
        plan=plan,
        therapist=form.cleaned_data["therapist"],
        first_start=form.first_start(),
        duration_minutes=form.cleaned_data["duration_minutes"],
        rrule=form.rrule(),
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


@role_required(Role.FRONT_DESK, Role.MANAGER)
def series_new(request, plan_id):
    plan = _booking_plan(request, plan_id)
    form = _series_form(request, plan)
    if request.method == "POST" and form.is_valid():
        try:
            booking = scheduling.book_series(
                plan=plan,
                therapist=form.cleaned_data["therapist"],
                first_start=form.first_start(),
                duration_minutes=form.cleaned_data["duration_minutes"],
                rrule=form.rrule(),
                by=request.user,
            )
            messages.success(request, f"{len(booking.appointments)} visits booked.")
            return redirect("patient_detail", patient_id=plan.patient_id)
        except Invalid as error:
            show_service_error(request, error, form)
        except (DomainConflict, NotAllowed) as error:
            show_service_error(request, error)
    preview = _preview(form, plan) if request.method == "POST" else {}
    return render(
        request,
        "referrals/series_form.html",
        {"plan": plan, "form": form, **preview},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(Role.FRONT_DESK, Role.MANAGER)
def series_preview(request, plan_id):
    plan = _booking_plan(request, plan_id)
    form = _series_form(request, plan)
    return render(
        request,
        "referrals/_series_preview.html",
        {"plan": plan, "form": form, **_preview(form, plan)},
    )
