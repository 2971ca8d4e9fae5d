"""API.md, General and Roles: signing in, who am I, the staff list, the schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_right_password_answers_a_token_that_signs_in(api, therapist):
    # given Theo's credentials
    body = {"username": "theo", "password": "correct-horse-battery"}

    # when he asks for a token
    response = api.post("/api/v1/auth/token/", body, format="json")

    # then the token opens the API
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == "theo"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "theo", "password": "wrong"},
        {"username": "nobody", "password": "correct-horse-battery"},
        {"username": "theo"},
        {},
    ],
)
def test_wrong_credentials_are_a_400(api, therapist, body):
    assert api.post("/api/v1/auth/token/", body, format="json").status_code == 400


def test_a_bad_token_is_a_401(api, therapist):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/me/").status_code == 401


def test_me_answers_the_contract_fields_and_a_therapists_calendar(api, therapist, doctor):
    # when Theo and Dana ask who they are
    theo = api.as_(therapist).get("/api/v1/me/").json()
    dana = api.as_(doctor).get("/api/v1/me/").json()

    # then both get their id and role; only the therapist a calendar address
    assert {"id", "username", "role", "first_name", "last_name"} <= set(theo)
    assert theo["id"] == str(therapist.pk) and theo["role"] == "therapist"
    assert theo["calendar_url"].startswith("http://testserver/calendar/")
    assert theo["calendar_url"].endswith(f"{therapist.calendar_token}.ics")
    assert dana["calendar_url"] is None


def test_the_staff_list_filters_by_role(api, front_desk, therapist, other_therapist, doctor):
    # when the front desk lists the therapists
    response = api.as_(front_desk).get("/api/v1/staff/?role=therapist")

    # then only the therapists come, in the contract's shape
    rows = response.json()["results"]
    assert {r["username"] for r in rows} == {"theo", "tess"}
    assert set(rows[0]) == {"id", "username", "first_name", "last_name", "role"}


def test_an_unknown_role_filter_is_a_400(api, front_desk):
    assert api.as_(front_desk).get("/api/v1/staff/?role=wizard").status_code == 400


def test_the_schema_and_docs_need_no_sign_in_nor_outside_files(api):
    # when anyone fetches the schema and the docs
    schema = api.get("/api/v1/schema/")
    docs = api.get("/api/v1/docs/")

    # then both answer, and the docs load nothing from outside the app
    assert schema.status_code == 200 and b"openapi" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "https://" not in html.replace("https://swagger.io", "")
