"""The front desk's worklist: patients whose approved plan still has
prescribed visits to book while the referral is valid, each with the rest of
the series ready to preview and book in one click (scheduling.booking)."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from clinic.models import Patient, User
from referrals.models import ReferralStatus, TreatmentPlan

from .models import Appointment
from .recurrence import expand

WEEKDAYS_FOR_FREQUENCY = {
    1: "MO",
    2: "MO,TH",
    3: "MO,WE,FR",
    4: "MO,TU,TH,FR",
    5: "MO,TU,WE,TH,FR",
    6: "MO,TU,WE,TH,FR,SA",
    7: "MO,TU,WE,TH,FR,SA,SU",
}


@dataclass(frozen=True)
class WorklistRow:
    plan: TreatmentPlan
    patient: Patient
    therapist: User
    valid_until: date
    visits_to_book: int
    last_visit: datetime | None
    suggested_start: datetime  # the rest of the series, for the one-click booking
    suggested_rrule: str
    warnings: tuple = ()  # from WARNING_SOURCES, e.g. "authorization_running_low"


# Warnings of the apps above this one for the plans on the worklist (billing: an
# authorization running low). Each source is called with the plans and answers
# `{plan_id: [code, ...]}` in a fixed number of queries; the apps register them in
# their AppConfig.ready(), so this module never imports them. PLAN_FACTS (name ->
# expression) load with the plans, so a source can skip plans without a query.
WARNING_SOURCES: list = []
PLAN_FACTS: dict = {}


def _with_warnings(rows: list[WorklistRow]) -> list[WorklistRow]:
    found: dict = {}
    for source in WARNING_SOURCES if rows else ():
        for plan_id, codes in source([row.plan for row in rows]).items():
            found.setdefault(plan_id, []).extend(codes)
    return [replace(row, warnings=tuple(found.get(row.plan.pk, ()))) for row in rows]


def booking_worklist() -> list[WorklistRow]:
    """Patients whose approved plan still has prescribed visits not booked,
    while the referral is valid; soonest expiry first. Three queries, and those
    of the warning sources (a fixed number each)."""
    counted = Appointment.objects.counted().order_by()
    last_start = counted.filter(plan=OuterRef("pk")).order_by("-start").values("start")[:1]
    plans = (
        TreatmentPlan.objects.approved()
        .filter(
            referral__status=ReferralStatus.SIGNED,
            referral__valid_until__gte=timezone.localdate(),
        )
        .select_related("patient", "therapist", "referral")
        .with_visits_used()
        .annotate(last_start=Subquery(last_start), **PLAN_FACTS)
        .order_by("referral__valid_until", "patient__last_name")
    )
    rows = []
    for plan in plans:
        left = min(
            plan.planned_visits - plan.visits_used_count,
            plan.referral.visits_prescribed - plan.referral_visits_used,
        )
        if left > 0:
            rows.append(_worklist_row(plan, left))
    return _with_warnings(rows)


def _worklist_row(plan, left: int) -> WorklistRow:
    days = WEEKDAYS_FOR_FREQUENCY.get(plan.frequency_per_week, "MO,TH")
    after = timezone.localtime(plan.last_start) if plan.last_start else None
    at = after.time() if after else time(10)
    start_day = max(after.date() if after else plan.start_date, timezone.localdate())
    wanted = {["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(d) for d in days.split(",")}
    day = start_day + timedelta(days=1)
    while day.weekday() not in wanted:
        day += timedelta(days=1)
    first = datetime.combine(day, at).replace(tzinfo=timezone.get_current_timezone())
    rrule = f"FREQ=WEEKLY;BYDAY={days};COUNT={left}"
    if expand(rrule, first)[-1].date() > plan.referral.valid_until:
        # not all fit before the referral expires: book what does
        rrule = f"FREQ=WEEKLY;BYDAY={days};UNTIL={plan.referral.valid_until:%Y%m%d}"
    return WorklistRow(
        plan=plan,
        patient=plan.patient,
        therapist=plan.therapist,
        valid_until=plan.referral.valid_until,
        visits_to_book=left,
        last_visit=plan.last_start,
        suggested_start=first,
        suggested_rrule=rrule,
    )
