"""API.md, Errors: malformed requests are 400s naming the field, never 500s."""

import pytest

from tests.api.test_permission_matrix import _note_body, _referral_body
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def test_a_broken_json_body_is_a_400(api, doctor):
    with nothing_written():
        response = api.as_(doctor).post(
            "/api/v1/referrals/", '{"patient": ', content_type="application/json"
        )
    assert response.status_code == 400


def test_a_body_nested_ten_thousand_deep_is_a_400(api, doctor):
    body = "[" * 10000 + "]" * 10000
    with nothing_written():
        response = api.as_(doctor).post("/api/v1/referrals/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_form_body_is_a_415(api, doctor):
    with nothing_written():
        response = api.as_(doctor).post("/api/v1/referrals/", {"a": "b"}, format="multipart")
    assert response.status_code == 415


@pytest.mark.parametrize(
    "change, field",
    [
        ({"visits_prescribed": "many"}, "visits_prescribed"),
        ({"visits_prescribed": 10**30}, "visits_prescribed"),
        ({"visits_prescribed": -3}, "visits_prescribed"),
        ({"frequency_per_week": 8}, "frequency_per_week"),
        ({"valid_until": "tomorrow-ish"}, "valid_until"),
        ({"valid_until": "2001-01-01"}, "valid_until"),
        ({"diagnoses": "M54.2"}, "diagnoses"),
        ({"diagnoses": []}, "diagnoses"),
        ({"target_areas": []}, "target_areas"),
        ({"recommended_modalities": ["hot_stones"]}, "recommended_modalities"),
        ({"patient": "not-a-uuid"}, "patient"),
        ({"patient": "00000000-0000-0000-0000-000000000000"}, "patient"),
        ({"patient": None}, "patient"),
    ],
)
def test_a_bad_referral_field_is_a_400_naming_it(api, world, doctor, change, field):
    # given an otherwise good referral with one bad field
    body = {**_referral_body(world), **change}

    # when Dana sends it
    with nothing_written():
        response = api.as_(doctor).post("/api/v1/referrals/", body, format="json")

    # then the answer names that field
    assert response.status_code == 400
    assert field in response.json()


def test_a_bad_item_of_a_nested_list_is_named_by_its_position(api, world, doctor):
    # given a second target area with an unknown region and side
    body = {
        **_referral_body(world),
        "target_areas": [{"region": "neck", "side": "left"}, {"region": "tail", "side": "up"}],
    }

    # when Dana sends it
    errors = api.as_(doctor).post("/api/v1/referrals/", body, format="json").json()

    # then the errors point at the second item
    assert errors["target_areas"][0] == {}
    assert set(errors["target_areas"][1]) == {"region", "side"}


def test_a_chapter_code_is_named_by_its_position(api, world, doctor):
    # given a header code (M54, not billable) as the second diagnosis
    body = {**_referral_body(world), "diagnoses": [{"code": "M54.2"}, {"code": "M54"}]}

    # when Dana sends it
    errors = api.as_(doctor).post("/api/v1/referrals/", body, format="json").json()

    # then the service names that item's code
    assert errors["diagnoses"][0] == {}
    assert "M54" in errors["diagnoses"][1]["code"][0]


def test_another_therapists_visit_is_a_400_naming_the_appointment(api, world, other_therapist):
    with nothing_written():
        response = api.as_(other_therapist).post(
            "/api/v1/session-notes/", _note_body(world), format="json"
        )
    assert response.status_code == 400
    assert "appointment" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/not-a-uuid/",
        "/api/v1/referrals/00000000-0000-0000-0000-000000000000/",
        "/api/v1/referrals/?page=999",
        "/api/v1/referrals/?page=abc",
    ],
)
def test_an_unknown_id_or_page_is_a_404(api, doctor, url):
    assert api.as_(doctor).get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["?patient=not-a-uuid", "?status=lost", "?start_after=yesterday", "?therapist=1"],
)
def test_a_bad_filter_is_a_400(api, front_desk, query):
    assert api.as_(front_desk).get(f"/api/v1/appointments/{query}").status_code == 400


def test_a_nul_character_in_a_search_is_a_400(api, front_desk):
    assert api.as_(front_desk).get("/api/v1/patients/?search=a%00b").status_code == 400


def test_a_visit_in_the_year_9999_is_a_400(api, world, front_desk):
    body = {
        "patient": str(world["patient"].pk),
        "therapist": str(world["plan"].therapist_id),
        "start": "9999-12-31T23:30:00-12:00",
        "end": "9999-12-31T23:59:00-12:00",
    }
    with nothing_written():
        response = api.as_(front_desk).post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["options", "head"])
@pytest.mark.parametrize("url", ["/api/v1/referrals/", "/api/v1/session-notes/", "/api/v1/me/"])
def test_options_and_head_never_fail(api, world, front_desk, method, url):
    response = getattr(api.as_(front_desk), method)(url)
    assert response.status_code < 500


def test_a_path_no_route_matches_is_a_json_404_under_the_api(api, doctor):
    # an id with a dot matches no route at all: Django's own 404, still JSON
    with nothing_written():
        response = api.as_(doctor).put("/api/v1/treatment-plans/%C2%B4.x/", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
