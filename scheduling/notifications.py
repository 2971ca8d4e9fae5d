"""The daily email to doctors and the front desk.

Doctors hear about their own patients' plans: a progress report due, a patient
not improving or getting worse, a referral about to expire or nearly used up.
The front desk hears only what it needs to book (referral expiring, visits
nearly used) and never a clinical flag.

The flags are computed by the supervision part (`sessions_log.progress`), which
the clinic core must not import (DESIGN.md: sessions_log -> referrals ->
clinic). The function is named in `settings.PLAN_FLAGS_FUNCTION` and loaded
when the task runs; without it a small fallback computes the scheduling flags."""

import logging
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic.models import User
from clinic.vocabulary import Role

from .models import COUNTED_STATUSES

log = logging.getLogger(__name__)

DOCTOR_FLAGS = {
    "progress_report_due": "progress report due",
    "no_improvement": "not improving",
    "pain_worse": "pain worse",
    "referral_expiring": "referral about to expire",
    "visits_nearly_used": "referral nearly used up",
}
FRONT_DESK_FLAGS = {
    "referral_expiring": "referral about to expire",
    "visits_nearly_used": "referral nearly used up",
}


def active_plans():
    plan_model = apps.get_model("referrals", "TreatmentPlan")
    return (
        plan_model.objects.filter(status="approved")
        .select_related("patient", "referral__doctor", "therapist")
        .annotate(
            completed_count=Count(
                "appointments", filter=Q(appointments__status="completed"), distinct=True
            ),
            referral_used=Count(
                "referral__plans__appointments",
                filter=Q(referral__plans__appointments__status__in=COUNTED_STATUSES),
                distinct=True,
            ),
        )
    )


def fallback_flags(plans) -> dict:
    """The flags scheduling can tell by itself (used when sessions_log has none)."""
    thresholds = getattr(settings, "PROGRESS_FLAGS", {})
    every = thresholds.get("progress_report_every_visits", 10)
    left_at = thresholds.get("visits_nearly_used_at", 2)
    expiring_days = thresholds.get("referral_expiring_days", 7)
    today = timezone.localdate()
    flags = {}
    for plan in plans:
        codes = []
        done = plan.completed_count
        if done and (done % every == 0 or done >= plan.planned_visits):
            codes.append("progress_report_due")
        if (plan.referral.valid_until - today).days <= expiring_days:
            codes.append("referral_expiring")
        if plan.referral.visits_prescribed - plan.referral_used <= left_at:
            codes.append("visits_nearly_used")
        flags[plan.pk] = codes
    return flags


def flags_for(plans) -> dict:
    try:
        compute = import_string(settings.PLAN_FLAGS_FUNCTION)
    except (ImportError, AttributeError):
        log.info(
            "%s is not available; using the scheduling flags only", settings.PLAN_FLAGS_FUNCTION
        )
        compute = fallback_flags
    return compute(plans)


def digests() -> dict[User, list[tuple]]:
    """Each recipient's lines: (patient, plan, [flag labels])."""
    plans = list(active_plans())
    flags = flags_for(plans)
    front_desk = list(User.objects.with_role(Role.FRONT_DESK).exclude(email=""))
    lines: dict[User, list[tuple]] = defaultdict(list)
    for plan in plans:
        codes = flags.get(plan.pk, [])
        for recipients, labels in (
            ([plan.referral.doctor], DOCTOR_FLAGS),
            (front_desk, FRONT_DESK_FLAGS),
        ):
            shown = [labels[c] for c in codes if c in labels]
            if shown:
                for user in recipients:
                    lines[user].append((plan.patient, plan, shown))
    return lines


def send_daily() -> int:
    """One email per doctor or front-desk person with something to act on."""
    sent = 0
    for user, lines in digests().items():
        if not user.email or not user.is_active:
            continue
        context = {
            "user": user,
            "lines": lines,
            "site_url": settings.SITE_URL,
            "clinic_name": settings.CLINIC_NAME,
            "is_doctor": user.role == Role.DOCTOR,
        }
        body = render_to_string("reminders/daily_notifications.txt", context)
        send_mail(
            subject=f"{settings.CLINIC_NAME}: {len(lines)} patient(s) need attention",
            message=body,
            from_email=None,
            recipient_list=[user.email],
        )
        sent += 1
    return sent
