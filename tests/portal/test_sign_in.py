"""Signing in by link (API.md, The patient's side): single-use, time-limited,
the date of birth as the second factor, locked after 5 wrong answers, a patient
token that idles out after 30 minutes. Every step is audited on the patient."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from clinic.models import AuditEvent
from portal.models import PatientSession, SignInLink
from tests.portal.conftest import NOW

pytestmark = pytest.mark.django_db

SESSION = "/api/v1/portal/session/"


def sign_in(api, token, born):
    return api.post(SESSION, {"token": token, "date_of_birth": born}, format="json")


def test_a_link_and_the_date_of_birth_give_a_patient_token(api, patient, link_for, clock):
    # given a link the front desk sent Pat
    token = link_for(patient)
    # when Pat signs in with it and the right date of birth
    answer = sign_in(api, token, patient.date_of_birth.isoformat())
    # then a patient token, idling out 30 minutes from now
    assert answer.status_code == 200, answer.json()
    assert answer.json()["token"]
    expires = datetime.fromisoformat(answer.json()["expires_at"])
    assert expires == NOW + timedelta(minutes=30)
    assert AuditEvent.objects.filter(action="portal.signed_in", patient=patient).count() == 1
    # and only a digest of either secret is stored
    assert not SignInLink.objects.filter(digest=token).exists()
    assert not PatientSession.objects.filter(digest=answer.json()["token"]).exists()


def test_a_link_works_once(api, patient, link_for):
    token = link_for(patient)
    assert sign_in(api, token, patient.date_of_birth.isoformat()).status_code == 200
    # when it is used again
    again = sign_in(api, token, patient.date_of_birth.isoformat())
    # then it is gone
    assert again.status_code == 410


def test_a_link_expires_after_PATIENT_LINK_HOURS(api, patient, link_for, clock, settings):
    settings.PATIENT_LINK_HOURS = 72
    token = link_for(patient)
    clock.advance(hours=72)
    assert sign_in(api, token, patient.date_of_birth.isoformat()).status_code == 410


def test_a_wrong_date_of_birth_is_a_400_naming_the_field(api, patient, link_for):
    token = link_for(patient)
    wrong = (patient.date_of_birth - timedelta(days=1)).isoformat()
    answer = sign_in(api, token, wrong)
    assert answer.status_code == 400
    assert "date_of_birth" in answer.json()
    # and the link still works with the right answer
    assert sign_in(api, token, patient.date_of_birth.isoformat()).status_code == 200


def test_five_wrong_dates_of_birth_lock_the_link(api, patient, link_for):
    token = link_for(patient)
    wrong = (patient.date_of_birth - timedelta(days=400)).isoformat()
    # when five wrong answers come
    answers = [sign_in(api, token, wrong).status_code for _ in range(5)]
    # then each is refused, and the link is locked: even the right answer is a 410
    assert answers == [400] * 5
    assert sign_in(api, token, patient.date_of_birth.isoformat()).status_code == 410
    assert SignInLink.objects.get().failed_attempts == 5
    assert AuditEvent.objects.filter(action="portal.link_locked", patient=patient).exists()
    assert AuditEvent.objects.filter(action="portal.sign_in_failed").count() == 4


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": "x"},
        {"token": "x", "date_of_birth": "31/12/1980"},
        {"date_of_birth": "1980-01-01"},
    ],
)
def test_a_broken_sign_in_is_a_400_naming_the_field(api, body, clock):
    answer = api.post(SESSION, body, format="json")
    assert answer.status_code == 400
    missing = {"token", "date_of_birth"} - set(body)
    assert set(answer.json()) >= (missing or {"date_of_birth"})


def test_an_unknown_token_is_gone(api, patient, clock):
    assert sign_in(api, "no-such-link", patient.date_of_birth.isoformat()).status_code == 410


def test_the_patient_token_idles_out_after_30_minutes(patient, patient_api, clock):
    client = patient_api(patient)
    clock.advance(minutes=29)
    assert client.get("/api/v1/portal/me/").status_code == 200
    # each request pushes the deadline on
    clock.advance(minutes=29)
    assert client.get("/api/v1/portal/me/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/api/v1/portal/me/").status_code == 401


def test_signing_out_ends_the_token(patient, patient_api, clock):
    client = patient_api(patient)
    assert client.delete(SESSION).status_code == 204
    assert client.get("/api/v1/portal/me/").status_code == 401


def test_a_deactivated_patient_cannot_sign_in(api, patient, link_for):
    token = link_for(patient)
    patient.is_active = False
    patient.save()
    assert sign_in(api, token, patient.date_of_birth.isoformat()).status_code == 410


# --- the front desk sends the link ---------------------------------------------------------


def test_the_front_desk_sends_a_link_by_email(api, front_desk, patient, clock, settings):
    settings.SITE_URL = "https://clinic.example"
    patient.reminder_channel = "email"
    patient.save()
    answer = api.as_(front_desk).post(f"/api/v1/patients/{patient.pk}/invite/")
    assert answer.status_code == 202
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    assert "https://clinic.example/p/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="portal.link_issued", actor=front_desk).exists()


def test_the_link_goes_by_text_to_a_patient_who_chose_texts(
    api, front_desk, patient, clock, settings, tmp_path
):
    settings.SMS_BACKEND = "clinic.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    patient.reminder_channel = "sms"
    patient.save()
    assert api.as_(front_desk).post(f"/api/v1/patients/{patient.pk}/invite/").status_code == 202
    assert "/p/" in settings.SMS_FILE_PATH.read_text()
    assert mail.outbox == []


def test_a_patient_with_no_contact_gets_no_link(api, front_desk, patient, clock):
    patient.email = ""
    patient.phone = ""
    patient.save()
    answer = api.as_(front_desk).post(f"/api/v1/patients/{patient.pk}/invite/")
    assert answer.status_code == 400
    assert "contact" in answer.json()
    assert not SignInLink.objects.exists()


@pytest.mark.parametrize("role", ["doctor", "therapist", "manager"])
def test_only_the_front_desk_sends_links(request, api, patient, plan, role, clock):
    user = request.getfixturevalue(role)
    answer = api.as_(user).post(f"/api/v1/patients/{patient.pk}/invite/")
    assert answer.status_code == 403
    assert not SignInLink.objects.exists()


def test_the_front_desk_sends_it_from_the_patient_page(front_desk, patient, clock, client):
    client.force_login(front_desk)
    page = client.get(f"/patients/{patient.pk}/")
    assert b"Send sign-in link" in page.content
    sent = client.post(f"/patients/{patient.pk}/invite/", follow=True)
    assert b"A sign-in link is on its way" in sent.content
    assert len(mail.outbox) == 1
