"""The doctor ends therapy from the progress page: the plan and referral are
completed with a discharge summary, and visits still booked are cancelled."""

import pytest
from django.urls import reverse

from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_ending_therapy_cancels_the_visits_still_booked(client, doctor, plan):
    # given a visit booked for tomorrow
    visit = AppointmentFactory(plan=plan)
    client.force_login(doctor)
    # when the doctor ends therapy with a discharge summary
    client.post(reverse("end_therapy", args=[plan.pk]), {"summary": "Goals met; home program."})
    # then the plan and referral are completed and the visit cancelled
    plan.refresh_from_db(), visit.refresh_from_db(), plan.referral.refresh_from_db()
    assert plan.status == "completed" and plan.end_reason == "Goals met; home program."
    assert plan.referral.status == "completed"
    assert visit.status == AppointmentStatus.CANCELLED


def test_ending_therapy_needs_a_discharge_summary(client, doctor, plan):
    client.force_login(doctor)
    response = client.post(reverse("end_therapy", args=[plan.pk]), {"summary": " "}, follow=True)
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert b"discharge summary" in response.content.lower()
