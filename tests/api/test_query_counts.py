"""Lists and details cost the same number of queries for 2 rows and for 25
(STYLE.md: `django_assert_num_queries` on every list): no N+1 anywhere."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Charge
from clinic.models import AuditEvent
from scheduling.models import AppointmentSeries, AppointmentStatus
from sessions_log.models import Addendum, NoteArea, OutcomeMeasurement
from tests.api.conftest import at_local
from tests.api.test_permission_matrix import _note_body
from tests.conftest import rewriting_history
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
)

pytestmark = pytest.mark.django_db


def add_rows(count, *, doctor, therapist, front_desk, offset):
    """`count` of every record, each with nested children, for Dana and Theo."""
    for i in range(offset, offset + count):
        patient = PatientFactory(created_by=doctor)
        referral = ReferralFactory(patient=patient, doctor=doctor)
        referral.recommended_modalities.set(["trigger_point", "neuromuscular"])
        plan = TreatmentPlanFactory(referral=referral, therapist=therapist)
        start = timezone.now() - timedelta(days=1, hours=i)
        series = AppointmentSeries.objects.create(
            plan=plan,
            patient=patient,
            therapist=therapist,
            rrule="FREQ=WEEKLY;COUNT=1",
            first_start=start,
            duration_minutes=45,
            created_by=front_desk,
        )
        visit = AppointmentFactory(
            plan=plan, series=series, start=start, status=AppointmentStatus.COMPLETED
        )
        note = SessionNoteFactory(appointment=visit)
        area = NoteArea.objects.create(note=note, region="neck", side="left", minutes=20)
        area.modalities.set(["trigger_point"])
        Addendum.objects.create(note=note, author=therapist, text="later")
        OutcomeMeasurement.objects.create(
            plan=plan, measure="ndi", score=20, taken_at=start, recorded_by=therapist
        )
        AuditEvent.objects.create(
            actor=doctor, action="x", target_type="x", target_id="x", patient=patient
        )


LISTS = [
    ("patients/", "front_desk"),
    ("patients/", "therapist"),
    ("referrals/", "doctor"),
    ("referrals/", "therapist"),
    ("referrals/", "front_desk"),
    ("treatment-plans/", "doctor"),
    ("treatment-plans/", "front_desk"),
    ("appointments/", "doctor"),
    ("appointments/", "therapist"),
    ("appointments/", "front_desk"),
    ("appointment-series/", "front_desk"),
    ("appointment-series/", "doctor"),
    ("session-notes/", "doctor"),
    ("session-notes/", "therapist"),
    ("session-notes/", "manager"),
    ("measurements/", "therapist"),
    ("audit-events/", "manager"),
    ("staff/", "manager"),
    ("modalities/", "therapist"),
]
DETAILS = [
    ("patients/{}/", "patient", "front_desk"),
    ("patients/{}/fhir/", "patient", "doctor"),
    ("referrals/{}/", "referral", "doctor"),
    ("referrals/{}/", "referral", "front_desk"),
    ("treatment-plans/{}/", "plan", "doctor"),
    ("treatment-plans/{}/progress/", "plan", "doctor"),
    ("appointments/{}/", "visit", "therapist"),
    ("appointments/{}/reminders/", "visit", "front_desk"),
    ("appointment-series/{}/", "series", "front_desk"),
    ("session-notes/{}/", "note", "therapist"),
    ("measurements/{}/", "measurement", "therapist"),
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize("path, role", LISTS, ids=[f"{p} {r}" for p, r in LISTS])
def test_a_list_costs_the_same_for_2_rows_and_25(
    request, api, django_assert_num_queries, doctor, therapist, front_desk, manager, path, role
):
    # given two of every record, and the queries a page of them costs
    client = api.as_(request.getfixturevalue(role))
    add_rows(2, doctor=doctor, therapist=therapist, front_desk=front_desk, offset=0)
    at_two = _count(client, "/api/v1/" + path)

    # when there are 25
    add_rows(23, doctor=doctor, therapist=therapist, front_desk=front_desk, offset=2)

    # then a page costs the same
    with django_assert_num_queries(at_two):
        response = client.get("/api/v1/" + path)
    if path not in ("staff/", "modalities/"):  # those do not grow with the clinic's records
        assert len(response.json()["results"]) >= 20


@pytest.mark.parametrize("path, key, role", DETAILS, ids=[f"{p} {r}" for p, _, r in DETAILS])
def test_a_detail_costs_the_same_with_2_rows_around_it_and_25(
    request, api, django_assert_num_queries, world, doctor, therapist, front_desk, path, key, role
):
    client = api.as_(request.getfixturevalue(role))
    url = "/api/v1/" + path.format(world[key].pk)
    at_two = _count(client, url)
    add_rows(23, doctor=doctor, therapist=therapist, front_desk=front_desk, offset=2)
    with django_assert_num_queries(at_two):
        client.get(url)


# --- the two writes of the benchmark: round trips pinned (issue 17) ----------------------------
# Every statement the request sends is counted, transaction control included
# (here the request's transaction is a savepoint inside the test's): each is a
# round trip to the database.

NOTE_ROUND_TRIPS = 19  # the request's savepoint; idempotency key; the visit (access);
# modalities (read once, for billing's check and sessions_log's); savepoint; the visit locked
# with its patient and whether it has a note; the consent to treatment; precautions; the note;
# its areas; their modalities; billing's part, in sessions_log's transaction: coverage, the
# modality mappings, the note's services; the visit completed; audit; release; the key's
# answer; the request's release. Answered from what was written: nothing read back.
SIGN_ROUND_TRIPS = 20  # the request's savepoint; idempotency key; the note (access);
# savepoint; the note locked with its visit, patient and plan; its areas; their modalities;
# the note signed; audit; billing's part, in the same transaction: coverage; the self-pay payer
# (none covers Pat); the services with their codes; the diagnoses; the payer's fees; the
# charge; its lines; audit; release; the key's answer; the request's release.
SERIES_ROUND_TRIPS = 19  # the request's savepoint; idempotency key; plan, therapist
# (serializer); savepoint; closures; therapist and patient locked; visits used; hours; time
# off; clashes; series; visits; reminders; audit; release; the key's answer; release


def _round_trips(client, path, body) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            path, body, format="json", headers={"Idempotency-Key": str(uuid.uuid4())}
        )
    return len(queries), response


def _areas(count):
    places = [("neck", "left"), ("upper_back", "right"), ("lower_back", "left")]
    return [
        {"region": region, "side": side, "minutes": 15, "modalities": ["trigger_point"]}
        for region, side in places[:count]
    ]


def test_logging_a_note_takes_the_same_round_trips_for_one_area_or_three(api, world, therapist):
    # given two visits that have started, one with the note of one area, one of three
    client = api.as_(therapist)
    earlier = timezone.now() - timedelta(hours=3)
    other = AppointmentFactory(
        plan=world["plan"],
        start=earlier,
        end=earlier + timedelta(minutes=45),
        status=AppointmentStatus.CHECKED_IN,
    )
    one = {**_note_body(world), "areas": _areas(1)}
    three = {**_note_body(world), "appointment": str(other.pk), "areas": _areas(3)}
    # when each is logged
    at_one, first = _round_trips(client, "/api/v1/session-notes/", one)
    at_three, second = _round_trips(client, "/api/v1/session-notes/", three)
    # then each took the same round trips, and answered what a read of it answers
    assert (first.status_code, second.status_code) == (201, 201)
    assert at_one == at_three == NOTE_ROUND_TRIPS
    again = client.get(f"/api/v1/session-notes/{second.json()['id']}/").json()
    assert second.json() == again


def test_booking_a_12_visit_series_takes_the_same_round_trips_as_a_3_visit_one(
    api, front_desk, referral, therapist
):
    # given a plan of 60 visits
    referral.visits_prescribed = 60
    with rewriting_history():
        referral.save()
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=60)
    client = api.as_(front_desk)

    def series(days, count):
        return {
            "plan": str(plan.pk),
            "therapist": str(therapist.pk),
            "start": at_local(days, 7).isoformat(),
            "duration_minutes": 30,
            "rrule": f"FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT={count}",
        }

    # when a series of 3 and one of 12 are booked
    at_three, short = _round_trips(client, "/api/v1/appointment-series/", series(1, 3))
    at_twelve, long = _round_trips(client, "/api/v1/appointment-series/", series(15, 12))
    # then
    assert (short.status_code, long.status_code) == (201, 201), long.json()
    assert len(long.json()["appointments"]) == 12
    assert at_three == at_twelve == SERIES_ROUND_TRIPS


def test_signing_a_note_and_charging_it_takes_pinned_round_trips(api, world, therapist):
    # given a draft note of two areas, logged through the API (its services derived)
    client = api.as_(therapist)
    body = {**_note_body(world), "areas": _areas(2)}
    logged = client.post("/api/v1/session-notes/", body, format="json")
    assert logged.status_code == 201, logged.json()
    assert logged.json()["services"]
    note_id = logged.json()["id"]
    # when it is signed (and charged)
    trips, signed = _round_trips(client, f"/api/v1/session-notes/{note_id}/sign/", {})
    # then it took the pinned round trips, charged it, and answered what a read answers
    assert signed.status_code == 200, signed.json()
    assert trips == SIGN_ROUND_TRIPS
    assert Charge.objects.filter(note_id=note_id).count() == 1
    again = client.get(f"/api/v1/session-notes/{note_id}/")
    assert signed.json() == again.json()
    assert signed.headers["ETag"] == again.headers["ETag"]
