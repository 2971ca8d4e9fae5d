"""Texts through Twilio (SMS_BACKEND=messaging.twilio_sms.TwilioSmsBackend): the
credentials come from the environment (clinic/settings_messaging.py). Twilio
reports on each message to the status callback, and the patient's replies come
to the inbound webhook (messaging/webhooks.py)."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from twilio.rest import Client

from clinic.phones import to_e164
from clinic.sms import SmsBackend


def twilio_client() -> Client:
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)


class TwilioSmsBackend(SmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> str:
        """Send one text; returns Twilio's message id (raises on a refusal,
        which the reminder outbox retries). The status callback carries the
        reminder (`reference`): its reports may come before the batch has
        recorded the message id (scheduling/reminder_delivery.py)."""
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        callback = settings.SITE_URL + reverse("messaging:twilio_status")
        if reference:
            callback += "?" + urlencode({"reminder": reference})
        message = twilio_client().messages.create(
            to=to_e164(to),
            body=text,
            status_callback=callback,
            **sender,
        )
        return message.sid
