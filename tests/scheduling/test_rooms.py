"""Locations and rooms (API.md, Scheduling (v1 additions)): the manager keeps
them, all staff read them; a visit may name a room, and no room holds two live
visits at once — refused by the booking service with a 409 naming the room,
and on PostgreSQL by the database itself, as the therapist's rule is."""

import threading
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from clinic.errors import Conflict
from scheduling.booking import book_appointment
from scheduling.models import Appointment, Location, Room, WorkingHours
from tests.conftest import requires_postgres
from tests.factories import AppointmentFactory, PatientFactory
from tests.scheduling.conftest import local, next_weekday
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def whole_api(settings):
    settings.ROOT_URLCONF = "clinic.urls"


@pytest.fixture
def main_street(db):
    return Location.objects.create(
        name="Main Street", address="1 Main St", time_zone="America/New_York"
    )


@pytest.fixture
def room_one(main_street):
    return Room.objects.create(location=main_street, name="Room 1")


def _visit(patient, therapist, day, hour, minute=0, *, room=None, minutes=45):
    start = local(day, hour, minute)
    return {
        "patient": str(patient.pk),
        "therapist": str(therapist.pk),
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=minutes)).isoformat(),
        **({"room": str(room.pk)} if room else {}),
    }


# --- the places ----------------------------------------------------------------------------


def test_the_manager_adds_a_location_and_its_rooms(api, manager):
    # when the manager adds a location and a room in it
    client = api.as_(manager)
    made = client.post(
        "/api/v1/locations/",
        {"name": "Harbor", "address": "9 Pier Rd", "time_zone": "America/Chicago"},
        format="json",
    )
    room = client.post(
        "/api/v1/rooms/", {"location": made.json()["id"], "name": "Blue"}, format="json"
    )
    # then both are there, in the contract's shape
    assert made.status_code == 201 and room.status_code == 201
    assert set(made.json()) == {"id", "name", "address", "time_zone"}
    assert made.json()["time_zone"] == "America/Chicago"
    assert room.json() == {"id": room.json()["id"], "location": made.json()["id"], "name": "Blue"}


@pytest.mark.parametrize("who", ["front_desk", "therapist", "doctor", "manager"])
def test_all_staff_read_the_places(request, api, who, room_one):
    client = api.as_(request.getfixturevalue(who))
    assert client.get("/api/v1/locations/").json()["results"][0]["name"] == "Main Street"
    assert client.get(f"/api/v1/rooms/{room_one.pk}/").json()["name"] == "Room 1"


@pytest.mark.parametrize("who", ["front_desk", "therapist", "doctor"])
def test_only_the_manager_writes_the_places(request, api, who, main_street, room_one):
    client = api.as_(request.getfixturevalue(who))
    with nothing_written():
        added = client.post("/api/v1/locations/", {"name": "X"}, format="json")
        renamed = client.patch(f"/api/v1/rooms/{room_one.pk}/", {"name": "Y"}, format="json")
    assert added.status_code == renamed.status_code == 403


def test_the_biller_is_refused_the_places(api, biller, room_one):
    client = api.as_(biller)
    assert client.get("/api/v1/locations/").status_code == 403
    assert client.get(f"/api/v1/rooms/{room_one.pk}/").status_code == 403


def test_an_unknown_time_zone_and_a_taken_room_name_are_400s_naming_the_field(
    api, manager, room_one
):
    client = api.as_(manager)
    with nothing_written():
        zone = client.post(
            "/api/v1/locations/", {"name": "Moon", "time_zone": "Mars/Olympus"}, format="json"
        )
        twice = client.post(
            "/api/v1/rooms/",
            {"location": str(room_one.location_id), "name": "room 1"},
            format="json",
        )
    assert zone.status_code == 400 and "time_zone" in zone.json()
    assert twice.status_code == 400 and "name" in twice.json()


def test_the_manager_renames_a_room_with_its_etag(api, manager, room_one):
    client = api.as_(manager)
    etag = client.get(f"/api/v1/rooms/{room_one.pk}/")["ETag"]
    renamed = client.patch(
        f"/api/v1/rooms/{room_one.pk}/", {"name": "Quiet room"}, format="json", HTTP_IF_MATCH=etag
    )
    stale = client.patch(
        f"/api/v1/rooms/{room_one.pk}/", {"name": "Loud room"}, format="json", HTTP_IF_MATCH=etag
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Quiet room"
    assert stale.status_code == 412


# --- a visit in a room ---------------------------------------------------------------------


def test_a_visit_names_its_room(api, front_desk, therapist, patient, room_one):
    monday = next_weekday(0)
    response = api.as_(front_desk).post(
        "/api/v1/appointments/",
        _visit(patient, therapist, monday, 10, room=room_one),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["room"] == str(room_one.pk)


def test_a_visit_without_a_room_is_booked_as_before(api, front_desk, therapist, patient):
    monday = next_weekday(0)
    response = api.as_(front_desk).post(
        "/api/v1/appointments/", _visit(patient, therapist, monday, 10), format="json"
    )
    assert response.status_code == 201 and response.json()["room"] is None


def test_a_visit_over_a_live_visit_in_the_same_room_is_a_409_naming_the_room(
    api, front_desk, therapist, other_therapist, patient, room_one
):
    # given Pat with Theo in Room 1 on Monday 10:00-10:45
    monday = next_weekday(0)
    held = AppointmentFactory(
        plan=None, patient=patient, therapist=therapist, room=room_one,
        start=local(monday, 10), end=local(monday, 10, 45),
    )  # fmt: skip
    # when another patient is booked with Tess in Room 1 at 10:30
    other = PatientFactory()
    with nothing_written():
        response = api.as_(front_desk).post(
            "/api/v1/appointments/",
            _visit(other, other_therapist, monday, 10, 30, room=room_one),
            format="json",
        )
    # then the room is the clash, with free starts of the room suggested
    assert response.status_code == 409
    [clash] = response.json()["conflicts"]
    assert clash["with"] == "room" and clash["appointment"] == str(held.pk)
    suggested = [s["start"] for s in clash["suggestions"]]
    assert suggested and local(monday, 10).isoformat() not in suggested
    assert local(monday, 10, 45).isoformat() in suggested


def test_the_room_is_free_again_when_its_visit_is_cancelled_or_ends_before(
    api, front_desk, therapist, other_therapist, patient, room_one
):
    monday = next_weekday(0)
    AppointmentFactory(
        plan=None, patient=patient, therapist=therapist, room=room_one,
        start=local(monday, 10), end=local(monday, 10, 45), status="cancelled",
    )  # fmt: skip
    AppointmentFactory(
        plan=None, patient=patient, therapist=therapist, room=room_one,
        start=local(monday, 9), end=local(monday, 10),
    )  # fmt: skip
    response = api.as_(front_desk).post(
        "/api/v1/appointments/",
        _visit(PatientFactory(), other_therapist, monday, 10, room=room_one),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_moving_a_visit_into_an_occupied_room_is_a_409_and_changes_nothing(
    api, front_desk, therapist, other_therapist, patient, main_street, room_one
):
    monday = next_weekday(0)
    AppointmentFactory(
        plan=None, patient=patient, therapist=therapist, room=room_one,
        start=local(monday, 10), end=local(monday, 10, 45),
    )  # fmt: skip
    room_two = Room.objects.create(location=main_street, name="Room 2")
    moving = AppointmentFactory(
        plan=None, patient=PatientFactory(), therapist=other_therapist, room=room_two,
        start=local(monday, 10), end=local(monday, 10, 45),
    )  # fmt: skip
    response = api.as_(front_desk).patch(
        f"/api/v1/appointments/{moving.pk}/",
        {"start": local(monday, 10).isoformat(), "end": local(monday, 10, 45).isoformat(),
         "room": str(room_one.pk)},
        format="json",
    )  # fmt: skip
    assert response.status_code == 409 and response.json()["conflicts"][0]["with"] == "room"
    moving.refresh_from_db()
    assert moving.room == room_two
    freed = api.as_(front_desk).patch(
        f"/api/v1/appointments/{moving.pk}/", {"room": None, "start": local(monday, 10).isoformat(),
        "end": local(monday, 10, 45).isoformat()}, format="json",
    )  # fmt: skip
    assert freed.status_code == 200 and freed.json()["room"] is None


# --- working hours at a location -----------------------------------------------------------


def test_a_therapist_is_booked_in_a_room_only_where_they_work_that_day(
    api, front_desk, therapist, patient, main_street, room_one
):
    # given Theo works Mondays at Harbor and Tuesdays at Main Street
    harbor = Location.objects.create(name="Harbor", time_zone="America/New_York")
    harbor_room = Room.objects.create(location=harbor, name="Blue")
    WorkingHours.objects.create(
        therapist=therapist, location=harbor, weekday=0, start_time=time(9), end_time=time(17)
    )
    WorkingHours.objects.create(
        therapist=therapist, location=main_street, weekday=1, start_time=time(9), end_time=time(17)
    )
    monday = next_weekday(0)
    client = api.as_(front_desk)
    # when Pat is booked with Theo on Monday in Main Street's room, then at Harbor
    with nothing_written():
        elsewhere = client.post(
            "/api/v1/appointments/",
            _visit(patient, therapist, monday, 10, room=room_one),
            format="json",
        )
    there = client.post(
        "/api/v1/appointments/",
        _visit(patient, therapist, monday, 10, room=harbor_room),
        format="json",
    )
    # then Main Street is refused, naming where he works, and Harbor is booked
    assert elsewhere.status_code == 400
    assert "does not work at Main Street" in elsewhere.json()["start"][0]
    assert there.status_code == 201


def test_working_hours_without_a_location_hold_at_every_location(
    therapist, patient, front_desk, room_one
):
    WorkingHours.objects.create(
        therapist=therapist, weekday=0, start_time=time(9), end_time=time(17)
    )
    monday = next_weekday(0)
    visit = book_appointment(
        patient=patient, therapist=therapist, start=local(monday, 10), end=local(monday, 10, 45),
        by=front_desk, room=room_one,
    )  # fmt: skip
    assert visit.room == room_one


# --- the database holds the rule -----------------------------------------------------------


@requires_postgres
def test_the_database_refuses_a_double_booked_room_even_past_the_service(
    therapist, other_therapist, patient, room_one
):
    monday = next_weekday(0)
    AppointmentFactory(
        plan=None, patient=patient, therapist=therapist, room=room_one,
        start=local(monday, 10), end=local(monday, 10, 45),
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(
            plan=None, patient=PatientFactory(), therapist=other_therapist, room=room_one,
            start=local(monday, 10, 30), end=local(monday, 11),
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_bookings_of_one_room_exactly_one_is_booked(
    therapist, other_therapist, front_desk, main_street
):
    # given one room, and two therapists each with a new patient, at the same hour
    room = Room.objects.create(location=main_street, name="Room 1")
    monday = next_weekday(0)
    pairs = [(therapist, PatientFactory()), (other_therapist, PatientFactory())]
    outcomes: list = []
    barrier = threading.Barrier(2)

    def book(who, patient):
        barrier.wait()
        try:
            book_appointment(
                patient=patient, therapist=who, start=local(monday, 10),
                end=local(monday, 10, 45), by=front_desk, room=room,
            )  # fmt: skip
            outcomes.append("booked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    # when both are booked into it at the same instant
    threads = [threading.Thread(target=book, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one is booked, the other is told the room is taken
    assert sorted(outcomes) == ["booked", "conflict"]
    assert Appointment.objects.filter(room=room).count() == 1


# --- lists cost the same whatever their length ---------------------------------------------


def test_the_lists_of_places_cost_the_same_for_2_and_20_rows(
    api, front_desk, django_assert_num_queries
):
    client = api.as_(front_desk)

    def add(count, offset):
        for i in range(offset, offset + count):
            location = Location.objects.create(name=f"Place {i}")
            Room.objects.create(location=location, name="Room")

    def cost(url):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(2, 0)
    few = {url: cost(url) for url in ("/api/v1/locations/", "/api/v1/rooms/")}
    add(18, 2)
    many = {url: cost(url) for url in ("/api/v1/locations/", "/api/v1/rooms/")}
    assert few == many
    with django_assert_num_queries(few["/api/v1/rooms/"]):
        client.get("/api/v1/rooms/")


# --- the calendar by room ------------------------------------------------------------------


def test_the_calendar_shows_a_column_per_room_with_who_is_in_it(
    front_desk, therapist, patient, main_street, room_one, django_assert_max_num_queries
):
    from django.test import Client

    # given Pat with Theo in Room 1 on Monday, and an empty Room 2
    monday = next_weekday(0)
    Room.objects.create(location=main_street, name="Room 2")
    AppointmentFactory(
        plan=None, patient=patient, therapist=therapist, room=room_one,
        start=local(monday, 10), end=local(monday, 10, 45),
    )  # fmt: skip
    desk = Client()
    desk.force_login(front_desk)
    # when the front desk shows the day by room
    with django_assert_max_num_queries(12):
        page = desk.get(f"/week/?view=day&date={monday.isoformat()}&by=room").content.decode()
    # then each room is a column, the visit sits in Room 1 with its therapist, read-only
    assert 'aria-label="Room 1 (Main Street),' in page
    assert 'aria-label="Room 2 (Main Street),' in page
    assert "Pat Parker" in page and "Theo Tran" in page and "by room" in page
    assert "data-move-url" not in page and "data-book-url" not in page
