"""Authorizations running low (API.md, Billing; issue 13): the authorization that
covers a patient's visits today is running low when 80% of its visits or of its
units are used (booked visits count, as at booking), or when 14 days or fewer
are left before it ends. The front desk's worklist and the doctor's flags show
it (billing.apps registers `plans_running_low` with both), so a renewal is
asked for before a visit is refused."""

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone

from referrals.models import PlanStatus

from .coverage import attach_usage
from .models import Authorization, Priority, valid_on

FLAG = "authorization_running_low"
USED_SHARE = (4, 5)  # 80%: used * 5 >= allowed * 4, in whole numbers
DAYS_BEFORE_END = 14


def running_low(authorization: Authorization, today: date) -> bool:
    used, of = USED_SHARE
    return (
        authorization.visits_used * of >= authorization.visits * used
        or authorization.units_used * of >= authorization.units * used
        or (authorization.valid_until - today).days <= DAYS_BEFORE_END
    )


def low_authorizations(patient_ids, today: date | None = None) -> dict:
    """`{patient_id: authorization}` for the patients whose current authorization
    (of their primary coverage valid today) is running low. One query when none
    of them has one; four otherwise, whatever the number of patients."""
    today = today or timezone.localdate()
    current = (
        Authorization.objects.filter(
            valid_on(today),
            coverage__patient_id__in=set(patient_ids),
            coverage__priority=Priority.PRIMARY,
            coverage__payer__is_active=True,
            coverage__valid_from__lte=today,
        )
        .exclude(coverage__valid_until__lt=today)
        .select_related("coverage")
        .prefetch_related("codes")
        .order_by("-valid_from", "-created_at")
    )
    low = {}
    for authorization in attach_usage(current):
        patient_id = authorization.coverage.patient_id
        if patient_id not in low and running_low(authorization, today):
            low[patient_id] = authorization
    return low


def has_authorization():
    """Loaded with the plans by the flags and the worklist (their PLAN_FACTS): has
    the patient any authorization of a primary coverage? When not, no query."""
    return Exists(
        Authorization.objects.filter(
            coverage__patient=OuterRef("patient"), coverage__priority=Priority.PRIMARY
        )
    )


def plans_running_low(plans) -> dict:
    """`{plan_id: ["authorization_running_low"]}` for the approved plans whose
    patient's authorization runs low: a flag source for the doctor's flags
    (sessions_log.progress) and the booking worklist (scheduling.worklist)."""
    plans = [
        p
        for p in plans
        if p.status == PlanStatus.APPROVED and getattr(p, "has_authorization", True)
    ]
    if not plans:
        return {}
    low = low_authorizations({p.patient_id for p in plans})
    return {p.pk: [FLAG] for p in plans if p.patient_id in low}
