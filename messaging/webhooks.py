"""The providers' webhooks. The caller is the provider, not a person: no
session, no CSRF token. Each request is signed by Twilio with the account's
auth token (X-Twilio-Signature over SITE_URL + path and the form fields), and
an unsigned or forged request is a bare 403 that changes nothing. Email
reports come through anymail's own views (messaging/urls.py), which check the
shared basic-auth secret (and the provider's signature where it has one)."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from .deliveries import record_delivery
from .replies import answer_text


def signed_by_twilio(request) -> bool:
    if not settings.TWILIO_AUTH_TOKEN:
        return False  # no account configured: nothing can be signed
    # The URL Twilio signed is the public one; behind a proxy only SITE_URL knows it.
    url = settings.SITE_URL + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return bool(signature) and validator.validate(url, request.POST.dict(), signature)


def twilio_webhook(view):
    """CSRF-exempt only because the signature is checked first."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request):
        if not signed_by_twilio(request):
            return HttpResponseForbidden(b"", content_type="text/plain")
        return view(request)

    return checked


@twilio_webhook
def twilio_inbound(request):
    """A patient's text: act on it and answer in TwiML."""
    reply = answer_text(phone=request.POST.get("From", ""), body=request.POST.get("Body", ""))
    twiml = MessagingResponse()
    twiml.message(reply)
    return HttpResponse(str(twiml), content_type="text/xml")


@twilio_webhook
def twilio_status(request):
    """Twilio's report on a text we sent."""
    record_delivery(
        message_id=request.POST.get("MessageSid", "")[:100],
        state=request.POST.get("MessageStatus", "").lower()[:20],
        error_code=request.POST.get("ErrorCode", "")[:10],
        reminder_id=request.GET.get("reminder", "")[:40],  # our callback URL's, signed too
    )
    return HttpResponse(status=204)


def with_email_secret(anymail_view):
    """Anymail's view, refused outright while no webhook secret is configured."""

    @csrf_exempt
    @wraps(anymail_view)
    def checked(request, *args, **kwargs):
        if ":" not in settings.ANYMAIL.get("WEBHOOK_SECRET", ""):
            return HttpResponseForbidden(b"", content_type="text/plain")
        return anymail_view(request, *args, **kwargs)

    return checked
