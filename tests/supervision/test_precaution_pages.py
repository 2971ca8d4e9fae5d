"""The gate's pages: a therapist records a finding, the doctor clears it."""

import pytest
from django.test import Client
from django.urls import reverse

from referrals.models import Precaution
from tests.writes import nothing_written


def _as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def finding(patient, therapist, referral, plan):
    _as(therapist).post(
        reverse("finding_new", args=[patient.pk]),
        {"kind": "dvt", "region": "calf", "side": "left", "note": "Warm, swollen calf",
         "next": "/today/"},
    )  # fmt: skip
    return Precaution.objects.get()


def test_the_therapist_records_a_finding_and_goes_back(patient, therapist, plan):
    # given / when
    response = _as(therapist).post(
        reverse("finding_new", args=[patient.pk]), {"kind": "fever", "next": "/today/"}
    )
    # then
    assert response.status_code == 302 and response.url == "/today/"
    assert Precaution.objects.get().kind == "fever"


def test_the_doctor_sees_the_clearance_request(finding, doctor):
    # given / when
    response = _as(doctor).get(reverse("clearances"))
    # then
    assert response.status_code == 200
    assert "DVT or thrombosis history at the calf (left)" in response.content.decode()


def test_the_doctor_clears_it(finding, doctor):
    # given / when
    _as(doctor).post(reverse("precaution_clear", args=[finding.pk]), {"note": "Ultrasound clear"})
    # then
    finding.refresh_from_db()
    assert finding.cleared_by == doctor
    assert finding.clearance_note == "Ultrasound clear"


def test_another_doctor_gets_404_for_the_precaution(finding, other_doctor):
    # given / when
    with nothing_written():
        response = _as(other_doctor).post(reverse("precaution_clear", args=[finding.pk]))
    # then
    assert response.status_code == 404
    finding.refresh_from_db()
    assert finding.cleared_at is None


@pytest.mark.parametrize(("user", "status"), [("front_desk", 403), ("other_therapist", 404)])
def test_only_the_patients_clinicians_record_findings(patient, request, user, status):
    # given / when
    response = _as(request.getfixturevalue(user)).post(
        reverse("finding_new", args=[patient.pk]), {"kind": "fever"}
    )
    # then
    assert response.status_code == status
    assert not Precaution.objects.exists()


def test_an_off_site_next_is_ignored(patient, therapist, plan):
    # given / when
    response = _as(therapist).post(
        reverse("finding_new", args=[patient.pk]),
        {"kind": "fever", "next": "https://evil.example/"},
    )
    # then
    assert response.url == reverse("patient_detail", args=[patient.pk])


def test_the_precautions_panel_renders_stop_rules_first_with_the_finding_form(
    finding, patient, referral, therapist, rf
):
    # given an osteoporosis flag on the referral besides the DVT finding
    from django.template.loader import render_to_string

    from referrals.precaution_pages import precautions_panel

    Precaution.objects.create(patient=patient, referral=referral, kind="osteoporosis",
                              source="referral", raised_by=referral.doctor)  # fmt: skip
    request = rf.get("/today/")
    request.user = therapist
    # when
    html = render_to_string(
        "components/_precautions.html",
        {**precautions_panel(patient), "user": therapist, "request": request},
    )
    # then
    assert html.index("Stop") < html.index("Modify")
    assert "Record the finding" in html
