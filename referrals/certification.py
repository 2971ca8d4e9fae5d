"""Plan certification, like a real plan of care: the doctor's approval certifies
the plan for a period (at most settings.PLAN_CERTIFICATION_MAX_DAYS); bookings
past the certified end are refused (scheduling.booking.check_prescription); a
significant change to an approved plan sends it back for approval; a renewal
is a new referral pointing at the old one, its visits counted afresh."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from clinic.models import User
from clinic.vocabulary import Role

from . import services
from .contraindications import validate_flags
from .models import PlanStatus, Referral, ReferralStatus, TreatmentPlan


def certification_end(*, starts: date, days: int | None = None) -> date:
    """The last certified day of a period of `days` counting the first one."""
    longest = settings.PLAN_CERTIFICATION_MAX_DAYS
    days = longest if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= longest:
        raise Invalid.field("certify_days", f"Certify for 1 to {longest} days.")
    return starts + timedelta(days=days - 1)


def first_certified_day(plan: TreatmentPlan) -> date:
    return max(timezone.localdate(), plan.start_date)


@transaction.atomic
def recertify_plan(*, plan: TreatmentPlan, by: User, days: int | None = None) -> TreatmentPlan:
    """The doctor continues an approved plan for another period, from the day after
    the current one ends (or from today, if it lapsed)."""
    plan = TreatmentPlan.objects.select_for_update().select_related("referral").get(pk=plan.pk)
    if plan.referral.doctor_id != by.pk:
        raise NotAllowed("Only the referring doctor certifies this plan.")
    if plan.status != PlanStatus.APPROVED:
        raise InvalidTransition(f"A {plan.status} plan cannot be recertified.")
    starts = first_certified_day(plan)
    if plan.certified_until and plan.certified_until >= starts:
        starts = plan.certified_until + timedelta(days=1)
    plan.certified_until = certification_end(starts=starts, days=days)
    plan.version = F("version") + 1
    plan.save(update_fields=["certified_until", "version", "updated_at"])
    record(actor=by, action="plan.recertified", target=plan, patient=plan.patient)
    plan.refresh_from_db()
    return plan


def _significant(plan: TreatmentPlan, data: dict) -> list[str]:
    """What makes a change need the doctor again: a new area, more visits, more often."""
    reasons = []
    current = {(a.region, a.side) for a in plan.areas.all()}
    new = [a for a in data.get("areas") or [] if (a["region"], a["side"]) not in current]
    if new:
        reasons.append("new area " + ", ".join(f"{a['region']} ({a['side']})" for a in new))
    if data.get("planned_visits", plan.planned_visits) > plan.planned_visits:
        reasons.append(f"{plan.planned_visits} -> {data['planned_visits']} visits")
    if data.get("frequency_per_week", plan.frequency_per_week) > plan.frequency_per_week:
        reasons.append(f"{plan.frequency_per_week} -> {data['frequency_per_week']} a week")
    return reasons


@transaction.atomic
def revise_plan(*, plan: TreatmentPlan, by: User, data: dict) -> TreatmentPlan:
    """The therapist revises an approved plan. A minor change (goals, notes,
    fewer visits) keeps the approval; a significant one sends the plan back to
    `proposed` for the doctor, and until approved again no visit can be booked."""
    plan = TreatmentPlan.objects.select_for_update().select_related("referral").get(pk=plan.pk)
    if plan.therapist_id != by.pk:
        raise NotAllowed("Only the plan's therapist may revise it.")
    if plan.status != PlanStatus.APPROVED:
        raise Locked(f"A {plan.status} plan is edited, not revised; only approved plans are.")
    if errors := services.validate_plan_content(data, referral=plan.referral, partial=True):
        raise Invalid(errors)
    if data.get("planned_visits", plan.planned_visits) < plan.visits_used:
        raise Invalid.field(
            "planned_visits", f"{plan.visits_used} visits are already booked or done."
        )
    reasons = _significant(plan, data)
    for field in services.PLAN_FIELDS:
        if field in data:
            setattr(plan, field, data[field])
    if reasons:
        plan.status = PlanStatus.PROPOSED
        plan.proposed_at = timezone.now()
        plan.doctor_comment = ""
    plan.version = F("version") + 1
    plan.save()
    services._write_plan_children(plan, data)
    action = "plan.revised_for_approval" if reasons else "plan.revised"
    record(actor=by, action=action, target=plan, patient=plan.patient, detail="; ".join(reasons))
    plan.refresh_from_db()
    return plan


@transaction.atomic
def send_plan_back(*, plan: TreatmentPlan, by: User, comment: str) -> TreatmentPlan:
    """The doctor asks for a changed plan: an approved plan returns to its
    therapist as a draft with the comment (a progress report's `change`)."""
    if not (comment or "").strip():
        raise Invalid.field("comment", "Say what should change.")
    return services._transition_plan(
        plan,
        by=by,
        may=services._its_doctor(by),
        allowed_from=[PlanStatus.APPROVED],
        to=PlanStatus.DRAFT,
        action="plan.changes_requested",
        doctor_comment=comment.strip(),
        approved_at=None,
        certified_until=None,
    )


@transaction.atomic
def renew_referral(*, referral: Referral, by: User, data: dict) -> Referral:
    """A renewal: a new draft referral pointing at the old one, its content taken
    from it unless `data` says otherwise; its visits are counted afresh."""
    if by.role != Role.DOCTOR:
        raise NotAllowed("Only a doctor renews a referral.")
    if referral.status == ReferralStatus.DRAFT:
        raise InvalidTransition("A draft referral is edited, not renewed.")
    content = {
        "diagnoses": [{"code": d.code} for d in referral.diagnoses.all()],
        "target_areas": [{"region": a.region, "side": a.side} for a in referral.target_areas.all()],
        "recommended_modalities": [m.code for m in referral.recommended_modalities.all()],
        "precautions": referral.precautions,
        "precaution_flags": [
            {"kind": p.kind, "region": p.region, "side": p.side, "note": p.note}
            for p in referral.precaution_flags.filter(cleared_at__isnull=True)
        ],
        "visits_prescribed": referral.visits_prescribed,
        "frequency_per_week": referral.frequency_per_week,
        **data,
    }
    if "valid_until" not in data:
        raise Invalid.field("valid_until", "Say until when the renewal is valid.")
    if bad := validate_flags(content["precaution_flags"]):
        raise Invalid({"precaution_flags": bad})
    return services.create_referral(
        doctor=by, patient=referral.patient, data=content, renewal_of=referral
    )
