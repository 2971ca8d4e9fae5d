"""API.md: "of many simultaneous requests for one slot, exactly one succeeds",
and a retried note with its Idempotency-Key is one note, even when the retry
races the first attempt. Real HTTP against a live server on PostgreSQL, where
losers meet the exclusion constraint (23P01) or a deadlock (40P01): both 409."""

import threading

import pytest
import requests
from django.db import connection

from clinic.tokens import issue_token
from clinic.vocabulary import Role
from referrals.models import Modality
from sessions_log.models import SessionNote
from tests.api.conftest import at_local
from tests.api.test_permission_matrix import _note_body
from tests.conftest import requires_postgres
from tests.factories import UserFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

RACERS = 8


@pytest.fixture(autouse=True)
def modality_catalog():
    """A transactional test empties the tables after it, the seeded catalog too."""
    for code in ("trigger_point", "myofascial_release"):
        Modality.objects.get_or_create(code=code, defaults={"name": code})


def race(url: str, tokens: list[str], body: dict, headers=None) -> list[requests.Response]:
    """POST `body` from one thread per token, all released at the same instant."""
    barrier = threading.Barrier(len(tokens))
    answers: list = [None] * len(tokens)

    def run(i, token):
        with requests.Session() as session:
            session.headers["Authorization"] = f"Token {token}"
            barrier.wait()
            answers[i] = session.post(url, json=body, headers=headers or {}, timeout=30)

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


OVERLAPPING_LIVE_PAIRS = """
    SELECT count(*) FROM clinic_appointment a
    JOIN clinic_appointment b
      ON a.id < b.id
     AND (a.therapist_id = b.therapist_id OR a.patient_id = b.patient_id)
     AND a.start < b."end" AND b.start < a."end"
    WHERE a.status IN ('booked', 'checked_in') AND b.status IN ('booked', 'checked_in')
"""


def test_of_many_simultaneous_bookings_of_one_slot_exactly_one_succeeds(
    live_server, plan, therapist
):
    # given eight front-desk colleagues, each with a token, and one free slot
    desks = [UserFactory(username=f"desk{i}", role=Role.FRONT_DESK) for i in range(RACERS)]
    tokens = [issue_token(user=desk)[0] for desk in desks]
    body = {
        "patient": str(plan.patient_id),
        "therapist": str(therapist.pk),
        "plan": str(plan.pk),
        "start": at_local(2, 10).isoformat(),
        "end": at_local(2, 10, 45).isoformat(),
    }

    # when they all book it at the same instant
    answers = race(f"{live_server.url}/api/v1/appointments/", tokens, body)

    # then one booking, the rest are conflicts, and no two live visits overlap
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (RACERS - 1), [a.text for a in answers]
    assert all(a.json()["code"] == "conflict" for a in answers if a.status_code == 409)
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPPING_LIVE_PAIRS)
        assert cursor.fetchone()[0] == 0


def test_a_note_retried_while_the_first_attempt_runs_is_one_note(
    live_server, started_visit, therapist
):
    # given Theo's tablet sending the same note twice at once, with one key
    token = issue_token(user=therapist)[0]
    body = _note_body({"started_visit": started_visit})

    # when both arrive together
    answers = race(
        f"{live_server.url}/api/v1/session-notes/",
        [token, token],
        body,
        headers={"Idempotency-Key": "note-of-the-visit"},
    )

    # then both answer the same 201 and one note exists
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert SessionNote.objects.filter(appointment=started_visit).count() == 1


def test_two_saves_of_one_version_at_once_are_one_change_and_one_412(live_server, patient):
    # given two front-desk colleagues who read Pat's record at version 1
    desks = [UserFactory(username=f"desk{i}", role=Role.FRONT_DESK) for i in range(2)]
    tokens = [issue_token(user=desk)[0] for desk in desks]
    url = f"{live_server.url}/api/v1/patients/{patient.pk}/"
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def save(i):
        with requests.Session() as session:
            session.headers["Authorization"] = f"Token {tokens[i]}"
            barrier.wait()
            answers[i] = session.patch(
                url, json={"phone": f"+1212555010{i}"}, headers={"If-Match": '"1"'}, timeout=30
            )

    # when both save at the same instant with that version
    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one change went through and the other is a 412
    assert sorted(a.status_code for a in answers) == [200, 412]
    patient.refresh_from_db()
    assert patient.version == 2
    winner = next(a for a in answers if a.status_code == 200)
    assert patient.phone == winner.json()["phone"]
