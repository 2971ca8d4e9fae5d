"""Duplicate patients (API.md, Scheduling (v1 additions); issue 15): the same
last name (case and accents ignored) and date of birth is a 409 `duplicate`
with the candidates, unless the body says `confirm_new`; the page shows them
and asks. A new patient's reminder consent is asked, never pre-ticked."""

import re

import pytest
from django.urls import reverse

from clinic.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def register(api, user, **extra):
    body = {
        "first_name": "Anna",
        "last_name": "MÜLLER",
        "date_of_birth": "1980-04-02",
        "reminder_channel": "none",
        **extra,
    }
    return api.as_(user).post("/api/v1/patients/", body, format="json")


@pytest.fixture
def anna(db):
    return PatientFactory(first_name="Anna", last_name="Müller", date_of_birth="1980-04-02")


def test_the_same_last_name_and_birth_date_is_a_409_with_the_candidates(api, front_desk, anna):
    response = register(api, front_desk)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert [c["id"] for c in response.json()["candidates"]] == [str(anna.pk)]
    assert Patient.objects.count() == 1


def test_confirm_new_registers_the_namesake(api, front_desk, anna):
    response = register(api, front_desk, confirm_new=True)
    assert response.status_code == 201 and "confirm_new" not in response.json()
    assert Patient.objects.count() == 2


def test_another_birth_date_is_another_patient(api, front_desk, anna):
    assert register(api, front_desk, date_of_birth="1980-04-03").status_code == 201


def test_the_page_shows_the_candidates_and_asks(client, front_desk, anna):
    client.force_login(front_desk)
    form = {"first_name": "Anna", "last_name": "muller", "date_of_birth": "1980-04-02",
            "phone": "", "email": "", "reminder_channel": "none"}  # fmt: skip
    asked = client.post(reverse("patient_new"), form)
    assert asked.status_code == 409
    assert "This may be a patient already registered" in asked.content.decode()
    assert Patient.objects.count() == 1
    confirmed = client.post(reverse("patient_new"), {**form, "confirm_new": "on"})
    assert confirmed.status_code == 302 and Patient.objects.count() == 2


def test_reminder_consent_is_not_ticked_on_a_new_patient(client, front_desk):
    client.force_login(front_desk)
    body = client.get(reverse("patient_new")).content.decode()
    tag = re.search(r"<input[^>]*name=\"reminder_consent\"[^>]*>", body).group(0)
    assert "checked" not in tag
