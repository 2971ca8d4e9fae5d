"""The patient pages: the link asks the date of birth, then Pat sees the coming
visits, confirms or cancels, changes preferences, signs out."""

from datetime import timedelta

import pytest
from django.test import Client

from clinic.models import AuditEvent
from scheduling.models import AppointmentStatus

pytestmark = pytest.mark.django_db


def test_opening_the_link_asks_the_date_of_birth_and_changes_nothing(patient, link_for, client):
    token = link_for(patient)
    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    assert b"date of birth" in page.content
    # a mail scanner's GET did not use the link up
    assert client.get(f"/p/{token}").status_code == 200
    assert not AuditEvent.objects.filter(action="portal.signed_in").exists()


def test_the_right_date_of_birth_opens_the_visits(patient, link_for, client, upcoming):
    token = link_for(patient)
    answer = client.post(f"/p/{token}", {"date_of_birth": patient.date_of_birth.isoformat()})
    assert answer.status_code == 302 and answer["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert b"Hello, Pat" in home.content
    assert b"Theo Tran" in home.content
    # and the link is spent
    assert client.get(f"/p/{token}").status_code == 410


def test_a_wrong_date_of_birth_says_so_on_the_form(patient, link_for, client):
    token = link_for(patient)
    wrong = (patient.date_of_birth - timedelta(days=3)).isoformat()
    answer = client.post(f"/p/{token}", {"date_of_birth": wrong})
    assert answer.status_code == 200
    assert b"does not match" in answer.content
    assert client.get("/portal/").status_code == 302


def test_without_a_session_the_portal_sends_to_the_signed_out_page(client, clock):
    answer = client.get("/portal/")
    assert answer.status_code == 302 and answer["Location"] == "/portal/signed-out/"
    assert client.get("/portal/signed-out/").status_code == 200


def test_the_page_session_idles_out(patient, patient_pages, clock):
    client = patient_pages(patient)
    clock.advance(minutes=31)
    assert client.get("/portal/").status_code == 302


def test_confirming_on_the_page(patient, patient_pages, upcoming):
    client = patient_pages(patient)
    answer = client.post(f"/portal/visits/{upcoming.pk}/confirm/", follow=True)
    assert b"your visit is confirmed" in answer.content
    upcoming.refresh_from_db()
    assert upcoming.confirmed_at is not None


def test_cancelling_asks_first_then_cancels(patient, patient_pages, upcoming):
    client = patient_pages(patient)
    question = client.get(f"/portal/visits/{upcoming.pk}/cancel/")
    assert b"Yes, cancel it" in question.content
    upcoming.refresh_from_db()
    assert upcoming.status == AppointmentStatus.BOOKED
    client.post(f"/portal/visits/{upcoming.pk}/cancel/")
    upcoming.refresh_from_db()
    assert upcoming.status == AppointmentStatus.CANCELLED


def test_a_late_cancel_is_refused_on_the_page(patient, patient_pages, tomorrow, settings):
    settings.LATE_CANCEL_ALLOWED = False
    client = patient_pages(patient)
    assert b"please call us" in client.get("/portal/").content
    answer = client.post(f"/portal/visits/{tomorrow.pk}/cancel/", follow=True)
    assert b"please call us" in answer.content
    tomorrow.refresh_from_db()
    assert tomorrow.status == AppointmentStatus.BOOKED


def test_preferences_change_and_show_the_calendar_address(patient, patient_pages):
    client = patient_pages(patient)
    page = client.get("/portal/details/")
    assert patient.calendar_token.encode() in page.content
    answer = client.post(
        "/portal/details/",
        {
            "email": "pat@new.example",
            "phone": "",
            "reminder_channel": "email",
            "reminder_consent": "on",
        },
    )
    assert answer.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "pat@new.example"


def test_text_reminders_without_a_phone_are_refused_on_the_form(patient, patient_pages):
    client = patient_pages(patient)
    answer = client.post(
        "/portal/details/",
        {"email": patient.email, "phone": "", "reminder_channel": "sms", "reminder_consent": "on"},
    )
    assert answer.status_code == 200
    assert b"Text reminders need a phone number" in answer.content


def test_signing_out_ends_the_page_session(patient, patient_pages):
    client = patient_pages(patient)
    assert client.post("/portal/sign-out/").status_code == 302
    assert client.get("/portal/").status_code == 302
    assert AuditEvent.objects.filter(action="portal.signed_out", patient=patient).exists()


def test_signing_in_as_a_patient_signs_the_staff_member_out_of_this_browser(
    patient, link_for, front_desk
):
    client = Client()
    client.force_login(front_desk)
    client.post(f"/p/{link_for(patient)}", {"date_of_birth": patient.date_of_birth.isoformat()})
    assert client.get("/patients/").status_code == 302  # the staff session is gone
    assert client.get("/portal/").status_code == 200


def test_staff_get_a_403_on_the_patient_pages(front_desk, clock, client):
    client.force_login(front_desk)
    assert client.get("/portal/").status_code == 403
