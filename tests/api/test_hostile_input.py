"""Hostile input on every write endpoint: over-long strings, NUL bytes, lone
surrogates, huge and negative numbers, negative ids, huge page numbers. The
answer is a clean 400 (or 404), never a 500; a refused write leaves nothing
behind; an accepted one keeps exactly what was sent (no silent truncation)."""

import json

import pytest
from django.apps import apps

from tests.api.test_permission_matrix import (
    _booking,
    _measurement_body,
    _note_body,
    _plan_body,
    _referral_body,
    _series_body,
)

pytestmark = pytest.mark.django_db


def _patient_body(w):
    return {
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1980-01-02",
        "phone": "+15550100999",
        "email": "ann@example.com",
        "reminder_channel": "email",
    }


# (who, endpoint, a valid body)
WRITES = [
    ("front_desk", "/api/v1/patients/", _patient_body),
    ("doctor", "/api/v1/referrals/", _referral_body),
    ("therapist", "/api/v1/treatment-plans/", _plan_body),
    ("front_desk", "/api/v1/appointments/", _booking),
    ("front_desk", "/api/v1/appointment-series/", _series_body),
    ("therapist", "/api/v1/session-notes/", _note_body),
    ("therapist", "/api/v1/measurements/", _measurement_body),
]

HOSTILE_STRINGS = {
    "over-long": "x" * 100_000,
    "nul-byte": "neck\x00pain",
    "lone-surrogate": "\ud800",
    "rtl-and-emoji": "\u202eevil\u202c \U0001f9e8 " + "\u0301" * 50,
}
HOSTILE_NUMBERS = {"huge": 10**30, "negative": -1, "float": 1e308, "nan-string": "NaN"}


def total_rows():
    return sum(m.objects.count() for m in apps.get_models() if m._meta.app_label in (
        "clinic", "referrals", "sessions_log") and m._meta.model_name not in (
        "auditevent", "idempotencykey"))  # fmt: skip


def post_raw(client, url, body):
    # json.dumps writes a lone surrogate as \\ud800, which is what a hostile client sends
    return client.post(url, json.dumps(body), content_type="application/json")


def variants(body):
    """Each field of the body, and of its nested items, replaced by each hostile value."""
    for key, value in body.items():
        pool = HOSTILE_STRINGS if isinstance(value, str) else HOSTILE_NUMBERS
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in value[0]:
                for name, bad in {**HOSTILE_STRINGS, **HOSTILE_NUMBERS}.items():
                    yield (
                        f"{key}[0].{inner}={name}",
                        {**body, key: [{**value[0], inner: bad}, *value[1:]]},
                    )
            continue
        for name, bad in pool.items():
            yield f"{key}={name}", {**body, key: bad}


@pytest.mark.parametrize("who, url, valid", WRITES, ids=[w[1].split("/")[3] for w in WRITES])
def test_hostile_values_in_every_field_are_refused_cleanly_or_kept_whole(
    request, client, world, who, url, valid
):
    client.force_login(request.getfixturevalue(who))
    problems = []
    for label, body in variants(valid(world)):
        before = total_rows()
        response = post_raw(client, url, body)
        if response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
        elif response.status_code == 400:
            if total_rows() != before:
                problems.append(f"{label}: 400 but rows were written")
            if not response.json():
                problems.append(f"{label}: 400 without naming a field")
        elif response.status_code == 201:
            sent = body
            kept = response.json()
            for key, value in sent.items():
                if isinstance(value, str) and key in kept and kept[key] != value:
                    problems.append(f"{label}: {key} stored differently (truncated?)")
    assert problems == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/patients/?page=99999999999999999999",
        "/api/v1/patients/?page=-1",
        "/api/v1/referrals/-1/",
        "/api/v1/appointments/?therapist=-1",
        "/api/v1/appointments/?start_after=99999-99-99",
        "/api/v1/diagnoses/?search=" + "x" * 10_000,
    ],
)
def test_hostile_reads_are_404_or_400_never_500(client, front_desk, url):
    client.force_login(front_desk)
    assert client.get(url).status_code in (200, 400, 404)
