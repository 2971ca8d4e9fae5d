"""The supervision rules seen through the API (API.md): the gate's 409 and 400,
and measurements scored from their items."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Precaution
from tests.factories import AppointmentFactory
from tests.writes import nothing_written


@pytest.fixture
def visit(plan):
    return AppointmentFactory(plan=plan, start=timezone.now() - timedelta(hours=1))


def _note(visit, side="left"):
    return {
        "appointment": str(visit.pk), "pain_before": 5, "pain_after": 3, "response": "improved",
        "areas": [{"region": "neck", "side": side, "modalities": ["trigger_point"],
                   "minutes": 20}],
    }  # fmt: skip


def test_a_stop_flag_is_a_409_conflict_with_the_reason(api, referral, therapist, visit):
    # given a DVT history on the referral, not cleared
    Precaution.objects.create(patient=referral.patient, referral=referral, kind="dvt",
                              source="referral", raised_by=referral.doctor)  # fmt: skip
    # when
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/session-notes/", _note(visit), format="json")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "stop until cleared by the doctor" in response.json()["detail"]


def test_treating_an_avoided_area_is_a_400_naming_the_area(api, referral, therapist, visit):
    # given a wound on the left of the neck
    Precaution.objects.create(patient=referral.patient, referral=referral, kind="open_wound",
                              region="neck", side="left", source="referral",
                              raised_by=referral.doctor)  # fmt: skip
    # when
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/session-notes/", _note(visit), format="json")
    # then
    assert response.status_code == 400
    assert "avoid the area" in response.json()["areas"][0]["region"][0]


def test_a_measurement_sent_as_items_is_scored_by_the_app(api, plan, therapist):
    # given the ODI with one section skipped: 18 points / (9 x 5) = 40 %
    items = [{"score": s} for s in (3, 2, 2, 1, 4, 2, 1, None, 2, 1)]
    body = {"plan": str(plan.pk), "measure": "odi", "items": items,
            "taken_at": timezone.now().isoformat()}  # fmt: skip
    # when
    response = api.as_(therapist).post("/api/v1/measurements/", body, format="json")
    # then
    assert response.status_code == 201, response.json()
    assert float(response.json()["score"]) == 40


def test_an_out_of_range_item_is_a_400_naming_it(api, plan, therapist):
    # given the third NDI section scored 7 (sections are 0-5)
    items = [{"score": s} for s in (1, 2, 7, 0, 0, 0, 0, 0, 0, 0)]
    body = {"plan": str(plan.pk), "measure": "ndi", "items": items,
            "taken_at": timezone.now().isoformat()}  # fmt: skip
    # when
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/measurements/", body, format="json")
    # then
    assert response.status_code == 400
    errors = response.json()["items"]
    assert errors[2]["score"] and errors[0] == {}
