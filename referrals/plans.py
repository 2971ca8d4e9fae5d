"""The treatment plan's lifecycle, the one state machine: draft -> proposed ->
approved (certified for a period) -> completed or discontinued; a significant
change or the doctor's answer sends it back. Who may take each step is the
plan's policy (referrals/access.py, PLAN); this module enforces the order."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from clinic.models import User
from clinic.versions import write_if_changed
from clinic.vocabulary import Measure, Role, side_covers

from .models import PlanArea, PlanGoal, PlanStatus, Referral, ReferralStatus, TreatmentPlan
from .services import (
    _check_area,
    _check_modalities,
    _item_errors,
    _known_modalities,
    _require_role,
)


def validate_plan_content(data: dict, *, referral: Referral, partial: bool = False) -> dict:
    errors: dict = {}
    known = _known_modalities()
    if "areas" in data or not partial:
        areas = data.get("areas") or []
        targets = list(referral.target_areas.all())

        def check(item):
            item_errors = _check_area(item)
            if not item_errors and not any(
                t.region == item["region"] and side_covers(t.side, item["side"]) for t in targets
            ):
                item_errors["region"] = [
                    f"{item['region']} ({item['side']}) is not among the referral's target areas."
                ]
            if bad := _check_modalities(item.get("modalities"), known):
                item_errors["modalities"] = bad
            return item_errors

        if not areas:
            errors["areas"] = ["At least one area is required."]
        elif item_errors := _item_errors(areas, check):
            errors["areas"] = item_errors
    if "goals" in data:

        def check_goal(goal):
            return (
                {"measure": [f"{goal.get('measure')!r} is not a measure."]}
                if goal.get("measure") not in Measure.values
                else {}
            )

        if item_errors := _item_errors(data["goals"], check_goal):
            errors["goals"] = item_errors
    if "planned_visits" in data or not partial:
        visits = data.get("planned_visits")
        if not isinstance(visits, int) or visits < 1:
            errors["planned_visits"] = ["Plan at least one visit."]
        elif visits > referral.visits_prescribed:
            errors["planned_visits"] = [
                f"The referral prescribes {referral.visits_prescribed} visits; "
                f"a plan cannot have {visits}."
            ]
    if "frequency_per_week" in data or not partial:
        frequency = data.get("frequency_per_week")
        if not isinstance(frequency, int) or not 1 <= frequency <= 7:
            errors["frequency_per_week"] = ["Frequency is 1 to 7 visits a week."]
    if ("start_date" in data or not partial) and not isinstance(data.get("start_date"), date):
        errors["start_date"] = ["A start date is required."]
    return errors


def _write_plan_children(plan: TreatmentPlan, data: dict) -> None:
    if "areas" in data:
        plan.areas.all().delete()
        for item in data["areas"]:
            area = PlanArea.objects.create(
                plan=plan, region=item["region"], side=item["side"], notes=item.get("notes", "")
            )
            area.modalities.set(item.get("modalities") or [])
    if "goals" in data:
        plan.goals.all().delete()
        PlanGoal.objects.bulk_create(
            PlanGoal(
                plan=plan,
                description=g.get("description", ""),
                measure=g["measure"],
                baseline=g.get("baseline") or 0,
                target=g.get("target") or 0,
            )
            for g in data["goals"]
        )


PLAN_FIELDS = ("frequency_per_week", "planned_visits", "start_date")


@transaction.atomic
def create_plan(*, therapist: User, referral: Referral, data: dict) -> TreatmentPlan:
    _require_role(therapist, Role.THERAPIST)
    if referral.effective_status != ReferralStatus.SIGNED:
        raise Invalid.field("referral", "A plan needs a signed, unexpired referral.")
    if errors := validate_plan_content(data, referral=referral):
        raise Invalid(errors)
    plan = TreatmentPlan.objects.create(
        referral=referral,
        patient_id=referral.patient_id,
        therapist=therapist,
        **{f: data[f] for f in PLAN_FIELDS},
    )
    _write_plan_children(plan, data)
    record(actor=therapist, action="plan.create", target=plan, patient=referral.patient)
    return plan


@transaction.atomic
def update_plan(*, plan: TreatmentPlan, by: User, data: dict) -> TreatmentPlan:
    plan = TreatmentPlan.objects.select_for_update().select_related("referral").get(pk=plan.pk)
    if plan.therapist_id != by.pk:
        raise NotAllowed("Only the plan's therapist may edit it.")
    if not plan.is_editable:
        raise Locked(f"A {plan.status} plan cannot be edited; only drafts can.")
    if errors := validate_plan_content(data, referral=plan.referral, partial=True):
        raise Invalid(errors)

    def write():
        for field in PLAN_FIELDS:
            if field in data:
                setattr(plan, field, data[field])
        plan.version = F("version") + 1
        plan.save()
        _write_plan_children(plan, data)

    if write_if_changed(content=lambda: plan_content(plan), write=write):
        record(actor=by, action="plan.update", target=plan, patient=plan.patient)
    plan.refresh_from_db()
    return plan


def plan_content(plan: TreatmentPlan) -> dict:
    """What the therapist writes in a plan, as it reads."""
    return {
        **{field: getattr(plan, field) for field in PLAN_FIELDS},
        "areas": [
            [a.region, a.side, a.notes, sorted(m.code for m in a.modalities.all())]
            for a in plan.areas.prefetch_related("modalities")
        ],
        "goals": [[g.description, g.measure, g.baseline, g.target] for g in plan.goals.all()],
    }


def _transition_plan(plan, *, by, may, allowed_from, to, action, audit_detail="", **changes):
    plan = TreatmentPlan.objects.select_for_update().select_related("referral").get(pk=plan.pk)
    if not may(plan):
        raise NotAllowed("Your role on this plan does not allow that.")
    if plan.status not in allowed_from:
        raise InvalidTransition(f"A {plan.status} plan cannot be {action.split('.')[-1]}.")
    plan.status = to
    for field, value in changes.items():
        setattr(plan, field, value)
    plan.version = F("version") + 1
    plan.save()
    record(actor=by, action=action, target=plan, patient=plan.patient, detail=audit_detail)
    plan.refresh_from_db()
    return plan


def _its_therapist(by):
    return lambda plan: plan.therapist_id == by.pk


def _its_doctor(by):
    return lambda plan: plan.referral.doctor_id == by.pk


def _therapist_or_doctor(by):
    return lambda plan: plan.therapist_id == by.pk or plan.referral.doctor_id == by.pk


@transaction.atomic
def propose_plan(*, plan: TreatmentPlan, by: User) -> TreatmentPlan:
    return _transition_plan(
        plan,
        by=by,
        may=_its_therapist(by),
        allowed_from=[PlanStatus.DRAFT],
        to=PlanStatus.PROPOSED,
        action="plan.proposed",
        proposed_at=timezone.now(),
    )


@transaction.atomic
def approve_plan(
    *, plan: TreatmentPlan, by: User, certify_days: int | None = None
) -> TreatmentPlan:
    """The doctor's approval certifies the plan for a period (certification_end)."""

    return _transition_plan(
        plan,
        by=by,
        may=_its_doctor(by),
        allowed_from=[PlanStatus.PROPOSED],
        to=PlanStatus.APPROVED,
        action="plan.approved",
        approved_at=timezone.now(),
        approved_by=by,
        doctor_comment="",
        certified_until=certification_end(starts=first_certified_day(plan), days=certify_days),
    )


@transaction.atomic
def request_plan_changes(*, plan: TreatmentPlan, by: User, comment: str) -> TreatmentPlan:
    if not (comment or "").strip():
        raise Invalid.field("comment", "Say what should change.")
    return _transition_plan(
        plan,
        by=by,
        may=_its_doctor(by),
        allowed_from=[PlanStatus.PROPOSED],
        to=PlanStatus.DRAFT,
        action="plan.changes_requested",
        doctor_comment=comment.strip(),
    )


@transaction.atomic
def complete_plan(*, plan: TreatmentPlan, by: User, summary: str = "") -> TreatmentPlan:
    return _transition_plan(
        plan,
        by=by,
        may=_therapist_or_doctor(by),
        allowed_from=[PlanStatus.APPROVED],
        to=PlanStatus.COMPLETED,
        action="plan.completed",
        ended_at=timezone.now(),
        end_reason=summary,
    )


@transaction.atomic
def discontinue_plan(*, plan: TreatmentPlan, by: User, reason: str) -> TreatmentPlan:
    if not (reason or "").strip():
        raise Invalid.field("reason", "Give the reason for discontinuing.")
    return _transition_plan(
        plan,
        by=by,
        may=_therapist_or_doctor(by),
        allowed_from=[PlanStatus.DRAFT, PlanStatus.PROPOSED, PlanStatus.APPROVED],
        to=PlanStatus.DISCONTINUED,
        action="plan.discontinued",
        ended_at=timezone.now(),
        end_reason=reason.strip(),
    )


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
    if errors := validate_plan_content(data, referral=plan.referral, partial=True):
        raise Invalid(errors)
    if data.get("planned_visits", plan.planned_visits) < plan.visits_used:
        raise Invalid.field(
            "planned_visits", f"{plan.visits_used} visits are already booked or done."
        )
    reasons = _significant(plan, data)
    for field in PLAN_FIELDS:
        if field in data:
            setattr(plan, field, data[field])
    if reasons:
        plan.status = PlanStatus.PROPOSED
        plan.proposed_at = timezone.now()
        plan.doctor_comment = ""
    plan.version = F("version") + 1
    plan.save()
    _write_plan_children(plan, data)
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
    return _transition_plan(
        plan,
        by=by,
        may=_its_doctor(by),
        allowed_from=[PlanStatus.APPROVED],
        to=PlanStatus.DRAFT,
        action="plan.changes_requested",
        doctor_comment=comment.strip(),
        approved_at=None,
        certified_until=None,
    )


@transaction.atomic
def certify_by_outside_physician(*, plan: TreatmentPlan, detail: str) -> TreatmentPlan:
    """An outside physician's approval through the secure link (referrals/signature_links.py):
    it certifies the plan exactly as a staff doctor's approve_plan does."""
    return _transition_plan(
        plan,
        by=None,
        may=lambda p: p.referral.outside_physician_id is not None,
        allowed_from=[PlanStatus.PROPOSED],
        to=PlanStatus.APPROVED,
        action="plan.approved",
        approved_at=timezone.now(),
        doctor_comment="",
        certified_until=certification_end(starts=first_certified_day(plan)),
        audit_detail=detail,
    )


@transaction.atomic
def changes_asked_by_outside_physician(*, plan: TreatmentPlan, comment: str, detail: str):
    if not (comment or "").strip():
        raise Invalid.field("comment", "Say what should change.")
    return _transition_plan(
        plan,
        by=None,
        may=lambda p: p.referral.outside_physician_id is not None,
        allowed_from=[PlanStatus.PROPOSED],
        to=PlanStatus.DRAFT,
        action="plan.changes_requested",
        doctor_comment=comment.strip(),
        audit_detail=detail,
    )
