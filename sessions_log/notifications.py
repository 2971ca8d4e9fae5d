"""The daily email to doctors and the front desk.

Doctors hear about their own patients' plans: a progress report due, a patient
not improving or getting worse, a referral about to expire or nearly used up.
The front desk hears only what it needs to book (referral expiring, visits
nearly used) and never a clinical flag.

The flags are the plan's progress flags (`sessions_log.progress`), the one
computation the API, the pages and this email share."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from clinic.models import User
from clinic.vocabulary import Role
from referrals.models import TreatmentPlan

from . import progress

DOCTOR_FLAGS = {
    "progress_report_due": "progress report due",
    "no_improvement": "not improving",
    "pain_worse": "pain worse",
    "referral_expiring": "referral about to expire",
    "visits_nearly_used": "referral nearly used up",
    "authorization_running_low": "insurance authorization running low",
}
FRONT_DESK_FLAGS = {
    "referral_expiring": "referral about to expire",
    "visits_nearly_used": "referral nearly used up",
    "authorization_running_low": "insurance authorization running low",
}


def active_plans():
    return TreatmentPlan.objects.approved().select_related(
        "patient", "referral__doctor", "therapist"
    )


def digests() -> dict[User, list[tuple]]:
    """Each recipient's lines: (patient, plan, [flag labels])."""
    plans = list(active_plans())
    flags = progress.flags_for_plans(plans)
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
