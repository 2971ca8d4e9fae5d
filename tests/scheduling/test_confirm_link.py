"""The patient answers a reminder through a signed link, without logging in:
the link expires and works once."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling import reminders
from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory


@pytest.fixture
def visit(db):
    return AppointmentFactory()


def link(visit):
    return reverse("confirm:visit", args=[reminders.confirm_token(visit)])


def test_the_link_shows_the_visit_without_a_login(client, visit):
    response = client.get(link(visit))
    assert response.status_code == 200
    assert visit.therapist.get_full_name() in response.text
    assert "Confirm my visit" in response.text
    visit.refresh_from_db()
    assert visit.confirmed_at is None  # a GET (a mail scanner) changes nothing


def test_the_patient_confirms_once(client, visit):
    url = link(visit)
    # when
    response = client.post(url, {"answer": "confirm"})
    # then
    assert "is confirmed" in response.text
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    assert visit.status == AppointmentStatus.BOOKED
    assert AuditEvent.objects.filter(action="appointment.confirmed", actor=None).count() == 1
    # and the same link does not work again
    again = client.post(url, {"answer": "cancel"})
    assert "already been used" in again.text
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED


def test_the_patient_cancels_and_the_slot_and_reminders_are_released(client, visit):
    reminders.create_for([visit])
    response = client.post(link(visit), {"answer": "cancel"})
    assert "is cancelled" in response.text
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED
    assert set(visit.reminders.values_list("status", flat=True)) == {"skipped"}


def test_a_link_for_a_moved_visit_no_longer_works(client, visit, front_desk):
    from scheduling.booking import move_appointment

    url = link(visit)
    later = visit.start + timedelta(hours=2)
    move_appointment(
        appointment=visit, start=later, end=later + timedelta(minutes=45), by=front_desk
    )
    assert "already been used" in client.get(url).text


def test_an_expired_link_is_refused(client, visit, settings):
    settings.REMINDER_LINK_MAX_AGE = 60
    url = link(visit)
    future = timezone.now() + timedelta(minutes=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: future.timestamp())
        response = client.get(url)
    assert "expired" in response.text


def test_a_forged_link_is_refused(client, visit):
    url = link(visit)[:-3] + "xyz/"
    response = client.post(url, {"answer": "cancel"})
    assert "not valid" in response.text
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED


def test_the_clinic_urls_include_the_confirm_page_and_the_feeds():
    from django.urls import reverse as reverse_in

    assert reverse_in("confirm:visit", args=["t"], urlconf="clinic.urls") == "/visit/t/"
    assert reverse_in("calendar:therapist_feed", args=["t"], urlconf="clinic.urls") == (
        "/calendar/therapist/t.ics"
    )


def test_a_moved_visit_is_no_longer_confirmed(client, visit, front_desk):
    from scheduling.booking import move_appointment

    client.post(link(visit), {"answer": "confirm"})
    later = visit.start + timedelta(hours=2)
    moved = move_appointment(
        appointment=visit, start=later, end=later + timedelta(minutes=45), by=front_desk
    )
    assert moved.confirmed_at is None
