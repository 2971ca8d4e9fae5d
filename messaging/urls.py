"""The providers' webhooks, under /webhooks/ (clinic/urls.py)."""

from functools import cache
from importlib import import_module

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from . import webhooks

app_name = "messaging"

# Only anymail's tracking webhooks (bounces, complaints, deliveries), one per
# provider, at anymail's own paths and names; its inbound-mail webhooks stay
# unmounted: the clinic reads no mail. Each view's module is imported on its
# first request, not at start-up: importing anymail.urls loads every provider's,
# and Amazon SES's loads boto3, 18 MB in every web worker (issue 17).
# tests/messaging/test_email_provider.py holds this table equal to anymail.urls'.
EMAIL_TRACKING_VIEWS = {
    "amazon_ses": "AmazonSESTrackingWebhookView",
    "brevo": "BrevoTrackingWebhookView",
    "mailersend": "MailerSendTrackingWebhookView",
    "mailgun": "MailgunTrackingWebhookView",
    "mailjet": "MailjetTrackingWebhookView",
    "mailtrap": "MailtrapTrackingWebhookView",
    "mandrill": "MandrillCombinedWebhookView",
    "postal": "PostalTrackingWebhookView",
    "postmark": "PostmarkTrackingWebhookView",
    "resend": "ResendTrackingWebhookView",
    "sendgrid": "SendGridTrackingWebhookView",
    "sendinblue": "SendinBlueTrackingWebhookView",
    "sparkpost": "SparkPostTrackingWebhookView",
    "unisender_go": "UnisenderGoTrackingWebhookView",
}


@cache
def tracking_view(provider: str):
    """Anymail's tracking view of `provider`, imported when first asked for."""
    module = import_module(f"anymail.webhooks.{provider}")
    return getattr(module, EMAIL_TRACKING_VIEWS[provider]).as_view()


def lazy_tracking_view(provider: str):
    @csrf_exempt  # as anymail's own view is: the provider's secret is checked instead
    def view(request, *args, **kwargs):
        return tracking_view(provider)(request, *args, **kwargs)

    view.provider = provider
    return view


EMAIL_TRACKING = [
    path(
        f"{provider}/tracking/",
        webhooks.with_email_secret(lazy_tracking_view(provider)),
        name=f"{provider}_tracking_webhook",
    )
    for provider in EMAIL_TRACKING_VIEWS
]

urlpatterns = [
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
    path("twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("email/", include((EMAIL_TRACKING, "anymail"))),
]
