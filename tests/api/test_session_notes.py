"""API.md, Session notes and Outcome measurements."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import AppointmentStatus
from sessions_log.models import SessionNote
from tests.api.test_permission_matrix import _measurement_body, _note_body
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def test_a_note_completes_its_visit_and_a_second_note_is_a_409(api, world, therapist):
    # when Theo logs the session of the visit that started half an hour ago
    client = api.as_(therapist)
    first = client.post("/api/v1/session-notes/", _note_body(world), format="json")

    # then the note is his, the visit completed; a second note is a conflict
    assert first.status_code == 201
    body = first.json()
    assert body["therapist"] == str(therapist.pk) and body["patient"] == str(world["patient"].pk)
    assert body["plan"] == str(world["plan"].pk) and body["signed_at"] is None
    assert body["areas"][0]["modalities"] == ["trigger_point"] and body["addenda"] == []
    world["started_visit"].refresh_from_db()
    assert world["started_visit"].status == AppointmentStatus.COMPLETED
    with nothing_written():
        second = client.post("/api/v1/session-notes/", _note_body(world), format="json")
    assert second.status_code == 409 and second.json()["code"] == "conflict"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"pain_before": 11}, "pain_before"),
        ({"pain_after": -1}, "pain_after"),
        ({"pain_after": "a lot"}, "pain_after"),
        ({"pain_before": 10**40}, "pain_before"),
        ({"response": "better"}, "response"),
        ({"areas": [{"region": "neck", "side": "left", "minutes": 0}]}, "areas"),
        (
            {"areas": [{"region": "neck", "side": "left", "minutes": 20, "modalities": ["x"]}]},
            "areas",
        ),
    ],
)
def test_a_bad_note_field_is_a_400_naming_it(api, world, therapist, change, field):
    body = {**_note_body(world), **change}
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/session-notes/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not SessionNote.objects.filter(appointment=world["started_visit"]).exists()


def test_a_visit_that_has_not_started_is_a_400(api, world, therapist):
    body = {**_note_body(world), "appointment": str(world["visit"].pk)}
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/session-notes/", body, format="json")
    assert response.status_code == 400 and "appointment" in response.json()


def test_a_cancelled_visit_takes_no_note(api, world, therapist):
    world["started_visit"].status = AppointmentStatus.CANCELLED
    world["started_visit"].save()
    with nothing_written():
        response = api.as_(therapist).post(
            "/api/v1/session-notes/", _note_body(world), format="json"
        )
    assert response.status_code == 400 and "appointment" in response.json()


def test_a_signed_note_is_locked_and_corrected_by_addenda(api, world, therapist):
    # given Theo's draft note
    url = f"/api/v1/session-notes/{world['note'].pk}/"
    client = api.as_(therapist)

    # when he corrects it, signs it, then tries to change it
    corrected = client.patch(url, {"pain_after": 3}, format="json")
    signed = client.post(url + "sign/")
    with nothing_written():
        changed = client.patch(url, {"pain_after": 1}, format="json")
        again = client.post(url + "sign/")
    addendum = client.post(url + "addenda/", {"text": "Soreness next day."}, format="json")

    # then the draft took the correction, the signed note only the addendum
    assert corrected.json()["pain_after"] == 3
    assert signed.status_code == 200 and signed.json()["signed_at"]
    assert changed.status_code == 409 and changed.json()["code"] == "locked"
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert addendum.status_code == 201 and addendum.json()["text"] == "Soreness next day."
    note = client.get(url).json()
    assert note["pain_after"] == 3 and len(note["addenda"]) == 1


def test_an_addendum_needs_text_and_a_signed_note(api, world, therapist):
    client = api.as_(therapist)
    signed_url = f"/api/v1/session-notes/{world['signed_note'].pk}/addenda/"
    draft_url = f"/api/v1/session-notes/{world['note'].pk}/addenda/"
    with nothing_written():
        blank = client.post(signed_url, {"text": ""}, format="json")
        on_a_draft = client.post(draft_url, {"text": "x"}, format="json")
    assert blank.status_code == 400 and "text" in blank.json()
    assert on_a_draft.status_code == 409 and on_a_draft.json()["code"] == "invalid_transition"


# --- measurements ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "measure, good, bad",
    [("nprs", 10, 11), ("ndi", 50, 51), ("odi", 100, 101), ("psfs", 7.5, 10.5), ("rom", 360, 361)],
)
def test_a_score_outside_its_measures_range_is_a_400(api, world, therapist, measure, good, bad):
    client = api.as_(therapist)
    ok = client.post(
        "/api/v1/measurements/",
        {**_measurement_body(world), "measure": measure, "score": good},
        format="json",
    )
    with nothing_written():
        refused = client.post(
            "/api/v1/measurements/",
            {**_measurement_body(world), "measure": measure, "score": bad},
            format="json",
        )
    assert ok.status_code == 201 and ok.json()["measure"] == measure
    assert refused.status_code == 400 and "score" in refused.json()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"measure": "vas"}, "measure"),
        ({"score": -1}, "score"),
        ({"score": "1e40"}, "score"),
        ({"taken_at": "soon"}, "taken_at"),
    ],
)
def test_a_bad_measurement_is_a_400_naming_the_field(api, world, therapist, change, field):
    body = {**_measurement_body(world), **change}
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/measurements/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_measurements_are_listed_oldest_first(api, world, therapist):
    client = api.as_(therapist)
    client.post(
        "/api/v1/measurements/",
        {**_measurement_body(world), "taken_at": (timezone.now() - timedelta(days=3)).isoformat()},
        format="json",
    )
    rows = client.get("/api/v1/measurements/").json()["results"]
    assert [r["taken_at"] for r in rows] == sorted(r["taken_at"] for r in rows)
    assert len(rows) == 2


@pytest.mark.parametrize(
    "measure, items",
    [
        ("ndi", "ten"),
        ("ndi", [1, 2]),
        ("ndi", [{"score": "x"}] * 10),
        ("ndi", [{"score": 6}] * 10),
        ("ndi", [{"score": 3}] * 9),
        ("odi", [{"score": None}] * 10),
        ("psfs", [{"activity": "", "score": 5}] * 3),
        ("rom", [{"joint": "neck", "movement": "flying", "degrees": 10}]),
        ("rom", [{"joint": "knee", "movement": "flexion", "side": "left", "degrees": 1e300}]),
        ("nprs", [{"score": 10**40}]),
        ("nprs", [{}]),
    ],
)
def test_bad_instrument_items_are_a_400_naming_items(api, world, therapist, measure, items):
    body = {**_measurement_body(world), "measure": measure, "items": items}
    body.pop("score")
    with nothing_written():
        response = api.as_(therapist).post("/api/v1/measurements/", body, format="json")
    assert response.status_code == 400
    assert "items" in response.json() or "score" in response.json()


def test_a_score_is_computed_from_the_items(api, world, therapist):
    body = {**_measurement_body(world), "measure": "ndi", "items": [{"score": 2}] * 10}
    body.pop("score")
    response = api.as_(therapist).post("/api/v1/measurements/", body, format="json")
    assert response.status_code == 201 and float(response.json()["score"]) == 20
