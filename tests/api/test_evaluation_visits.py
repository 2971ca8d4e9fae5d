"""Evaluation visits (API.md, Scheduling (v1 additions); issue 15): a new
patient is seen on a signed referral before any plan exists; the visit counts
against the referral's visits. "Now" is pinned: Monday Dec 7, 2026, 08:30."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from referrals.models import Referral, ReferralStatus, TreatmentPlan
from scheduling.models import Appointment
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 12, 7)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def pinned_now(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        yield


@pytest.fixture
def signed(patient, doctor):
    return ReferralFactory(patient=patient, doctor=doctor, visits_prescribed=2)


def evaluate(api, user, on, therapist, hour=10, **extra):
    body = {
        "patient": str(on.patient_id),
        "therapist": str(therapist.pk),
        "referral": str(on.pk),
        "kind": "evaluation",
        "start": at(MONDAY + timedelta(days=1), hour).isoformat(),
        "end": at(MONDAY + timedelta(days=1), hour, 45).isoformat(),
        **extra,
    }
    return api.as_(user).post("/api/v1/appointments/", body, format="json")


def test_an_evaluation_is_booked_on_a_signed_referral_before_any_plan(
    api, front_desk, signed, therapist
):
    # given
    assert not TreatmentPlan.objects.filter(referral=signed).exists()
    # when
    response = evaluate(api, front_desk, signed, therapist)
    # then
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "evaluation" and response.json()["plan"] is None
    assert response.json()["referral"] == str(signed.pk)
    assert Referral.objects.with_visits_used().get(pk=signed.pk).visits_used_count == 1


def test_evaluations_count_against_the_referrals_visits(api, front_desk, signed, therapist):
    assert evaluate(api, front_desk, signed, therapist, hour=10).status_code == 201
    assert evaluate(api, front_desk, signed, therapist, hour=12).status_code == 201
    third = evaluate(api, front_desk, signed, therapist, hour=14)
    assert third.status_code == 400 and "referral" in third.json()
    assert Appointment.objects.filter(referral=signed).count() == 2


def test_a_draft_referral_cannot_be_evaluated(api, front_desk, patient, doctor, therapist):
    draft = ReferralFactory(patient=patient, doctor=doctor, status=ReferralStatus.DRAFT)
    response = evaluate(api, front_desk, draft, therapist)
    assert response.status_code == 400 and "referral" in response.json()


def test_an_evaluation_without_a_referral_is_a_400_naming_it(api, front_desk, signed, therapist):
    response = evaluate(api, front_desk, signed, therapist, **{"referral": None})
    assert response.status_code == 400 and "referral" in response.json()


def test_the_referring_doctor_sees_the_evaluation(api, front_desk, signed, therapist, doctor):
    visit = evaluate(api, front_desk, signed, therapist).json()
    assert api.as_(doctor).get(f"/api/v1/appointments/{visit['id']}/").status_code == 200
