"""Email through django-anymail: any provider by setting, reminders with a text
and an HTML part, and the provider's bounce or complaint report (its tracking
webhook, behind the shared secret) marks the address bad, tells the front desk,
and stops the reminders to it until the front desk enters a new address."""

import base64
import json

import pytest
from django.core import mail

from clinic.models import AuditEvent, Patient, ReminderChannel
from clinic.patients import update_patient
from scheduling.models import ReminderStatus
from tests.factories import PatientFactory
from tests.messaging import conftest as messaging_conftest
from tests.messaging.conftest import visit_in

pytestmark = pytest.mark.django_db
BOUNCE_URL = "/webhooks/email/postmark/tracking/"


@pytest.fixture
def emailed_patient(db):
    return PatientFactory(
        first_name="Pat", last_name="Parker", email="pat@patients.example",
        reminder_channel=ReminderChannel.EMAIL,
    )  # fmt: skip


def deliver_due(reminder):
    return messaging_conftest.deliver_due(reminder.due_at)


def test_a_reminder_email_has_a_text_part_and_an_html_part_with_the_same_link(emailed_patient):
    visit = visit_in(emailed_patient, hours=3)
    # when
    assert deliver_due(visit.reminders.first()) == ["sent"]
    # then
    (message,) = mail.outbox
    (html, kind) = message.alternatives[0]
    assert kind == "text/html"
    link = next(line for line in message.body.splitlines() if "/visit/" in line).strip()
    assert link.startswith("https://clinic.example/visit/")
    assert f'href="{link}"' in html
    assert "Dear Pat" in message.body and "Dear Pat" in html
    assert '<html lang="en">' in html


def test_an_anymail_provider_sends_the_reminder_and_its_message_id_is_kept(
    emailed_patient, settings
):
    # given anymail's test provider in place of a real one (the same backend API)
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    visit = visit_in(emailed_patient, hours=3)
    # when
    assert deliver_due(visit.reminders.first()) == ["sent"]
    # then
    (message,) = mail.outbox
    assert message.anymail_status.status == {"sent"}
    assert message.alternatives[0][1] == "text/html"
    reminder = visit.reminders.order_by("due_at").first()
    assert (reminder.status, reminder.provider_id) == (ReminderStatus.SENT, "0")


def bounce(client, *, email="pat@patients.example", secret="postmark:hook-secret", kind="Bounce"):
    payload = {
        "RecordType": kind, "Type": "HardBounce", "TypeCode": 1, "MessageID": "m-1",
        "Email": email, "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 user unknown", "BouncedAt": "2026-11-30T15:00:00Z",
    }  # fmt: skip
    if kind == "SpamComplaint":
        payload["Type"] = "SpamComplaint"
    auth = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(
        BOUNCE_URL, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=auth
    )


def test_a_bounce_marks_the_address_bad_and_skips_the_coming_reminders(
    client, emailed_patient, front_desk
):
    # given a visit in three days, its reminders pending
    visit = visit_in(emailed_patient, hours=72)
    # when the provider reports a hard bounce (the address in another case)
    response = bounce(client, email="PAT@patients.example")
    # then
    assert response.status_code == 200
    emailed_patient.refresh_from_db()
    assert emailed_patient.email_bounced_at is not None
    assert emailed_patient.email_bounce_reason.startswith("bounced:")
    reason = "The patient's email address bounced; the front desk should check it."
    assert set(visit.reminders.values_list("status", "last_error")) == {
        (ReminderStatus.SKIPPED, reason)
    }
    event = AuditEvent.objects.get(action="patient.email_bounced")
    assert (event.patient, event.actor) == (emailed_patient, None)


def test_the_front_desk_is_told_whose_address_to_check(
    client, emailed_patient, front_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bounce(client)
    (message,) = mail.outbox
    assert message.to == [front_desk.email]
    assert "Pat Parker" in message.body
    assert f"https://clinic.example/patients/{emailed_patient.pk}/" in message.body
    # the provider's detail stays in the audit trail (not "550": a patient's id may hold it)
    assert "user unknown" not in message.body and "smtp;" not in message.body


def test_a_complaint_marks_the_address_bad_too(client, emailed_patient):
    bounce(client, kind="SpamComplaint")
    emailed_patient.refresh_from_db()
    assert emailed_patient.email_bounced_at is not None


def test_a_visit_booked_after_the_bounce_gets_no_email_reminder(client, emailed_patient):
    bounce(client)
    emailed_patient.refresh_from_db()  # as booking reads it
    visit = visit_in(emailed_patient, hours=72)
    assert set(visit.reminders.values_list("status", flat=True)) == {ReminderStatus.SKIPPED}


def test_a_second_bounce_changes_nothing_more(client, emailed_patient):
    bounce(client)
    bounce(client)
    assert AuditEvent.objects.filter(action="patient.email_bounced").count() == 1


def test_a_new_address_from_the_front_desk_clears_the_bounce_and_replans(
    client, emailed_patient, front_desk
):
    visit = visit_in(emailed_patient, hours=72)
    bounce(client)
    # when the front desk enters a working address
    update_patient(patient=emailed_patient, data={"email": "pat@new.example"}, by=front_desk)
    # then
    emailed_patient.refresh_from_db()
    assert (emailed_patient.email_bounced_at, emailed_patient.email_bounce_reason) == (None, "")
    assert set(visit.reminders.values_list("status", flat=True)) == {ReminderStatus.PENDING}


@pytest.mark.parametrize("secret", ["postmark:wrong", "someone:else", ""])
def test_a_report_without_the_shared_secret_is_refused_and_changes_nothing(
    client, emailed_patient, secret
):
    visit = visit_in(emailed_patient, hours=72)
    response = bounce(client, secret=secret)
    assert response.status_code in (400, 403)
    assert "pat@patients.example" not in response.content.decode()
    emailed_patient.refresh_from_db()
    assert emailed_patient.email_bounced_at is None
    assert set(visit.reminders.values_list("status", flat=True)) == {ReminderStatus.PENDING}
    assert not AuditEvent.objects.exists()


def test_without_a_configured_secret_the_webhook_is_closed(client, emailed_patient, settings):
    settings.ANYMAIL = {}
    response = bounce(client)
    assert (response.status_code, response.content) == (403, b"")
    assert Patient.objects.get(pk=emailed_patient.pk).email_bounced_at is None


def test_a_bounce_for_an_address_we_do_not_know_changes_nothing(client, emailed_patient):
    assert bounce(client, email="nobody@elsewhere.example").status_code == 200
    assert not AuditEvent.objects.exists()


def test_the_patient_page_shows_the_front_desk_a_bounced_address_and_texts_off(
    client, emailed_patient, front_desk
):
    # given a bounced address and a STOP
    bounce(client)
    Patient.objects.filter(pk=emailed_patient.pk).update(text_consent=False)
    client.force_login(front_desk)
    # when
    page = client.get(f"/patients/{emailed_patient.pk}/").content.decode()
    # then
    assert "ask the patient for a new address" in page and ">bounced " in page
    assert "STOP: no texts" in page


def test_every_tracking_webhook_of_anymail_is_mounted_at_its_own_path_and_name():
    # messaging/urls.py imports each provider's view on its first request; the table
    # it keeps must stay what anymail.urls mounts (a new anymail may add providers)
    from anymail import urls as anymail_urls
    from django.urls import reverse

    from messaging.urls import EMAIL_TRACKING_VIEWS, tracking_view

    theirs = {
        p.name: (str(p.pattern), p.callback.view_class)
        for p in anymail_urls.urlpatterns
        if p.name.endswith("_tracking_webhook")
    }
    ours = {
        f"{provider}_tracking_webhook": (
            reverse(f"messaging:anymail:{provider}_tracking_webhook").removeprefix(
                "/webhooks/email/"
            ),
            tracking_view(provider).view_class,
        )
        for provider in EMAIL_TRACKING_VIEWS
    }
    assert ours == theirs
