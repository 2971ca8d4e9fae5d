"""The home programme (API.md, The patient's side): a library of at least 20
stretches with a picture each; the plan's therapist sets the programme; the
patient taps "done"; adherence shows on the plan's progress."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from sessions_log.models import Exercise, ExerciseDone

pytestmark = pytest.mark.django_db

PROGRAMME = "/api/v1/portal/home-programme/"


def test_the_library_has_at_least_20_stretches_each_with_its_picture(api, therapist):
    listed = api.as_(therapist).get("/api/v1/exercises/?page_size=100").json()
    assert listed["count"] >= 20
    regions = set(Exercise.objects.values_list("region", flat=True))
    assert {"neck", "chest", "mid_back", "lower_back", "gluteal", "thigh", "hip", "calf"} <= regions
    for code in Exercise.objects.values_list("code", flat=True):
        picture = Path(django_settings.BASE_DIR) / "static" / "exercises" / f"{code}.svg"
        assert picture.read_text().startswith("<svg"), code


def test_only_the_manager_edits_the_library(api, therapist, manager):
    exercise = Exercise.objects.first()
    url = f"/api/v1/exercises/{exercise.pk}/"
    assert api.as_(therapist).patch(url, {"name": "X"}, format="json").status_code == 403
    assert api.as_(manager).patch(url, {"hold_seconds": 45}, format="json").status_code == 200


@pytest.fixture
def programme(api, therapist, plan, clock):
    neck, calf = Exercise.objects.get(code="neck_side_bend"), Exercise.objects.get(code="wall_calf")
    body = [{"exercise": str(neck.pk), "hold_seconds": 20}, {"exercise": str(calf.pk)}]
    answer = api.as_(therapist).post(
        f"/api/v1/treatment-plans/{plan.pk}/home-programme/", body, format="json"
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_the_therapist_sets_the_programme_and_the_patient_sees_it(patient, patient_api, programme):
    rows = patient_api(patient).get(PROGRAMME).json()["results"]
    assert [(r["name"], r["hold_seconds"], r["times_per_day"]) for r in rows] == [
        ("Neck side bend", 20, 2), ("Calf stretch at a wall", 30, 2),
    ]  # fmt: skip
    assert rows[0]["image_url"].endswith("/static/exercises/neck_side_bend.svg")


def test_a_bad_programme_is_a_400_naming_the_item(api, therapist, plan, clock):
    body = [
        {"exercise": "00000000-0000-0000-0000-000000000000"},
        {"exercise": str(Exercise.objects.first().pk), "repetitions": 0},
    ]
    answer = api.as_(therapist).post(
        f"/api/v1/treatment-plans/{plan.pk}/home-programme/", body, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["items"][0] == {"exercise": ["No such exercise in the library."]}
    assert "repetitions" in answer.json()["items"][1]


def test_another_therapist_cannot_set_it(api, other_therapist, plan, clock):
    body = [{"exercise": str(Exercise.objects.first().pk)}]
    answer = api.as_(other_therapist).post(
        f"/api/v1/treatment-plans/{plan.pk}/home-programme/", body, format="json"
    )
    assert answer.status_code == 404


def test_done_taps_show_as_adherence_on_the_progress(
    api, doctor, patient, patient_api, programme, plan
):
    client = patient_api(patient)
    first = programme[0]["id"]
    assert client.post(f"{PROGRAMME}{first}/done/").status_code == 201
    assert client.post(f"{PROGRAMME}{first}/done/").status_code == 201
    assert client.get(PROGRAMME).json()["results"][0]["done_today"] == 2
    progress = api.as_(doctor).get(f"/api/v1/treatment-plans/{plan.pk}/progress/").json()
    assert progress["home_programme"][0] == {
        "exercise": "Neck side bend",
        "done": 2,
        "expected": 2,
        "percent": 100,
    }
    assert progress["home_programme"][1]["done"] == 0


def test_another_patients_stretch_is_a_404(patient, patient_api, programme, clock):
    from tests.factories import PatientFactory

    quinn = PatientFactory()
    assert patient_api(quinn).post(f"{PROGRAMME}{programme[0]['id']}/done/").status_code == 404
    assert not ExerciseDone.objects.exists()


def test_the_patient_taps_done_on_the_page(patient, patient_pages, programme):
    client = patient_pages(patient)
    page = client.get("/portal/stretches/")
    assert b"exercises/neck_side_bend.svg" in page.content
    answered = client.post(f"/portal/stretches/{programme[0]['id']}/done/", follow=True)
    assert b"Well done: Neck side bend." in answered.content
    assert ExerciseDone.objects.count() == 1
