"""The patient's side (API.md, The patient's side), part of the settings
(clinic/settings.py imports them): each one from the environment."""

import environ

from clinic.settings_checks import env_flag, within

env = environ.Env()

# A sign-in link lasts this long and works once; this many wrong dates of birth lock it.
PATIENT_LINK_HOURS = within(
    "PATIENT_LINK_HOURS", env.int("PATIENT_LINK_HOURS", default=72), 1, 24 * 14, "hours"
)
PATIENT_LINK_ATTEMPTS = within(
    "PATIENT_LINK_ATTEMPTS", env.int("PATIENT_LINK_ATTEMPTS", default=5), 1, 20, "attempts"
)
# A patient's session (API token or pages) ends after this long without a request.
PATIENT_SESSION_IDLE_MINUTES = within(
    "PATIENT_SESSION_IDLE_MINUTES",
    env.int("PATIENT_SESSION_IDLE_MINUTES", default=30),
    5,
    240,
    "minutes",
)
# A patient cancels a visit themselves only this long before it, unless the clinic
# allows late cancelling (then the late cancel is still marked as such in the audit).
LATE_CANCEL_HOURS = within(
    "LATE_CANCEL_HOURS", env.int("LATE_CANCEL_HOURS", default=24), 0, 24 * 7, "hours"
)
LATE_CANCEL_ALLOWED = env_flag("LATE_CANCEL_ALLOWED", default=False)
# No session note while the patient has not signed the current consent to treatment
# (a 409 consent_missing); only once the clinic has published such a document.
CONSENT_REQUIRED = env_flag("CONSENT_REQUIRED", default=True)
# The plan's questionnaires fall due before the first visit, every this many visits,
# and before the last one.
QUESTIONNAIRE_EVERY_VISITS = within(
    "QUESTIONNAIRE_EVERY_VISITS", env.int("QUESTIONNAIRE_EVERY_VISITS", default=4), 1, 50, "visits"
)

__all__ = [
    "CONSENT_REQUIRED",
    "LATE_CANCEL_ALLOWED",
    "LATE_CANCEL_HOURS",
    "PATIENT_LINK_ATTEMPTS",
    "PATIENT_LINK_HOURS",
    "PATIENT_SESSION_IDLE_MINUTES",
    "QUESTIONNAIRE_EVERY_VISITS",
]
