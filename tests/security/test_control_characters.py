"""Names, phone numbers and email addresses are one line of plain text: a line
break or another control character is refused, naming the field, in the API,
on the pages and in the admin. Free text (notes, precautions) keeps its lines.
A patient's name goes into the subject of the doctor's clearance email, where
a line break once started a new header."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from zeal import zeal_ignore

from clinic.models import Patient, User
from referrals.contraindications import raise_finding
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    """The clearance email goes through Celery; run the task in-process."""
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


CONTROL = {
    "crlf": "\r\n",
    "lf": "\n",
    "cr": "\r",
    "tab": "\t",
    "nul": "\x00",
    "escape": "\x1b",
    "del": "\x7f",
    "next-line": "\x85",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
}
FIELDS = ["first_name", "last_name", "phone", "email"]


def patient_body(**change):
    return {
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1980-01-02",
        "phone": "+15550100999",
        "email": "ann@example.com",
        "reminder_channel": "email",
        **change,
    }


def with_control(field, char):
    """The field's value with the character inside (an email's local part quoted,
    which Django's own email check lets most control characters through)."""
    if field == "email":
        return f'"ann{char}bcc"@example.com'
    return {"first_name": "Ann", "last_name": "Lee", "phone": "+1555"}[field] + char + "0100"


@pytest.mark.parametrize("char", CONTROL.values(), ids=CONTROL.keys())
@pytest.mark.parametrize("field", FIELDS)
def test_the_api_refuses_a_control_character_naming_the_field(api, front_desk, field, char):
    # when
    response = api.as_(front_desk).post(
        "/api/v1/patients/", patient_body(**{field: with_control(field, char)}), format="json"
    )
    # then
    assert response.status_code == 400
    assert field in response.json()
    assert not Patient.objects.exists()


@pytest.mark.parametrize("field", FIELDS)
def test_changing_a_patient_to_a_two_line_value_is_refused(api, front_desk, patient, field):
    response = api.as_(front_desk).patch(
        f"/api/v1/patients/{patient.pk}/",
        {field: with_control(field, "\r\n")},
        format="json",
        HTTP_IF_MATCH=f'"{patient.version}"',
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()


@pytest.mark.parametrize("field", FIELDS)
def test_the_patient_page_shows_the_error_at_the_field(client, front_desk, field):
    # given
    client.force_login(front_desk)
    body = patient_body(**{field: with_control(field, "\n")})
    # when
    response = client.post(reverse("patient_new"), body)
    # then
    form = response.context["form"]
    assert list(form.errors) == [field]
    if field != "email":  # there Django's own address check speaks first
        assert "Line breaks and control characters" in form.errors[field][0]
    assert not Patient.objects.exists()


@pytest.mark.parametrize("field", ["first_name", "last_name", "email"])
def test_the_admin_refuses_a_two_line_staff_name(client, manager, therapist, field):
    # given the manager editing Theo in the admin (zeal, under NPLUSONE_CHECKS, takes
    # loading the signed-in user and then the staff member shown for an N+1)
    client.force_login(manager)
    url = reverse("admin:clinic_user_change", args=[therapist.pk])
    with zeal_ignore():
        form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"role": therapist.role, "is_active": "on", "date_joined_0": "2026-01-01"})
    data["date_joined_1"] = "09:00"
    # when
    data[field] = with_control(field, "\r\n")
    with zeal_ignore():
        response = client.post(url, data)
    # then
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    therapist.refresh_from_db()
    assert "\n" not in getattr(therapist, field)


def test_the_models_refuse_a_line_break_in_names_phone_and_email():
    patient = PatientFactory.build(first_name="Ann\nBcc: x@example.com", phone="1\r2")
    with pytest.raises(ValidationError) as error:
        patient.full_clean()
    assert {"first_name", "phone"} <= set(error.value.message_dict)
    staff = User(username="eve", last_name="Lee\u2028Bcc")
    with pytest.raises(ValidationError) as error:
        staff.full_clean()
    assert "last_name" in error.value.message_dict


def test_free_text_keeps_its_line_breaks(api, doctor, patient):
    # given a referral whose precautions are written on two lines
    from tests.factories import ReferralFactory

    referral = ReferralFactory(patient=patient, doctor=doctor, status="draft")
    precautions = "On anticoagulants.\nLight pressure only."
    # when
    response = api.as_(doctor).patch(
        f"/api/v1/referrals/{referral.pk}/", {"precautions": precautions}, format="json"
    )
    # then
    assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    assert referral.precautions == precautions


def test_the_doctors_clearance_email_cannot_be_given_an_extra_header(
    api, front_desk, therapist, doctor, patient, referral, mailoutbox,
    django_capture_on_commit_callbacks, eager_tasks,
):  # fmt: skip
    # given the front desk tries to rename Pat with a Bcc header in her name
    renamed = api.as_(front_desk).patch(
        f"/api/v1/patients/{patient.pk}/",
        {"last_name": "Parker\r\nBcc: leak@example.com"},
        format="json",
        HTTP_IF_MATCH=f'"{patient.version}"',
    )
    assert renamed.status_code == 400
    # when a finding sends Pat's doctor the clearance email
    patient.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        raise_finding(by=therapist, patient=patient, kind="dvt", region="calf", side="left")
    # then it has one line of subject and Dana as its only recipient
    [email] = mailoutbox
    assert email.recipients() == [doctor.email]
    assert "\n" not in email.subject and "\r" not in email.subject
    assert "Bcc" not in email.message().as_string()
