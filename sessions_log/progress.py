"""How a patient responds to a plan, computed in one place for the plan, the
patient and the doctor's list: the progress summary and its flags.

Everything is read in a fixed number of queries whatever the number of plans or
sessions (`_load`), then computed in Python from those rows, so a doctor's
list of 30 patients costs the same few queries as one plan."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.vocabulary import Measure
from referrals.contraindications import waiting_clearances_subquery
from referrals.models import PlanGoal, PlanStatus, TreatmentPlan
from scheduling.models import Appointment, AppointmentStatus

from .findings import trends_from
from .home_programme import adherence
from .models import OutcomeMeasurement, ProgressReport, ReportStatus, SessionNote


class Flag:
    """The flag codes (API.md, Treatment plans, progress)."""

    NO_IMPROVEMENT = "no_improvement"
    PAIN_WORSE = "pain_worse"
    GOAL_MET = "goal_met"
    PROGRESS_REPORT_DUE = "progress_report_due"
    VISITS_NEARLY_USED = "visits_nearly_used"
    REFERRAL_EXPIRING = "referral_expiring"
    ADVERSE_REACTION = "adverse_reaction"
    CERTIFICATION_DUE = "certification_due"
    CLEARANCE_NEEDED = "clearance_needed"
    REPORT_AWAITING_DECISION = "report_awaiting_decision"
    AUTHORIZATION_RUNNING_LOW = "authorization_running_low"  # set by billing (FLAG_SOURCES)


# Flags of the apps above this one (billing: an authorization running low). Each
# source is called with the plans and answers `{plan_id: [flag, ...]}` in a fixed
# number of queries; the apps register them in their AppConfig.ready(), so this
# module never imports them. PLAN_FACTS (name -> expression) load with the plans,
# so a source can skip the plans it has nothing to say about without a query.
FLAG_SOURCES: list = []
PLAN_FACTS: dict = {}


def _flags_from_sources(plans) -> dict:
    found: dict = {}
    for source in FLAG_SOURCES:
        for plan_id, flags in source(plans).items():
            found.setdefault(plan_id, []).extend(flags)
    return found


# Lower is better for pain and disability; higher is better for function and motion.
LOWER_IS_BETTER = {Measure.NPRS, Measure.NDI, Measure.ODI}
FUNCTION_MEASURES = (Measure.NDI, Measure.ODI, Measure.PSFS)


@dataclass
class PlanFacts:
    """The rows one plan's progress is computed from."""

    plan: TreatmentPlan
    visits_completed: int = 0
    sessions: list[dict] = field(default_factory=list)
    measurements: list[dict] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)
    reported_at_visits: int = 0  # the most visits a progress report has covered
    open_clearances: int = 0
    report_to_answer: bool = False  # a signed or sent report the doctor has not answered


# --- loading: a fixed number of queries for any number of plans -----------------------


def _reported_visits():
    """The most visits a signed (or later) progress report of the plan covers."""
    covered = (
        ProgressReport.objects.filter(plan=OuterRef("pk"))
        .exclude(status=ReportStatus.DRAFT)
        .order_by()
        .values("plan")
        .annotate(m=Max("visits_covered"))
        .values("m")
    )
    return Coalesce(Subquery(covered), 0)


def _completed_visits():
    done = Appointment.objects.filter(plan=OuterRef("pk"), status=AppointmentStatus.COMPLETED)
    return Coalesce(Subquery(done.order_by().values("plan").annotate(n=Count("pk")).values("n")), 0)


def _plans(plans) -> list[TreatmentPlan]:
    ids = [p.pk for p in plans]
    rows = (
        TreatmentPlan.objects.filter(pk__in=ids)
        .select_related("referral")
        .annotate(
            visits_completed_count=_completed_visits(),
            reported_at_visits=_reported_visits(),
            open_clearances=waiting_clearances_subquery(),
            report_to_answer=Exists(
                ProgressReport.objects.filter(
                    plan=OuterRef("pk"), status__in=[ReportStatus.SIGNED, ReportStatus.SENT]
                )
            ),
            **PLAN_FACTS,
        )
    )
    by_id = {p.pk: p for p in rows}
    return [by_id[i] for i in ids if i in by_id]


def _sessions(ids) -> dict:
    rows = (
        SessionNote.objects.filter(plan_id__in=ids)
        .order_by("appointment__start", "created_at")
        .values(
            "plan_id",
            "appointment__start",
            "pain_before",
            "pain_after",
            "response",
            "adverse_reaction",
            "findings",
        )
    )
    sessions = defaultdict(list)
    for row in rows:
        sessions[row["plan_id"]].append(
            {
                "date": timezone.localtime(row["appointment__start"]).date(),
                "pain_before": row["pain_before"],
                "pain_after": row["pain_after"],
                "response": row["response"],
                "adverse_reaction": row["adverse_reaction"],
                "findings": row["findings"],
            }
        )
    return sessions


def _measurements(ids) -> dict:
    rows = (
        OutcomeMeasurement.objects.filter(plan_id__in=ids)
        .order_by("taken_at", "created_at")
        .values("plan_id", "measure", "score", "taken_at")
    )
    measurements = defaultdict(list)
    for row in rows:
        measurements[row.pop("plan_id")].append(row)
    return measurements


def _goals(ids) -> dict:
    goals = defaultdict(list)
    rows = PlanGoal.objects.filter(plan_id__in=ids).order_by("id")
    for row in rows.values("plan_id", "description", "measure", "baseline", "target"):
        goals[row.pop("plan_id")].append(row)
    return goals


def _load(plans) -> list[PlanFacts]:
    plans = _plans(plans)
    ids = [p.pk for p in plans]
    sessions, measurements, goals = _sessions(ids), _measurements(ids), _goals(ids)
    return [
        PlanFacts(
            plan=p,
            visits_completed=p.visits_completed_count,
            sessions=sessions.get(p.pk, []),
            measurements=measurements.get(p.pk, []),
            goals=goals.get(p.pk, []),
            reported_at_visits=p.reported_at_visits,
            open_clearances=p.open_clearances,
            report_to_answer=p.report_to_answer,
        )
        for p in plans
    ]


# --- the clinical arithmetic -------------------------------------------------------------


def _threshold(name: str) -> int:
    return settings.PROGRESS_FLAGS[name]


def is_important_change(measure: str, first, latest) -> bool:
    """Did the score improve by at least the instrument's MCID (settings.MCID)?"""
    first, latest = Decimal(str(first)), Decimal(str(latest))
    gain = first - latest if measure in LOWER_IS_BETTER else latest - first
    if gain >= Decimal(str(settings.MCID[measure])):
        return True
    if measure == Measure.NPRS and first > 0:
        return gain * 100 / first >= Decimal(str(settings.MCID["nprs_percent"]))
    return False


def trends(facts: PlanFacts) -> dict:
    """Per measure: the scores oldest first, the change, and whether it matters."""
    by_measure = defaultdict(list)
    for m in facts.measurements:
        by_measure[m["measure"]].append({"taken_at": m["taken_at"], "score": float(m["score"])})
    result = {}
    for measure, points in by_measure.items():
        first, latest = points[0]["score"], points[-1]["score"]
        result[measure] = {
            "points": points,
            "change": round(latest - first, 2) if len(points) > 1 else None,
            "important": len(points) > 1 and is_important_change(measure, first, latest),
        }
    return result


def _latest_value(facts: PlanFacts, measure: str):
    points = [
        (timezone.localtime(m["taken_at"]).date(), m["score"])
        for m in facts.measurements
        if m["measure"] == measure
    ]
    if measure == Measure.NPRS:
        # the pain before each session is an NPRS score too, usually the freshest
        points += [(s["date"], Decimal(s["pain_before"])) for s in facts.sessions]
    return max(points, key=lambda p: p[0])[1] if points else None


def goals_against_targets(facts: PlanFacts) -> list[dict]:
    result = []
    for goal in facts.goals:
        latest = _latest_value(facts, goal["measure"])
        baseline, target = goal["baseline"], goal["target"]
        if latest is None:
            met = False
        elif target <= baseline:  # a goal to lower the score (pain, disability)
            met = latest <= target
        else:
            met = latest >= target
        result.append(
            {
                "description": goal["description"],
                "measure": goal["measure"],
                "baseline": float(baseline),
                "target": float(target),
                "latest": None if latest is None else float(latest),
                "met": met,
            }
        )
    return result


def _pain_improved(sessions) -> bool:
    return len(sessions) > 1 and is_important_change(
        Measure.NPRS, sessions[0]["pain_before"], sessions[-1]["pain_before"]
    )


def _function_improved(facts: PlanFacts) -> bool:
    return any(t["important"] for m, t in trends(facts).items() if m in FUNCTION_MEASURES)


def _pain_worse(sessions) -> bool:
    in_a_row = _threshold("pain_worse_sessions_in_a_row")
    if len(sessions) < in_a_row + 1:
        return False
    baseline = sessions[0]["pain_before"]
    return all(s["pain_before"] > baseline for s in sessions[-in_a_row:])


def _report_due(facts: PlanFacts) -> bool:
    """Due at every 10th completed visit and at the plan's last one, until a
    progress report covers that milestone."""
    done, every = facts.visits_completed, _threshold("progress_report_every_visits")
    milestone = done // every * every
    if done >= facts.plan.planned_visits:
        milestone = facts.plan.planned_visits
    return milestone > 0 and facts.reported_at_visits < milestone


def _days_left(until: date | None, today: date) -> int | None:
    return None if until is None else (until - today).days


def _flags(facts: PlanFacts, today: date) -> list[str]:
    plan, sessions = facts.plan, facts.sessions
    if plan.status != PlanStatus.APPROVED:
        return []  # flags call for a decision; an ended or unapproved plan needs none
    flags = []
    if len(sessions) >= _threshold("no_improvement_after_sessions") and not (
        _pain_improved(sessions) or _function_improved(facts)
    ):
        flags.append(Flag.NO_IMPROVEMENT)
    if _pain_worse(sessions):
        flags.append(Flag.PAIN_WORSE)
    if any(g["met"] for g in goals_against_targets(facts)):
        flags.append(Flag.GOAL_MET)
    if _report_due(facts):
        flags.append(Flag.PROGRESS_REPORT_DUE)
    if plan.planned_visits - facts.visits_completed <= _threshold("visits_nearly_used_at"):
        flags.append(Flag.VISITS_NEARLY_USED)
    if _days_left(plan.referral.valid_until, today) <= _threshold("referral_expiring_days"):
        flags.append(Flag.REFERRAL_EXPIRING)
    if any(s["adverse_reaction"].strip() for s in sessions):
        flags.append(Flag.ADVERSE_REACTION)
    certified = _days_left(getattr(plan, "certified_until", None), today)
    if certified is not None and certified <= _threshold("certification_due_days"):
        flags.append(Flag.CERTIFICATION_DUE)
    if facts.open_clearances:
        flags.append(Flag.CLEARANCE_NEEDED)
    if facts.report_to_answer:
        flags.append(Flag.REPORT_AWAITING_DECISION)
    return flags


# --- the public functions ------------------------------------------------------------------


def flags_for_plans(plans) -> dict:
    """`{plan_id: [flag, ...]}` for many plans (the doctor's patient list) in a
    fixed number of queries."""
    today = timezone.localdate()
    loaded = _load(list(plans))
    more = _flags_from_sources([facts.plan for facts in loaded])
    return {facts.plan.pk: _flags(facts, today) + more.get(facts.plan.pk, []) for facts in loaded}


def plan_flags(plan) -> list[str]:
    return flags_for_plans([plan]).get(plan.pk, [])


def plan_progress(plan) -> dict:
    """The progress of one plan (API.md: GET /treatment-plans/{id}/progress/) and
    what the doctor needs besides: outcome trends and goals against targets.
    Dates are `date`s, datetimes aware, scores floats (DRF renders them)."""
    [facts] = _load([plan])
    sessions = facts.sessions
    plan = facts.plan
    referral = plan.referral
    today = timezone.localdate()
    return {
        "visits_planned": plan.planned_visits,
        "visits_completed": facts.visits_completed,
        "visits_remaining": max(plan.planned_visits - facts.visits_completed, 0),
        "sessions": [
            {k: s[k] for k in ("date", "pain_before", "pain_after", "response")} for s in sessions
        ],
        "pain_change": (
            sessions[-1]["pain_before"] - sessions[0]["pain_before"] if len(sessions) > 1 else None
        ),
        "flags": _flags(facts, today) + _flags_from_sources([plan]).get(plan.pk, []),
        "measurements": trends(facts),
        "goals": goals_against_targets(facts),
        "home_programme": adherence(plan),  # the patient's "done" taps, last 7 days
        "adverse_reactions": [
            {"date": s["date"], "text": s["adverse_reaction"]}
            for s in sessions
            if s["adverse_reaction"].strip()
        ],
        "regions": trends_from((s["date"], s["findings"]) for s in sessions),
        "referral_valid_until": referral.valid_until,
        "certified_until": getattr(plan, "certified_until", None),
    }


def flags_for_patients(patients, *, plans) -> dict:
    """`{patient_id: [flag, ...]}`: the flags of each patient's approved plans among
    `plans` (the reader's scope), merged in flag order, for a patient list or page
    (a fixed number of queries)."""
    ids = [p.pk for p in patients]
    plans = list(plans.approved().filter(patient_id__in=ids).only("pk", "patient"))
    by_plan = flags_for_plans(plans)
    merged = {pk: [] for pk in ids}
    for plan in plans:
        for flag in by_plan.get(plan.pk, []):
            if flag not in merged[plan.patient_id]:
                merged[plan.patient_id].append(flag)
    return merged
