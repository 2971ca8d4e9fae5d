"""The doctor's desk: my patients with their flags, and one plan's progress
(pain chart, outcome measures, goals, the notes timeline) with renew or end."""

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.access import PATIENT, allowed
from clinic.audit import record, record_many
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from clinic.models import Patient
from clinic.views import PAGE_SIZE, search_patients
from clinic.vocabulary import MEASURE_RANGES, Measure
from referrals.access import PLAN
from referrals.models import PlanStatus, Referral, ReferralStatus, TreatmentPlan
from scheduling.therapy import end_therapy as end_plan

from ..models import ProgressReport, SessionNote
from ..progress import flags_for_patients, plan_progress
from .charts import measure_chart, pain_chart

FLAG_LABELS = {
    "no_improvement": ("Not improving", "bad"),
    "pain_worse": ("Pain worse", "bad"),
    "adverse_reaction": ("Adverse reaction", "bad"),
    "progress_report_due": ("Report due", "warn"),
    "referral_expiring": ("Referral expiring", "warn"),
    "visits_nearly_used": ("Visits nearly used", "warn"),
    "certification_due": ("Certification due", "warn"),
    "clearance_needed": ("Clearance needed", "warn"),
    "report_awaiting_decision": ("Report awaiting decision", "warn"),
    "authorization_running_low": ("Authorization running low", "warn"),
    "goal_met": ("Goal met", "ok"),
}
LIVE_PLAN = (PlanStatus.DRAFT, PlanStatus.PROPOSED, PlanStatus.APPROVED)


def flag_badges(codes):
    return [
        {
            "code": c,
            "label": FLAG_LABELS.get(c, (c, "info"))[0],
            "tone": FLAG_LABELS.get(c, ("", "info"))[1],
        }
        for c in codes
    ]


def _status_of(referral, plan) -> str:
    if referral is None:
        return "No referral"
    if plan is not None and plan.status in LIVE_PLAN:
        return {
            PlanStatus.DRAFT: "Plan being written",
            PlanStatus.PROPOSED: "Plan to review",
            PlanStatus.APPROVED: "In therapy",
        }[plan.status]
    status = referral.effective_status
    if status == ReferralStatus.SIGNED:
        return "Waiting for a plan"
    return f"Referral {referral.get_status_display().lower() if status != 'expired' else 'expired'}"


@allowed(PATIENT, "list_in_care")
def my_patients(request):
    """The doctor's patients (those she registered or referred), each with where her
    episode stands and what needs a decision. A fixed number of queries for any
    number of rows."""
    term = request.GET.get("q", "").strip()
    user = request.user
    mine = Patient.objects.filter(Q(created_by=user) | Q(referrals__doctor=user)).distinct()
    patients = list(search_patients(mine, term).order_by("last_name", "first_name")[:PAGE_SIZE])
    referrals = (
        Referral.objects.visible_to(request.user)
        .filter(patient__in=patients)
        .prefetch_related(Prefetch("plans", queryset=TreatmentPlan.objects.order_by("-created_at")))
        .order_by("-created_at")
    )
    latest = {}
    for referral in referrals:
        latest.setdefault(referral.patient_id, referral)
    current_plans = {pid: next(iter(r.plans.all()), None) for pid, r in latest.items()}
    flags = flags_for_patients(patients, plans=TreatmentPlan.objects.visible_to(user))
    # the flags are read from the episodes' notes and measurements: a clinical read
    record_many(
        actor=user,
        action="patient.flags_read",
        targets=[p for p in patients if flags.get(p.pk)],
        patient_of=lambda patient: patient.pk,
    )
    rows = []
    for patient in patients:
        referral, plan = latest.get(patient.pk), current_plans.get(patient.pk)
        rows.append(
            {
                "patient": patient,
                "referral": referral,
                "plan": plan,
                "status": _status_of(referral, plan),
                "flags": flag_badges(flags.get(patient.pk, [])),
            }
        )
    return render(request, "sessions_log/my_patients.html", {"rows": rows, "q": term})


@allowed(PLAN, "progress")
def plan_progress_page(request, plan_id):
    plan = get_object_or_404(
        TreatmentPlan.objects.visible_to(request.user, glass=True).select_related(
            "patient", "therapist", "referral__doctor"
        ),
        pk=plan_id,
    )
    record(actor=request.user, action="plan.progress_read", target=plan, patient=plan.patient)
    progress = plan_progress(plan)
    labels = dict(Measure.choices)
    measures = [
        measure_chart(labels.get(m, m), *MEASURE_RANGES.get(m, (0, 100)), trend["points"])
        for m, trend in progress["measurements"].items()
    ]
    notes = (
        SessionNote.objects.visible_to(request.user, glass=True)
        .filter(plan=plan)
        .select_related("appointment", "therapist")
        .prefetch_related("addenda__author")
        .order_by("-appointment__start")
    )
    return render(
        request,
        "sessions_log/progress.html",
        {
            "plan": plan,
            "referral": plan.referral,
            "progress": progress,
            "flags": flag_badges(progress["flags"]),
            "pain": pain_chart(progress["sessions"]),
            "measures": measures,
            "measure_labels": labels,
            "notes": notes,
            "reports": ProgressReport.objects.visible_to(request.user, glass=True)
            .filter(plan=plan)
            .order_by("-created_at"),
            "can_decide": request.user.pk == plan.referral.doctor_id,
        },
    )


@require_POST
@allowed(PLAN, "end_therapy")
def end_therapy(request, plan_id):
    """Therapy ends: the plan is completed (booked visits cancelled) and its referral with it."""
    plan = get_object_or_404(
        TreatmentPlan.objects.visible_to(request.user).select_related("referral"), pk=plan_id
    )
    try:
        # the plan and its referral completed, the visits still booked released
        end_plan(plan=plan, by=request.user, discharge_summary=request.POST.get("summary", ""))
        messages.success(request, "Therapy ended: the plan and the referral are completed.")
    except (DomainConflict, Invalid, NotAllowed) as error:
        show_service_error(request, error)
    return redirect("plan_progress", plan_id=plan.pk)
