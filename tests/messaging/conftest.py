"""The providers' side of messages: a clinic on New York time whose reminders go
out through the real providers' code, with the network replaced at its edge
(Twilio's HTTP client; anymail's test backend)."""

from datetime import timedelta

import pytest
from twilio.request_validator import RequestValidator

from clinic.models import ReminderChannel
from scheduling import reminder_delivery, reminders
from tests.factories import AppointmentFactory, PatientFactory

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SITE = "https://clinic.example"


@pytest.fixture(autouse=True)
def providers(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.REMINDER_OFFSETS = [timedelta(hours=24), timedelta(hours=2)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "clinic.sms.ConsoleSmsBackend"
    settings.SITE_URL = SITE
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+12125550100"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}
    settings.LATE_CANCEL_HOURS = 24
    settings.LATE_CANCEL_ALLOWED = False


def signed_post(client, path: str, data: dict, *, token: str = AUTH_TOKEN):
    """POST as Twilio does: form fields, signed over the public URL."""
    signature = RequestValidator(token).compute_signature(SITE + path, data)
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def texting_patient(db):
    return PatientFactory(
        first_name="Pat", last_name="Parker", phone="+12125550134",
        reminder_channel=ReminderChannel.SMS,
    )  # fmt: skip


def visit_in(patient, *, hours: int):
    from django.utils import timezone

    start = timezone.now() + timedelta(hours=hours)
    visit = AppointmentFactory(
        patient=patient, start=start, end=start + timedelta(minutes=45),
        plan__referral__patient=patient,
    )  # fmt: skip
    reminders.create_for([visit])
    return visit


def deliver_due(now) -> list[str]:
    """Claim what is due at `now` and deliver it as the worker does (one batch):
    what happened to each reminder."""
    batch = reminders.claim_due(now=now)
    return sorted(reminder_delivery.deliver(batch, now=now).values()) if batch else []
