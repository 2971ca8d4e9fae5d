"""Who may open which page: the same doors as the API (`visible_to`), out of
scope is a 404, a role that never uses a page gets a 403, and the front desk
never reads clinical content."""

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_the_sign_in_form_is_at_the_root_for_anyone_not_signed_in(client):
    # when
    response = client.get("/")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in body and 'name="password"' in body
    assert "csrfmiddlewaretoken" in body


@pytest.mark.parametrize(
    ("who", "home"),
    [
        ("doctor", "/my-patients/"),
        ("therapist", "/today/"),
        ("front_desk", "/week/"),
        ("manager", "/admin/"),
    ],
)
def test_each_role_lands_on_its_own_home_after_signing_in(client, request, who, home):
    # given
    user = request.getfixturevalue(who)
    # when
    response = client.post("/", {"username": user.username, "password": "correct-horse-battery"})
    # then
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert client.get("/home/")["Location"] == home


def test_pages_need_a_signed_in_person(client, patient):
    # when
    response = client.get(reverse("patient_detail", args=[patient.pk]))
    # then
    assert response.status_code == 302 and response["Location"].startswith("/?next=")


def test_second_doctor_finds_the_patient_in_the_directory_to_write_a_referral(
    as_, other_doctor, patient, referral
):
    # given
    client = as_(other_doctor)
    # when
    directory = client.get(reverse("patient_directory"), {"q": "Parker"})
    form = client.get(reverse("referral_new", args=[patient.pk]))
    # then
    assert directory.status_code == 200 and "Parker, Pat" in directory.content.decode()
    assert form.status_code == 200


@pytest.mark.parametrize(
    "page",
    ["referral_detail", "referral_edit", "plan_detail", "plan_progress", "note_detail"],
)
def test_second_doctor_gets_404_on_the_clinical_pages_of_another_doctors_patient(
    as_, other_doctor, referral, plan, note, page
):
    # given
    target = {"referral_detail": referral, "referral_edit": referral, "note_detail": note}.get(
        page, plan
    )
    # when
    response = as_(other_doctor).get(reverse(page, args=[target.pk]))
    # then
    assert response.status_code == 404


def test_second_doctor_sees_no_referral_on_the_patient_page(as_, other_doctor, patient, referral):
    # when
    body = as_(other_doctor).get(reverse("patient_detail", args=[patient.pk])).content.decode()
    # then
    assert "M54.2" not in body and "carotid" not in body
    assert reverse("referral_detail", args=[referral.pk]) not in body


def test_the_referring_doctor_opens_the_same_pages(as_, doctor, referral, plan, note):
    # given
    client = as_(doctor)
    # then
    for url in (
        reverse("referral_detail", args=[referral.pk]),
        reverse("plan_detail", args=[plan.pk]),
        reverse("plan_progress", args=[plan.pk]),
        reverse("note_detail", args=[note.pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("page", ["plan_detail", "plan_progress", "note_detail"])
def test_another_therapist_gets_404_on_the_plan_and_notes_of_a_patient_not_theirs(
    as_, other_therapist, plan, note, page
):
    # given
    target = note if page == "note_detail" else plan
    # when
    response = as_(other_therapist).get(reverse(page, args=[target.pk]))
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["plan_progress", "note_detail", "my_patients"])
def test_the_front_desk_may_not_open_clinical_pages(as_, front_desk, referral, plan, note, page):
    # given
    args = {
        "referral_detail": [referral.pk],
        "note_detail": [note.pk],
        "my_patients": [],
    }.get(page, [plan.pk])
    # when
    response = as_(front_desk).get(reverse(page, args=args))
    # then
    assert response.status_code == 403


def test_the_front_desk_never_sees_a_diagnosis_or_a_precaution_in_any_page(
    as_, front_desk, patient, referral, plan, note
):
    # given: a booked visit of a series-able approved plan
    visit = AppointmentFactory(plan=plan)
    client = as_(front_desk)
    pages = [
        reverse("patient_directory"),
        reverse("patient_detail", args=[patient.pk]),
        reverse("patient_edit", args=[patient.pk]),
        reverse("calendar") + f"?week={visit.start.date()}",
        reverse("appointment_detail", args=[visit.pk]),
        reverse("series_new", args=[plan.pk]),
        reverse("reminder_list"),
        # the status fields of a referral and a plan, as the API gives them
        reverse("referral_detail", args=[referral.pk]),
        reverse("plan_detail", args=[plan.pk]),
    ]
    secrets = ["M54.2", "Cervicalgia", referral.precautions, "carotid", note.subjective]
    for url in pages:
        # when
        response = client.get(url)
        body = response.content.decode()
        # then
        assert response.status_code == 200, url
        for secret in secrets:
            assert secret not in body, (url, secret)


def test_the_front_desk_sees_visits_used_and_left_and_valid_until(
    as_, front_desk, patient, referral, plan
):
    # given
    AppointmentFactory(plan=plan)
    # when
    body = as_(front_desk).get(reverse("patient_detail", args=[patient.pk])).content.decode()
    # then
    assert "1 of 10 visits used, 9 left" in body
    assert f"valid until {referral.valid_until:%b} {referral.valid_until.day}" in body


def test_the_navigation_of_the_manager_links_the_django_admin(as_, manager):
    # when
    body = as_(manager).get(reverse("patient_directory")).content.decode()
    # then
    assert 'href="/admin/"' in body


def test_reading_a_clinical_page_leaves_an_audit_event(as_, doctor, referral, plan, note):
    # given
    from clinic.models import AuditEvent

    client = as_(doctor)
    # when
    client.get(reverse("referral_detail", args=[referral.pk]))
    client.get(reverse("plan_detail", args=[plan.pk]))
    client.get(reverse("plan_progress", args=[plan.pk]))
    client.get(reverse("note_detail", args=[note.pk]))
    # then
    actions = set(AuditEvent.objects.filter(actor=doctor).values_list("action", flat=True))
    assert {"referral.read", "plan.read", "plan.progress_read", "note.read"} <= actions
