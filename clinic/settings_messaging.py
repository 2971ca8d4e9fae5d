"""Real providers for messages (issue 14, item 7), part of the settings
(clinic/settings.py imports them): each one from the environment, checked at
start-up. The console email backend and the console SMS backend stay the
defaults, so `make run` needs no account."""

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from clinic.settings_checks import env_flag

env = environ.Env()
DEBUG = env_flag("DEBUG", default=True)  # as clinic/settings.py reads it

# Every link a patient or the front desk receives starts with SITE_URL: the
# address the clinic is reached at from outside (also what Twilio signs).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc or _site.path or _site.query:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must be like https://clinic.example")

# Email through django-anymail: EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend and
# the provider's settings as ANYMAIL_<NAME> (ANYMAIL_POSTMARK_SERVER_TOKEN=...,
# ANYMAIL_WEBHOOK_SECRET=user:password for the bounce webhook's basic auth).
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}
_email_backend = env.str("EMAIL_BACKEND", default="")
if (
    _email_backend.startswith("anymail.")
    and not DEBUG
    and ":" not in ANYMAIL.get("WEBHOOK_SECRET", "")
):
    # an unprotected bounce webhook would let anyone mark a patient's address bad
    raise ImproperlyConfigured("ANYMAIL_WEBHOOK_SECRET=user:password is needed with anymail")

# Texts through Twilio: SMS_BACKEND=messaging.twilio_sms.TwilioSmsBackend.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")  # E.164, or:
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
if env.str("SMS_BACKEND", default="").endswith("TwilioSmsBackend") and not (
    TWILIO_ACCOUNT_SID
    and TWILIO_AUTH_TOKEN
    and (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID)
):
    raise ImproperlyConfigured(
        "The Twilio SMS backend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
        "TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID)"
    )

# Once the patient confirmed a visit, its later reminders say so ("say") or are
# skipped ("skip").
REMINDER_AFTER_CONFIRM = env.str("REMINDER_AFTER_CONFIRM", default="say")
if REMINDER_AFTER_CONFIRM not in ("say", "skip"):
    raise ImproperlyConfigured("REMINDER_AFTER_CONFIRM must be say or skip")

# Numbers written without a country code are read as numbers of this country.
PHONE_REGION = env.str("PHONE_REGION", default="US").upper()

__all__ = [
    "ANYMAIL",
    "PHONE_REGION",
    "REMINDER_AFTER_CONFIRM",
    "SITE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
]
