"""The therapist's intake queue and plan editor; the doctor's plan review."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import allowed
from clinic.audit import record
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error

from .. import plans, signature_links
from ..access import PLAN, REFERRAL, SERVICE_ERRORS, access_plan, access_referral
from ..forms import PlanForm
from ..models import LinkPurpose, PlanStatus, Referral, TreatmentPlan

# --- the therapist's intake queue, plans, and plan editor --------------------------------------


@allowed(REFERRAL, "intake")
def intake_queue(request):
    referrals = (
        Referral.objects.visible_to(request.user)
        .intake_queue()
        .select_related("patient", "doctor", "outside_physician")
        .prefetch_related("target_areas")
        .order_by("signed_at")
    )
    return render(request, "referrals/intake_queue.html", {"referrals": referrals})


@allowed(PLAN, "mine")
def my_plans(request):
    plans = (
        TreatmentPlan.objects.visible_to(request.user)
        .filter(therapist=request.user)
        .with_visits_used()
        .select_related("patient", "referral__doctor", "referral__outside_physician")
        .order_by("status", "-updated_at")
    )
    return render(request, "referrals/plan_list.html", {"plans": plans, "title": "My plans"})


@allowed(PLAN, "review")
def plans_to_review(request):
    plans = (
        TreatmentPlan.objects.visible_to(request.user)
        .filter(status=PlanStatus.PROPOSED)
        .with_visits_used()
        .select_related("patient", "referral__doctor", "referral__outside_physician", "therapist")
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
        problems = plans.validate_plan_content(nested, referral=referral, partial=True)
        for name, value in {**problems, **errors}.items():
            show_service_error(request, Invalid({name: value}), form)
        return None
    data = {**form.cleaned_data, **nested}
    try:
        if plan is None:
            plan = plans.create_plan(therapist=request.user, referral=referral, data=data)
        else:
            plan = plans.update_plan(plan=plan, by=request.user, data=data)
        if "propose" in request.POST:
            plan = plans.propose_plan(plan=plan, by=request.user)
    except Invalid as error:
        show_service_error(request, error, form)
        return None
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return None
    return plan


@allowed(PLAN, "create")
def plan_new(request, referral_id):
    referral = access_referral(request.user, referral_id)
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


@allowed(PLAN, "update")
def plan_edit(request, plan_id):
    plan = access_plan(request.user, plan_id, "update")
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
            initial={f: getattr(plan, f) for f in plans.PLAN_FIELDS},
        )
        form.load(plan)
    return _render_plan_form(request, form, referral=plan.referral, plan=plan)


@allowed(PLAN, "read")
def plan_detail(request, plan_id):
    """The plan beside its referral: the therapist's view and the doctor's review;
    the front desk reads its status fields only (as in the API)."""
    plan = access_plan(request.user, plan_id, "read", glass=True)
    record(actor=request.user, action="plan.read", target=plan, patient=plan.patient)
    if not PLAN.may(request.user, "read_clinical"):
        context = {"plan": plan, "referral": plan.referral}
        return render(request, "referrals/status_detail.html", context)
    # the therapist's flag: waiting for the signature
    waiting = plan.links.open().filter(purpose=LinkPurpose.PLAN_OF_CARE).first()
    context = {"plan": plan, "referral": plan.referral, "waiting_link": waiting}
    return render(request, "referrals/plan_detail.html", context)


@require_POST
@allowed(PLAN, "request_signature")
def plan_request_signature(request, plan_id):
    plan = access_plan(request.user, plan_id, "request_signature")
    try:
        link = signature_links.request_signature(plan=plan, by=request.user)
        messages.success(request, f"The plan of care went to {link.email} to be signed.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@allowed(PLAN, "propose")
def plan_propose(request, plan_id):
    plan = access_plan(request.user, plan_id, "propose")
    try:
        plans.propose_plan(plan=plan, by=request.user)
        messages.success(request, "Plan proposed to the referring doctor.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@allowed(PLAN, "approve")
def plan_approve(request, plan_id):
    plan = access_plan(request.user, plan_id, "approve")
    try:
        plans.approve_plan(plan=plan, by=request.user)
        messages.success(request, "Plan approved; the front desk can book its visits.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@allowed(PLAN, "request_changes")
def plan_send_back(request, plan_id):
    plan = access_plan(request.user, plan_id, "request_changes")
    try:
        plans.request_plan_changes(
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
