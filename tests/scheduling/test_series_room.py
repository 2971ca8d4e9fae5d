"""A room on a series (issue 15): booking a series may name a room; every visit
takes it; a live visit in that room at one occurrence is a conflict (`with`:
`room`) with suggestions, as a therapist's clash is, skipped and made up like
one; the preview says so; and on PostgreSQL the database still refuses a
double-booked room when the service's check is bypassed."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from clinic.errors import Conflict
from scheduling import series as series_module
from scheduling.models import Appointment, AppointmentSeries, Location, Room
from scheduling.series import book_series
from tests.conftest import requires_postgres
from tests.factories import AppointmentFactory, PatientFactory, TreatmentPlanFactory
from tests.scheduling.conftest import local, next_weekday
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db
FOUR = "FREQ=WEEKLY;BYDAY=MO;COUNT=4"


@pytest.fixture(autouse=True)
def full_urls(settings):
    settings.ROOT_URLCONF = "clinic.urls"


@pytest.fixture
def room(db):
    main = Location.objects.create(name="Main Street", time_zone="America/New_York")
    return Room.objects.create(location=main, name="Room 1")


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def room_taken(room, other_therapist, monday):
    """Another therapist's patient in Room 1 on the second Monday, 10:00-10:45."""
    day = monday + timedelta(days=7)
    return AppointmentFactory(
        plan=None, patient=PatientFactory(), therapist=other_therapist, room=room,
        start=local(day, 10), end=local(day, 10, 45),
    )  # fmt: skip


def body(plan, therapist, monday, room, **extra):
    return {
        "plan": str(plan.pk), "therapist": str(therapist.pk),
        "start": local(monday, 10).isoformat(), "duration_minutes": 45, "rrule": FOUR,
        **({"room": str(room.pk)} if room else {}), **extra,
    }  # fmt: skip


def test_every_visit_of_a_series_takes_its_room(
    api, front_desk, long_plan, therapist, monday, room
):
    response = api.as_(front_desk).post(
        "/api/v1/appointment-series/", body(long_plan, therapist, monday, room), format="json"
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["room"] == str(room.pk)
    assert [v["room"] for v in answer["appointments"]] == [str(room.pk)] * 4
    assert Appointment.objects.filter(room=room).count() == 4
    assert AppointmentSeries.objects.get().room == room


def test_a_series_without_a_room_is_booked_as_before(api, front_desk, long_plan, therapist, monday):
    response = api.as_(front_desk).post(
        "/api/v1/appointment-series/", body(long_plan, therapist, monday, None), format="json"
    )
    assert response.status_code == 201 and response.json()["room"] is None
    assert not Appointment.objects.filter(room__isnull=False).exists()


def test_a_room_clash_refuses_the_series_with_the_room_named_and_suggestions(
    api, front_desk, long_plan, therapist, monday, room, room_taken
):
    client = api.as_(front_desk)
    with nothing_written():
        response = client.post(
            "/api/v1/appointment-series/", body(long_plan, therapist, monday, room), format="json"
        )
    assert response.status_code == 409, response.json()
    (clash,) = response.json()["conflicts"]
    assert clash["with"] == "room" and clash["appointment"] == str(room_taken.pk)
    assert clash["occurrence"].startswith((monday + timedelta(days=7)).isoformat())
    # free starts of the room, the therapist and the patient that day, nearest first
    starts = [s["start"][11:16] for s in clash["suggestions"]]
    assert starts and "10:00" not in starts and len(starts) <= 3
    assert starts[0] in ("10:45", "09:15")


def test_a_room_clash_is_skipped_and_made_up_after_the_last(
    api, front_desk, long_plan, therapist, monday, room, room_taken
):
    response = api.as_(front_desk).post(
        "/api/v1/appointment-series/",
        body(long_plan, therapist, monday, room, on_conflict="skip", extend=True),
        format="json",
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    (skipped,) = answer["skipped"]
    assert skipped["reason"] == "conflict" and "room" in skipped["detail"]
    assert skipped["suggestions"]
    days = [v["start"][:10] for v in answer["appointments"]]
    expected = [monday + timedelta(days=7 * i) for i in (0, 2, 3, 4)]
    assert days == [d.isoformat() for d in expected] and answer["short_by"] == 0
    assert all(v["room"] == str(room.pk) for v in answer["appointments"])


def test_the_same_time_in_another_room_is_free(
    api, front_desk, long_plan, therapist, monday, room, room_taken
):
    other = Room.objects.create(location=room.location, name="Room 2")
    response = api.as_(front_desk).post(
        "/api/v1/appointment-series/", body(long_plan, therapist, monday, other), format="json"
    )
    assert response.status_code == 201, response.json()


def test_an_unknown_room_is_a_400_naming_room(api, front_desk, long_plan, therapist, monday):
    data = {
        **body(long_plan, therapist, monday, None),
        "room": "00000000-0000-0000-0000-000000000000",
    }
    with nothing_written():
        response = api.as_(front_desk).post("/api/v1/appointment-series/", data, format="json")
    assert response.status_code == 400 and "room" in response.json()


def test_the_preview_and_the_page_name_the_room(
    front_desk, long_plan, therapist, monday, room, room_taken
):
    client = Client()
    client.force_login(front_desk)
    post = {
        "therapist": str(therapist.pk), "room": str(room.pk), "first_day": monday.isoformat(),
        "at": "10:00", "duration_minutes": "45", "weekdays": ["MO"], "count": "4", "until": "",
    }  # fmt: skip
    preview = client.post(reverse("series_preview", args=[long_plan.pk]), post).content.decode()
    assert "1 conflict" in preview and "room busy" in preview
    booked = client.post(
        reverse("series_new", args=[long_plan.pk]), {**post, "on_conflict": "skip", "extend": "on"}
    )
    assert booked.status_code == 302
    assert Appointment.objects.filter(room=room, therapist=therapist).count() == 4


@requires_postgres
def test_the_database_refuses_a_series_into_a_taken_room_past_the_service(
    monkeypatch, front_desk, long_plan, therapist, monday, room, room_taken
):
    # given the service's own clash check bypassed
    monkeypatch.setattr(series_module, "check_free", lambda **kwargs: None)
    # when the series is booked into the room taken on the second Monday
    with pytest.raises(Conflict, match="room was just taken"):
        book_series(
            plan=long_plan, therapist=therapist, first_start=local(monday, 10),
            duration_minutes=45, rrule=FOUR, by=front_desk, room=room,
        )  # fmt: skip
    # then the exclusion constraint refused it, and nothing of the series is left
    assert not AppointmentSeries.objects.exists()
    assert Appointment.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_series_into_one_room_exactly_one_is_booked(
    front_desk, doctor, therapist, other_therapist, room, monday
):
    # given two therapists, each with a patient's plan, both wanting Room 1 on Mondays 10:00
    plans = [
        TreatmentPlanFactory(
            therapist=who,
            planned_visits=10,
            referral__visits_prescribed=10,
            referral__patient=PatientFactory(),
        )  # fmt: skip
        for who in (therapist, other_therapist)
    ]
    outcomes: list = []
    barrier = threading.Barrier(2)

    def book(plan):
        barrier.wait()
        try:
            book_series(
                plan=plan, therapist=plan.therapist, first_start=local(monday, 10),
                duration_minutes=45, rrule=FOUR, by=front_desk, room=room,
            )  # fmt: skip
            outcomes.append("booked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one series has the room, the other is told it clashes
    assert sorted(outcomes) == ["booked", "conflict"]
    assert Appointment.objects.filter(room=room).count() == 4
    assert AppointmentSeries.objects.count() == 1
