"""API.md, Tokens and limits: writes limited per user (429 with Retry-After),
`Cache-Control: no-store` on every API answer, a JSON 413 for a body too big."""

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client

from clinic.api_http import ApiResponseMiddleware
from clinic.models import Patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_write_counters")]

NEW_PATIENT = {"first_name": "Quinn", "last_name": "Quill", "date_of_birth": "1980-02-03"}


def register(api, user):
    # the same patient again and again: each a namesake, confirmed (else 409 duplicate)
    body = {**NEW_PATIENT, "confirm_new": True}
    return api.as_(user).post("/api/v1/patients/", body, format="json")


def test_past_the_write_rate_a_write_is_a_429_with_retry_after(api, front_desk, settings):
    # given a limit of three writes a minute
    settings.API_WRITE_RATE = "3/min"
    for _ in range(3):
        assert register(api, front_desk).status_code == 201
    # when the front desk writes a fourth time
    response = register(api, front_desk)
    # then it is refused, in JSON, saying when to come back, and nothing is written
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert 0 < int(response["Retry-After"]) <= 60
    assert Patient.objects.filter(first_name="Quinn").count() == 3


def test_reads_are_not_limited(api, front_desk, settings):
    settings.API_WRITE_RATE = "1/min"
    for _ in range(5):
        assert api.as_(front_desk).get("/api/v1/patients/").status_code == 200


def test_the_limit_is_per_user(api, front_desk, doctor, settings):
    settings.API_WRITE_RATE = "1/min"
    assert register(api, front_desk).status_code == 201
    assert register(api, front_desk).status_code == 429
    assert register(api, doctor).status_code == 201


def test_the_default_is_300_writes_a_minute():
    from clinic import settings as configured

    assert configured.env.str("API_WRITE_RATE", default="300/min") == "300/min"


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("front_desk", "get", "/api/v1/patients/", 200),
        ("front_desk", "get", "/api/v1/patients/00000000-0000-0000-0000-000000000000/", 404),
        ("front_desk", "get", "/api/v1/no-such-thing/", 404),
        ("front_desk", "post", "/api/v1/patients/", 400),
        ("front_desk", "get", "/api/v1/audit-events/", 403),
        (None, "get", "/api/v1/patients/", 401),
        (None, "get", "/api/v1/schema/", 200),
    ],
)
def test_every_api_answer_says_no_store(api, front_desk, who, method, path, status):
    if who:
        api.as_(front_desk)
    response = getattr(api, method)(path, {}, format="json") if method == "post" else api.get(path)
    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_pages_keep_their_own_caching(client):
    assert client.get("/").get("Cache-Control") != "no-store"


def test_a_body_over_the_limit_is_a_json_413(api, front_desk, settings):
    # given a limit of 1,000 bytes
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"first_name": "' + "x" * 5000 + '", "last_name": "Long"}'
    # when the front desk sends 5,000
    response = api.as_(front_desk).post("/api/v1/patients/", body, content_type="application/json")
    # then it is refused in JSON, not read, and nothing is written
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response["Cache-Control"] == "no-store"
    assert not Patient.objects.filter(last_name="Long").exists()


def test_a_body_over_the_limit_is_a_413_before_sign_in_too(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/api/v1/auth/token/", "x" * 5000, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_djangos_own_refusal_of_a_big_body_under_the_api_is_the_json_413_too(rf):
    # Django raises RequestDataTooBig where a view reads a body it counted itself
    middleware = ApiResponseMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/api/v1/patients/"), RequestDataTooBig())
    assert response.status_code == 413
    assert json.loads(response.content)["code"] == "too_large"
    assert middleware.process_exception(rf.post("/patients/new/"), RequestDataTooBig()) is None
