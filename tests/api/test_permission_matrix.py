"""API.md, Roles, as one table: every endpoint and method, for each member of
the cast, with the cast's own records (Dana's and Theo's) and through the eyes
of those whom they are not (Otto, Tess). 403 = the role may never do it;
404 = outside the caller's scope; 400 = a related id out of scope, named."""

from contextlib import nullcontext
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.api.conftest import at_local

pytestmark = pytest.mark.django_db

ROLES = ("doctor", "other_doctor", "therapist", "other_therapist", "front_desk", "manager")
V = "/api/v1/"


def _today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _referral_body(w):
    return {
        "patient": str(w["patient"].pk),
        "diagnoses": [{"code": "M54.2"}],
        "target_areas": [{"region": "neck", "side": "bilateral"}],
        "recommended_modalities": ["trigger_point"],
        "visits_prescribed": 10,
        "frequency_per_week": 2,
        "valid_until": _today(30),
    }


def _plan_body(w):
    return {
        "referral": str(w["intake_referral"].pk),
        "areas": [{"region": "neck", "side": "left", "modalities": ["trigger_point"]}],
        "goals": [{"description": "Turn the head", "measure": "nprs", "baseline": 6, "target": 2}],
        "frequency_per_week": 2,
        "planned_visits": 6,
        "start_date": _today(),
    }


def _booking(w):
    return {
        "patient": str(w["patient"].pk),
        "therapist": str(w["plan"].therapist_id),
        "plan": str(w["plan"].pk),
        "start": at_local(2, 14).isoformat(),
        "end": at_local(2, 14, 45).isoformat(),
    }


def _series_body(w):
    return {
        "plan": str(w["plan"].pk),
        "therapist": str(w["plan"].therapist_id),
        "start": at_local(5, 9).isoformat(),
        "duration_minutes": 45,
        "rrule": "FREQ=WEEKLY;COUNT=1",
    }


def _note_body(w):
    return {
        "appointment": str(w["started_visit"].pk),
        "pain_before": 6,
        "pain_after": 3,
        "areas": [
            {"region": "neck", "side": "left", "modalities": ["trigger_point"], "minutes": 20}
        ],
        "response": "improved",
    }


def _measurement_body(w):
    return {
        "plan": str(w["plan"].pk),
        "measure": "nprs",
        "score": "4",
        "taken_at": timezone.now().isoformat(),
    }


def _id(key):
    return lambda w: w[key].pk


# (method, path (with {} for the record's id), record, body) -> expected status of
#   doctor, other_doctor, therapist, other_therapist, front_desk, manager
MATRIX = [
    ("get", "me/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "staff/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "diagnoses/?search=neck", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "modalities/", None, None, (200, 200, 200, 200, 200, 200)),
    # patients: the doctors and the front desk share the directory
    ("get", "patients/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "patients/{}/", "patient", None, (200, 200, 200, 404, 200, 200)),
    (
        "post",
        "patients/",
        None,
        lambda w: {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-01-02"},
        (201, 201, 403, 403, 201, 403),
    ),
    ("patch", "patients/{}/", "patient", {"phone": "+15550100999"}, (403, 403, 403, 403, 200, 403)),
    ("get", "patients/{}/fhir/", "patient", None, (200, 404, 200, 404, 403, 200)),
    # referrals
    ("get", "referrals/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "referrals/{}/", "referral", None, (200, 404, 200, 404, 200, 200)),
    ("post", "referrals/", None, _referral_body, (201, 201, 403, 403, 403, 403)),
    (
        "patch",
        "referrals/{}/",
        "draft_referral",
        {"precautions": "No deep pressure."},
        # a therapist edits and signs only the paper prescriptions they transcribed
        # (tests/documents/test_transcription.py); a doctor's draft they never see
        (200, 404, 404, 404, 403, 403),
    ),
    ("post", "referrals/{}/sign/", "draft_referral", None, (200, 404, 404, 404, 403, 403)),
    ("post", "referrals/{}/complete/", "referral", None, (200, 404, 403, 403, 403, 403)),
    # treatment plans
    ("get", "treatment-plans/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "treatment-plans/{}/", "plan", None, (200, 404, 200, 404, 200, 200)),
    ("post", "treatment-plans/", None, _plan_body, (403, 403, 201, 201, 403, 403)),
    (
        "patch",
        "treatment-plans/{}/",
        "draft_plan",
        {"planned_visits": 5},
        (403, 403, 200, 404, 403, 403),
    ),
    ("post", "treatment-plans/{}/propose/", "draft_plan", None, (403, 403, 200, 404, 403, 403)),
    ("post", "treatment-plans/{}/approve/", "proposed_plan", None, (200, 404, 403, 403, 403, 403)),
    (
        "post",
        "treatment-plans/{}/request-changes/",
        "proposed_plan",
        {"comment": "Add a goal."},
        (200, 404, 403, 403, 403, 403),
    ),
    ("post", "treatment-plans/{}/complete/", "plan", None, (200, 404, 200, 404, 403, 403)),
    (
        "post",
        "treatment-plans/{}/discontinue/",
        "plan",
        {"reason": "Moved away."},
        (200, 404, 200, 404, 403, 403),
    ),
    ("get", "treatment-plans/{}/progress/", "plan", None, (200, 404, 200, 404, 403, 200)),
    # appointments
    ("get", "appointments/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "appointments/{}/", "visit", None, (200, 404, 200, 404, 200, 200)),
    ("post", "appointments/", None, _booking, (403, 403, 403, 403, 201, 403)),
    (
        "patch",
        "appointments/{}/",
        "visit",
        lambda w: {"start": at_local(1, 11).isoformat(), "end": at_local(1, 11, 45).isoformat()},
        (403, 403, 403, 403, 200, 403),
    ),
    (
        "post",
        "appointments/{}/cancel/",
        "visit",
        {"reason": "Sick."},
        (403, 403, 403, 403, 200, 403),
    ),
    ("post", "appointments/{}/check-in/", "visit", None, (403, 403, 200, 404, 200, 403)),
    ("post", "appointments/{}/no-show/", "visit", None, (403, 403, 200, 404, 200, 403)),
    ("get", "appointments/{}/reminders/", "visit", None, (200, 404, 200, 404, 200, 200)),
    # appointment series
    ("get", "appointment-series/", None, None, (200, 200, 200, 200, 200, 200)),
    ("get", "appointment-series/{}/", "series", None, (200, 404, 200, 404, 200, 200)),
    ("post", "appointment-series/", None, _series_body, (403, 403, 403, 403, 201, 403)),
    (
        "post",
        "appointment-series/{}/cancel/",
        "series",
        lambda w: {"from": _today(), "reason": "Moved."},
        (403, 403, 403, 403, 200, 403),
    ),
    # session notes and measurements: never the front desk
    ("get", "session-notes/", None, None, (200, 200, 200, 200, 403, 200)),
    ("get", "session-notes/{}/", "note", None, (200, 404, 200, 404, 403, 200)),
    ("post", "session-notes/", None, _note_body, (403, 403, 201, 400, 403, 403)),
    ("patch", "session-notes/{}/", "note", {"pain_after": 2}, (403, 403, 200, 404, 403, 403)),
    ("post", "session-notes/{}/sign/", "note", None, (403, 403, 200, 404, 403, 403)),
    (
        "post",
        "session-notes/{}/addenda/",
        "signed_note",
        {"text": "Mild soreness the next day."},
        (403, 403, 201, 404, 403, 403),
    ),
    ("get", "measurements/", None, None, (200, 200, 200, 200, 403, 200)),
    ("get", "measurements/{}/", "measurement", None, (200, 404, 200, 404, 403, 200)),
    ("post", "measurements/", None, _measurement_body, (403, 403, 201, 400, 403, 403)),
    # supervision: progress reports and precautions, never the front desk
    ("get", "progress-reports/", None, None, (200, 200, 200, 200, 403, 200)),
    ("get", "precautions/", None, None, (200, 200, 200, 200, 403, 200)),
    # the audit trail is the manager's
    ("get", "audit-events/", None, None, (403, 403, 403, 403, 403, 200)),
]

CELLS = [
    pytest.param(method, path, record, body, role, expected[i], id=f"{method} {path} {role}")
    for method, path, record, body, expected in MATRIX
    for i, role in enumerate(ROLES)
]


def _call(client, method, path, record, body, world):
    url = V + (path.format(world[record].pk) if record else path)
    data = body(world) if callable(body) else body
    return getattr(client, method)(url, data, format="json") if method != "get" else client.get(url)


@pytest.mark.parametrize("method, path, record, body, role, expected", CELLS)
def test_each_role_gets_what_the_contract_says(
    request, api, world, method, path, record, body, role, expected
):
    # given the cast and their records, and one member of the cast
    user = request.getfixturevalue(role)

    # when they call the endpoint (a check-in or no-show at the visit's start:
    # API.md, Scheduling (v1 additions), status changes keep to the clock)
    moment = world["visit"].start + timedelta(minutes=1)
    with (
        time_machine.travel(moment, tick=False)
        if "check-in" in path or "no-show" in path
        else nullcontext()
    ):
        response = _call(api.as_(user), method, path, record, body, world)

    # then the answer is the table's
    assert response.status_code == expected, response.content[:500]


@pytest.mark.parametrize(
    "method, path, record, body",
    [pytest.param(*row[:4], id=f"{row[0]} {row[1]}") for row in MATRIX if row[1] != "me/"]
    + [pytest.param("get", "me/", None, None, id="get me/")],
)
def test_nobody_signed_in_gets_401(api, world, method, path, record, body):
    # given no credentials; when calling any endpoint
    response = _call(api, method, path, record, body, world)

    # then it asks for them
    assert response.status_code == 401


def test_the_audit_event_detail_is_the_managers_alone(api, world, doctor, manager):
    # given an audit event (the series booking left some)
    from clinic.models import AuditEvent

    event = AuditEvent.objects.first()

    # when the doctor and the manager ask for it; then only the manager reads it
    assert api.as_(doctor).get(f"{V}audit-events/{event.pk}/").status_code == 403
    assert api.as_(manager).get(f"{V}audit-events/{event.pk}/").status_code == 200
