"""The clinic's clinical thresholds, part of the settings (clinic/settings.py
imports them): each one from the environment, with its source where it has one."""

import re

import environ
from django.core.exceptions import ImproperlyConfigured

from clinic.settings_checks import within

env = environ.Env()

# Minimal clinically important differences (MCID): the smallest change a patient
# notices, per outcome instrument.
# NPRS: 2 points or 30 % of the baseline (Farrar et al., Pain 2001;94:149-158;
#   Childs et al., Spine 2005;30:1331-1334).
# NDI: 7.5 of its 50 points (Young et al., Spine J 2009;9:802-808).
# ODI: 10 points of 100 (Ostelo et al., Spine 2008;33:90-94, the consensus paper).
# PSFS: 2 points on the mean of the activities (Stratford et al., Physiother Can
#   1995;47:258-263; Abbott & Schmitt, JOSPT 2014;44:560-564).
# ROM: no consensus MCID; 10 degrees exceeds the usual goniometer error.
MCID = {
    "nprs": env.float("MCID_NPRS_POINTS", default=2.0),
    "nprs_percent": env.float("MCID_NPRS_PERCENT", default=30.0),
    "ndi": env.float("MCID_NDI_POINTS", default=7.5),
    "odi": env.float("MCID_ODI_POINTS", default=10.0),
    "psfs": env.float("MCID_PSFS_POINTS", default=2.0),
    "rom": env.float("MCID_ROM_DEGREES", default=10.0),
}
# The thresholds of the progress flags (sessions_log.progress).
PROGRESS_FLAGS = {
    # no_improvement: judged once this many sessions are logged
    "no_improvement_after_sessions": env.int("FLAG_NO_IMPROVEMENT_AFTER", default=4),
    # pain_worse: this many sessions in a row above the first session's pain
    "pain_worse_sessions_in_a_row": env.int("FLAG_PAIN_WORSE_IN_A_ROW", default=2),
    # progress_report_due: every this many completed visits (and at the last one)
    "progress_report_every_visits": env.int("FLAG_REPORT_EVERY_VISITS", default=10),
    # visits_nearly_used: this many visits left or fewer
    "visits_nearly_used_at": env.int("FLAG_VISITS_LEFT_AT", default=2),
    # referral_expiring: valid for this many days or fewer
    "referral_expiring_days": env.int("FLAG_REFERRAL_EXPIRING_DAYS", default=7),
    # certification_due: certified for this many days or fewer (or lapsed)
    "certification_due_days": env.int("FLAG_CERTIFICATION_DUE_DAYS", default=7),
}
# A doctor's approval certifies a plan for at most this many days (a plan of care).
_days = env.int("PLAN_CERTIFICATION_MAX_DAYS", default=90)
PLAN_CERTIFICATION_MAX_DAYS = within("PLAN_CERTIFICATION_MAX_DAYS", _days, 1, 366, "days")
# Break-the-glass (API.md, Roles): how long a clinician's emergency read of a
# patient's whole record lasts.
BREAK_GLASS_MINUTES = within(
    "BREAK_GLASS_MINUTES", env.int("BREAK_GLASS_MINUTES", default=240), 1, 24 * 60, "minutes"
)

# The hours the clinic is open ("HH:MM-HH:MM", 24-hour, clinic time): the
# calendar's grid spans them and shades the rest of the day.
CLINIC_HOURS = env.str("CLINIC_HOURS", default="08:00-19:00")
_hours = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", CLINIC_HOURS)
if not _hours or CLINIC_HOURS[:5] >= CLINIC_HOURS[6:]:
    raise ImproperlyConfigured(f"CLINIC_HOURS={CLINIC_HOURS!r}: give HH:MM-HH:MM, opening first")

__all__ = [
    "BREAK_GLASS_MINUTES",
    "CLINIC_HOURS",
    "MCID",
    "PLAN_CERTIFICATION_MAX_DAYS",
    "PROGRESS_FLAGS",
]
