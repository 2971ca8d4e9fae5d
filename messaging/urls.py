"""The providers' webhooks, under /webhooks/ (clinic/urls.py)."""

from anymail import urls as anymail_urls
from django.urls import include, path, re_path

from . import webhooks

app_name = "messaging"

# Only anymail's tracking webhooks (bounces, complaints, deliveries), one per
# provider; its inbound-mail webhooks stay unmounted: the clinic reads no mail.
# Each is wrapped so that it answers 403 until ANYMAIL_WEBHOOK_SECRET is set
# (anymail alone would accept unauthenticated reports, with a warning).
EMAIL_TRACKING = [
    re_path(p.pattern.regex.pattern, webhooks.with_email_secret(p.callback), name=p.name)
    for p in anymail_urls.urlpatterns
    if p.name.endswith("_tracking_webhook")
]

urlpatterns = [
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
    path("twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("email/", include((EMAIL_TRACKING, "anymail"))),
]
