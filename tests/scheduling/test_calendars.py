"""Secret calendar feeds: valid RFC 5545 read back with icalendar, stable
UIDs, cancelled visits marked, and a rotatable address."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from scheduling.calendars import rotate_calendar_token
from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory


@pytest.fixture
def visits(plan):
    booked = AppointmentFactory(plan=plan)
    cancelled = AppointmentFactory(
        plan=plan, start=booked.start + timedelta(days=3), status=AppointmentStatus.CANCELLED
    )
    return booked, cancelled


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_therapist_feed_lists_visits_with_stable_uids(client, therapist, visits):
    booked, cancelled = visits
    url = reverse("calendar:therapist_feed", args=[therapist.calendar_token])
    # when read twice
    first, second = events(client.get(url)), events(client.get(url))
    # then
    assert first.keys() == second.keys() and len(first) == 2
    event = next(e for e in first.values() if str(e["UID"]).startswith(str(booked.pk)))
    assert event.decoded("DTSTART") == booked.start
    assert event.decoded("DTEND") == booked.end
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]).startswith(
        f"{booked.patient.first_name} {booked.patient.last_name[0]}."
    )
    gone = next(e for e in first.values() if str(e["UID"]).startswith(str(cancelled.pk)))
    assert str(gone["STATUS"]) == "CANCELLED"


def test_the_patient_feed_lists_the_patients_visits(client, patient, visits, therapist):
    url = reverse("calendar:patient_feed", args=[patient.calendar_token])
    found = events(client.get(url))
    assert len(found) == 2
    assert all(str(therapist) in str(e["SUMMARY"]) for e in found.values())


def test_a_feed_takes_the_same_queries_for_two_visits_or_twenty(
    client, therapist, plan, django_assert_num_queries
):
    url = reverse("calendar:therapist_feed", args=[therapist.calendar_token])
    AppointmentFactory(plan=plan)
    with django_assert_num_queries(2):
        client.get(url)
    for day in range(1, 20):
        AppointmentFactory(
            plan=plan, start=AppointmentFactory.start.function() + timedelta(days=day)
        )
    with django_assert_num_queries(2):
        assert len(events(client.get(url))) == 20


def test_a_rotated_address_stops_working(client, therapist, patient):
    old = reverse("calendar:therapist_feed", args=[therapist.calendar_token])
    new_token = rotate_calendar_token(owner=therapist)
    assert client.get(old).status_code == 404
    assert client.get(reverse("calendar:therapist_feed", args=[new_token])).status_code == 200
    old = reverse("calendar:patient_feed", args=[patient.calendar_token])
    rotate_calendar_token(owner=patient)
    assert client.get(old).status_code == 404


def test_an_unknown_token_is_a_404(client, db):
    assert client.get(reverse("calendar:patient_feed", args=["nope"])).status_code == 404


def test_a_staff_members_token_that_is_not_a_therapists_gives_no_feed(client, front_desk):
    url = reverse("calendar:therapist_feed", args=[front_desk.calendar_token])
    assert client.get(url).status_code == 404


def test_a_moved_visit_keeps_its_uid_and_raises_its_sequence(client, therapist, plan, front_desk):
    from scheduling.booking import move_appointment

    visit = AppointmentFactory(plan=plan)
    url = reverse("calendar:therapist_feed", args=[therapist.calendar_token])
    (before,) = events(client.get(url)).values()
    later = visit.start + timedelta(hours=1)
    move_appointment(
        appointment=visit, start=later, end=later + timedelta(minutes=45), by=front_desk
    )
    (after,) = events(client.get(url)).values()
    assert after["UID"] == before["UID"] == f"{visit.pk}@appointments.clinic"
    assert after.decoded("DTSTART") == later
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
