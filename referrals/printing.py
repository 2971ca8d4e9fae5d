"""A referral, a plan of care and a discharge summary as PDF (API.md, Outside physicians and
documents; clinic/printing.py). Signed, each prints once and is reprinted as
kept: a referral from its signature, a plan of care per certification."""

from django.utils import timezone

from clinic.printing import render_pdf, signed_copy

from .models import LinkOutcome, PlanStatus, Referral, TreatmentPlan
from .plans import certification_end, first_certified_day


def referral_pdf(referral: Referral) -> bytes:
    def render():
        return render_pdf("pdf/referral.html", {"referral": referral, "patient": referral.patient})

    if referral.signed_at is None:
        return render()
    return signed_copy(referral, "referral", render)


def plan_of_care_pdf(plan: TreatmentPlan) -> bytes:
    def render():
        return render_pdf(
            "pdf/plan_of_care.html",
            {
                "plan": plan,
                "patient": plan.patient,
                "certification": certification_period(plan),
                "certifier": plan.approved_by or plan.referral.prescriber,
                # an outside physician's approval: the typed name and drawn signature
                "link": plan.links.filter(outcome=LinkOutcome.APPROVED).first(),
            },
        )

    if plan.approved_at is None:
        return render()
    # a recertification is a new signature over a new period: a new kept copy
    return signed_copy(plan, f"plan_of_care:{plan.certified_until or ''}", render)


def certification_period(plan: TreatmentPlan) -> dict:
    """From the first certified day through `certified_until`; for a plan not yet
    approved, the period an approval today would certify."""
    if plan.approved_at is None:
        starts = first_certified_day(plan)
        return {"start": starts, "end": certification_end(starts=starts)}
    approved = timezone.localdate(plan.approved_at)
    return {"start": max(plan.start_date, approved), "end": plan.certified_until}


def discharge_pdf(plan: TreatmentPlan) -> bytes | None:
    """The discharge summary of a plan that ended; None while therapy goes on."""
    if plan.status != PlanStatus.COMPLETED or not plan.ended_at:
        return None

    def render():
        return render_pdf("pdf/discharge.html", {"plan": plan, "patient": plan.patient})

    return signed_copy(plan, "discharge", render)
