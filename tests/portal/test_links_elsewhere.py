"""The sign-in link travels in each reminder, and `make run` prints one."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from clinic.models import AuditEvent
from portal import sign_in
from portal.models import SignInLink
from scheduling import reminders
from scheduling.models import Reminder
from tests.factories import AppointmentFactory, PatientFactory
from tests.portal.conftest import token_of

pytestmark = pytest.mark.django_db


def reminder_of(visit, channel="email"):
    return Reminder.objects.create(
        appointment=visit, kind="24h", channel=channel, due_at=visit.start - timedelta(hours=24)
    )


def test_a_reminder_email_carries_a_working_sign_in_link(upcoming, patient, settings):
    settings.SITE_URL = "https://clinic.example"
    # when the reminder of Pat's visit goes out
    reminders.send(reminder_of(upcoming))
    # then it carries a sign-in link that opens for Pat
    body = mail.outbox[-1].body
    url = next(word for word in body.split() if "/p/" in word)
    assert url.startswith("https://clinic.example/p/")
    assert sign_in.usable_link(token_of(url)).patient == patient
    assert AuditEvent.objects.filter(action="portal.link_issued", patient=patient).exists()


def test_a_text_reminder_carries_one_too(upcoming, patient, settings, tmp_path):
    settings.SMS_BACKEND = "clinic.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    patient.reminder_channel = "sms"
    patient.save()
    reminders.send(reminder_of(upcoming, "sms"))
    assert "/p/" in settings.SMS_FILE_PATH.read_text()


def test_the_demo_prints_a_link_for_a_demo_patient_with_visits(clock, settings, capsys):
    settings.DEBUG = True
    demo = PatientFactory(email="ada@demo-patients.example")
    AppointmentFactory(patient=demo, plan=None)
    call_command("portal_demo_link")
    out = capsys.readouterr().out
    assert str(demo) in out
    url = next(word for word in out.split() if "/p/" in word)
    assert sign_in.usable_link(token_of(url)).patient == demo


def test_the_demo_link_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG off"):
        call_command("portal_demo_link")
    assert not SignInLink.objects.exists()
