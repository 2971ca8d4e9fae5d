"""Texts through Twilio: the backend speaks Twilio's REST API (the HTTP client
replaced at its edge, never the network), the status callback updates the
reminder, and only requests Twilio signed are heard."""

import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from clinic.models import AuditEvent, ReminderChannel
from messaging.twilio_sms import TwilioSmsBackend
from scheduling.models import Reminder, ReminderStatus
from tests.messaging.conftest import AUTH_TOKEN, deliver_due, signed_post, visit_in

SID = "SM" + "a1" * 16


@pytest.fixture
def twilio_http(monkeypatch):
    """Twilio's HTTP boundary: records each request, answers like the API does."""
    sent = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        sent.append({"method": method, "url": url, "data": data, "auth": auth})
        return Response(201, json.dumps({"sid": SID, "status": "queued", "to": data["To"]}))

    monkeypatch.setattr(TwilioHttpClient, "request", request)
    return sent


def test_the_twilio_backend_posts_the_text_with_the_status_callback(db, twilio_http):
    # when
    sid = TwilioSmsBackend().send(to="(212) 555-0134", text="See you tomorrow")
    # then one request to the account's Messages resource, in E.164, with the callback
    (request,) = twilio_http
    assert sid == SID
    assert request["method"] == "POST"
    assert request["url"].endswith(f"/Accounts/{'AC' + '0' * 32}/Messages.json")
    assert request["auth"] == ("AC" + "0" * 32, AUTH_TOKEN)
    assert request["data"]["To"] == "+12125550134"
    assert request["data"]["From"] == "+12125550100"
    assert request["data"]["Body"] == "See you tomorrow"
    assert request["data"]["StatusCallback"] == "https://clinic.example/webhooks/twilio/status/"


def test_a_messaging_service_sends_instead_of_a_number_when_set(db, twilio_http, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    TwilioSmsBackend().send(to="+12125550134", text="Hi")
    assert twilio_http[0]["data"]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in twilio_http[0]["data"]


def sent_text_reminder(patient, settings):
    """A text reminder sent through the Twilio backend at noon, clinic time."""
    settings.SMS_BACKEND = "messaging.twilio_sms.TwilioSmsBackend"
    visit = visit_in(patient, hours=3)
    reminder = visit.reminders.order_by("due_at").first()
    assert deliver_due(reminder.due_at) == ["sent"]
    reminder.refresh_from_db()
    return reminder


@pytest.fixture
def noon(clock):
    from django.utils import timezone

    from tests.scheduling.conftest import local

    clock.move_to(local(timezone.localdate() + timedelta(days=1), 12))


def test_a_reminder_sent_through_twilio_keeps_twilios_message_id(
    texting_patient, twilio_http, settings, noon
):
    reminder = sent_text_reminder(texting_patient, settings)
    assert (reminder.status, reminder.provider_id) == (ReminderStatus.SENT, SID)
    body = twilio_http[0]["data"]["Body"]
    assert "Confirm or cancel: https://clinic.example/visit/" in body


def status(client, state, **extra):
    return signed_post(
        client, "/webhooks/twilio/status/", {"MessageSid": SID, "MessageStatus": state, **extra}
    )


def test_the_status_callback_records_the_delivery(
    client, texting_patient, twilio_http, settings, noon
):
    reminder = sent_text_reminder(texting_patient, settings)
    # when Twilio reports the text delivered, then (late) merely sent
    assert status(client, "delivered").status_code == 204
    assert status(client, "sent").status_code == 204
    # then the later state stands
    reminder.refresh_from_db()
    assert (reminder.status, reminder.delivery_status) == (ReminderStatus.SENT, "delivered")


def test_a_text_that_never_arrived_marks_the_reminder_failed_with_twilios_code(
    client, texting_patient, twilio_http, settings, noon
):
    reminder = sent_text_reminder(texting_patient, settings)
    status(client, "undelivered", ErrorCode="30003")
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.last_error == "Twilio: undelivered (error 30003)."


def reported_during_the_batch(client, patient, settings, monkeypatch, state, **extra):
    """A text reminder whose status report Twilio sends back at once: it reaches
    the webhook while the batch is still sending, before the batch's one write."""
    settings.SMS_BACKEND = "messaging.twilio_sms.TwilioSmsBackend"
    visit = visit_in(patient, hours=3)
    reminder = visit.reminders.order_by("due_at").first()
    callbacks = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        callbacks.append(data["StatusCallback"])
        path = data["StatusCallback"].removeprefix("https://clinic.example")
        report = {"MessageSid": SID, "MessageStatus": state, **extra}
        assert signed_post(client, path, report).status_code == 204
        assert Reminder.objects.get(pk=reminder.pk).provider_id == SID  # found by the URL
        return Response(201, json.dumps({"sid": SID, "status": "queued", "to": data["To"]}))

    monkeypatch.setattr(TwilioHttpClient, "request", request)
    results = deliver_due(reminder.due_at)
    assert callbacks == [f"https://clinic.example/webhooks/twilio/status/?reminder={reminder.pk}"]
    reminder.refresh_from_db()
    return results, reminder


def test_a_report_that_comes_before_the_batch_records_the_text_is_kept(
    client, texting_patient, settings, monkeypatch, noon
):
    results, reminder = reported_during_the_batch(
        client, texting_patient, settings, monkeypatch, "delivered"
    )
    assert results == ["sent"]
    assert (reminder.status, reminder.provider_id, reminder.delivery_status) == (
        ReminderStatus.SENT, SID, "delivered",
    )  # fmt: skip
    assert reminder.claimed_until is None


def test_a_text_reported_undelivered_during_its_batch_stays_failed(
    client, texting_patient, settings, monkeypatch, noon
):
    _, reminder = reported_during_the_batch(
        client, texting_patient, settings, monkeypatch, "undelivered", ErrorCode="30003"
    )
    # the batch's write, conditional on its claim, did not record it sent after all
    assert (reminder.status, reminder.delivery_status) == (ReminderStatus.FAILED, "undelivered")
    assert reminder.last_error == "Twilio: undelivered (error 30003)."


def test_a_carrier_opt_out_turns_the_patients_texts_off(
    client, texting_patient, twilio_http, settings, noon
):
    sent_text_reminder(texting_patient, settings)
    status(client, "failed", ErrorCode="21610")
    texting_patient.refresh_from_db()
    assert texting_patient.text_consent is False


@pytest.mark.parametrize(
    "signature", [None, "", "forged-signature", "signed-with-another-token", "signed-for-other-url"]
)
def test_a_forged_status_callback_is_a_bare_403_and_changes_nothing(
    client, texting_patient, twilio_http, settings, noon, signature
):
    from twilio.request_validator import RequestValidator

    reminder = sent_text_reminder(texting_patient, settings)
    data = {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "21610"}
    headers = {}
    if signature == "signed-with-another-token":
        signature = RequestValidator("another-token").compute_signature(
            "https://clinic.example/webhooks/twilio/status/", data
        )
    elif signature == "signed-for-other-url":
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            "https://evil.example/webhooks/twilio/status/", data
        )
    if signature is not None:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    # when
    response = client.post("/webhooks/twilio/status/", data, **headers)
    # then
    assert (response.status_code, response.content) == (403, b"")
    reminder.refresh_from_db()
    texting_patient.refresh_from_db()
    assert (reminder.status, reminder.delivery_status) == (ReminderStatus.SENT, "")
    assert texting_patient.text_consent is True


def test_a_signed_request_with_a_field_changed_after_signing_is_refused(client, texting_patient):
    from twilio.request_validator import RequestValidator

    signed = {"From": "+12125550134", "Body": "HELP"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://clinic.example/webhooks/twilio/inbound/", signed
    )
    response = client.post(
        "/webhooks/twilio/inbound/", {**signed, "Body": "STOP"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    texting_patient.refresh_from_db()
    assert texting_patient.text_consent is True


def test_without_an_auth_token_no_webhook_request_is_accepted(client, texting_patient, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = signed_post(client, "/webhooks/twilio/inbound/", {"From": "+1", "Body": "HELP"})
    assert response.status_code == 403


def test_the_webhooks_take_no_get_and_need_no_session(client, db):
    assert client.get("/webhooks/twilio/inbound/").status_code == 405
    assert client.get("/webhooks/twilio/status/").status_code == 405


def test_no_audit_event_without_a_change(client, db):
    response = signed_post(client, "/webhooks/twilio/status/", {"MessageSid": "SMunknown"})
    assert response.status_code == 204
    assert not AuditEvent.objects.exists()
    assert not Reminder.objects.exists()


def test_the_sms_interface_returns_nothing_for_the_console_backend(capsys):
    from clinic.sms import ConsoleSmsBackend

    assert ConsoleSmsBackend().send(to="+12125550134", text="hi") is None
    assert parse_qs("a=1") == {"a": ["1"]}  # the form encoding Twilio uses
    assert ReminderChannel.SMS == "sms"
