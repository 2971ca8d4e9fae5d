"""The providers' settings fail loudly at start-up, SITE_URL is checked, and
phone numbers are stored in E.164 from the moment they are entered."""

import pytest

from clinic.models import Patient
from tests.ops.test_settings import manage


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"SMS_BACKEND": "messaging.twilio_sms.TwilioSmsBackend"}, "TWILIO_ACCOUNT_SID"),
        ({"SITE_URL": "clinic.example"}, "SITE_URL"),
        ({"SITE_URL": "https://clinic.example/app?x=1"}, "SITE_URL"),
        (
            {
                "DEBUG": "0", "SECRET_KEY": "x" * 50, "SITE_URL": "https://clinic.example",
                "ALLOWED_HOSTS": "clinic.example",
                "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            },
            "ANYMAIL_WEBHOOK_SECRET",
        ),
    ],
)  # fmt: skip
def test_a_provider_without_its_settings_refuses_to_start(env, complaint):
    result = manage("check", **env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_the_twilio_backend_starts_with_its_credentials():
    result = manage(
        "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SITE_URL)",
        SMS_BACKEND="messaging.twilio_sms.TwilioSmsBackend", TWILIO_ACCOUNT_SID="AC1",
        TWILIO_AUTH_TOKEN="t", TWILIO_FROM_NUMBER="+12125550100", SITE_URL="https://c.example/",
    )  # fmt: skip
    assert result.stdout.strip() == "https://c.example", result.stderr


def test_the_front_desk_enters_a_phone_in_any_usual_form_and_it_is_stored_in_e164(
    api, front_desk, patient
):
    response = api.as_(front_desk).patch(
        f"/api/v1/patients/{patient.pk}/", {"phone": "(212) 555-0134"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+12125550134"
    assert Patient.objects.get(pk=patient.pk).phone == "+12125550134"


@pytest.mark.parametrize("phone", ["555-0134", "call me", "+1 212"])
def test_a_phone_that_cannot_be_texted_is_a_400_naming_the_field(api, front_desk, patient, phone):
    response = api.as_(front_desk).patch(
        f"/api/v1/patients/{patient.pk}/", {"phone": phone}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["phone"]
    assert Patient.objects.get(pk=patient.pk).phone == patient.phone


def test_a_blank_phone_stays_blank(api, front_desk, patient):
    response = api.as_(front_desk).patch(
        f"/api/v1/patients/{patient.pk}/", {"phone": ""}, format="json"
    )
    assert (response.status_code, response.json()["phone"]) == (200, "")


def test_the_patient_form_stores_the_phone_in_e164(client, front_desk, patient):
    client.force_login(front_desk)
    response = client.post(
        f"/patients/{patient.pk}/edit/",
        {
            "first_name": patient.first_name, "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(), "phone": "+44 20 7946 0958",
            "email": patient.email, "reminder_channel": "sms", "reminder_consent": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Patient.objects.get(pk=patient.pk).phone == "+442079460958"
