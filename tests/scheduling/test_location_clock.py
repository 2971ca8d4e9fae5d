"""A location keeps its own clock (API.md: a location's `time_zone`): what a
patient reads about a visit in one of its rooms — the reminder, the link's
page — gives the time on that location's clock and its address, not the
clinic's. A visit in no room keeps the clinic's clock and address."""

from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from scheduling import reminders
from scheduling.models import Location, Room, WaitlistEntry, WaitlistOffer
from scheduling.tasks import scan_reminders
from scheduling.waitlist import offer_context
from tests.scheduling.test_reminders import due_visit

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def harbor_room(db):
    harbor = Location.objects.create(
        name="Harbor", address="9 Pier Rd", time_zone="America/Chicago"
    )
    return Room.objects.create(location=harbor, name="Room 2")


def clock(moment, zone, shape="g:i A") -> str:
    return dateformat.format(timezone.localtime(moment, zone), shape)


def test_a_reminder_gives_the_time_on_the_clock_of_the_visits_location(settings, harbor_room):
    # given a visit in a room of the Chicago location, the clinic's clock in New York
    assert settings.TIME_ZONE == "America/New_York"
    visit = due_visit(room=harbor_room)
    # when its reminder goes out
    scan_reminders.apply()
    # then the patient reads Chicago's time and the Harbor address, not the clinic's
    body = mail.outbox[0].body
    assert f"at {clock(visit.start, CHICAGO)} (C" in body
    assert clock(visit.start, ZoneInfo(settings.TIME_ZONE)) not in body
    assert "Harbor, 9 Pier Rd" in body
    assert settings.CLINIC_ADDRESS not in body


def test_the_reminder_links_page_gives_the_same_clock_and_address(client, harbor_room):
    visit = due_visit(room=harbor_room)
    path = "/" + reminders.confirm_url(visit).split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)
    text = page.content.decode()
    assert page.status_code == 200
    assert f"at {clock(visit.start, CHICAGO)} (C" in text
    assert "Harbor, 9 Pier Rd" in text


def test_a_visit_in_no_room_keeps_the_clinics_clock_and_address(settings):
    visit = due_visit()
    scan_reminders.apply()
    body = mail.outbox[0].body
    assert f"at {clock(visit.start, ZoneInfo(settings.TIME_ZONE))} (" in body
    assert settings.CLINIC_ADDRESS in body


def test_a_waitlist_offer_of_a_slot_in_a_room_gives_its_locations_clock(harbor_room):
    freed = due_visit(room=harbor_room)
    entry = WaitlistEntry(patient=freed.patient)
    offer = WaitlistOffer(
        entry=entry, freed=freed, therapist=freed.therapist, room=harbor_room,
        start=freed.start, end=freed.end,
    )  # fmt: skip
    text = render_to_string("waitlist/offer_email.txt", offer_context(offer))
    assert f"at {clock(freed.start, CHICAGO, 'H:i')}-" in text
    assert f"at {clock(freed.start, ZoneInfo('America/New_York'), 'H:i')}-" not in text
