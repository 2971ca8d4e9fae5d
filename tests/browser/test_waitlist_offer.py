"""A waitlist offer in a real browser (issue 15): Pat's Monday visit is
cancelled, the front desk sees it offered to Quinn on the calendar, and Quinn
books it from the link, signed in to nothing. axe finds no serious violation;
no fixed sleeps. Set ROOMS_SHOTS to a folder to keep screenshots at 1280x800
and 768x1024."""

import os
from datetime import timedelta

import pytest
import time_machine

from clinic.models import ReminderChannel
from scheduling import waitlist
from scheduling.models import Appointment, Location, Room, WaitlistEntry, WaitlistOffer
from scheduling.visits import cancel_appointment
from tests.browser.test_calendar import MONDAY, PASSWORD, at, sign_in
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)

SHOTS = os.environ.get("ROOMS_SHOTS")
pytestmark = pytest.mark.django_db(transaction=True)


def shots(page, name):
    from pathlib import Path

    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": 1280, "height": 800})
    serious = [
        v["id"] for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]  # fmt: skip
    assert not serious, (name, serious)
    for width, height in ((1280, 800), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def test_the_desk_sees_the_offer_and_the_patient_books_it_from_the_link(
    browser, live_server, settings, doctor, therapist, front_desk, patient
):
    settings.SITE_URL = live_server.url
    with time_machine.travel(at(8, 30), tick=True):
        front_desk.set_password(PASSWORD)
        front_desk.save()
        long = {"valid_until": MONDAY + timedelta(days=60)}
        plan = TreatmentPlanFactory(
            referral=ReferralFactory(patient=patient, doctor=doctor, **long), therapist=therapist
        )
        room = Room.objects.create(location=Location.objects.create(name="Main St"), name="Room 1")
        pat = AppointmentFactory(plan=plan, start=at(10), end=at(10, 45), room=room)
        quinn = PatientFactory(
            first_name="Quinn", last_name="Waiting", reminder_channel=ReminderChannel.EMAIL
        )
        WaitlistEntry.objects.create(
            patient=quinn, created_by=front_desk, earliest=MONDAY, latest=MONDAY + timedelta(7),
            plan=TreatmentPlanFactory(
                referral=ReferralFactory(patient=quinn, doctor=doctor, **long), therapist=therapist
            ),
            weekdays=["MO"], from_time=at(9).time(), to_time=at(12).time(),
        )  # fmt: skip
        cancel_appointment(appointment=pat, by=front_desk, reason="Flu.")
        offer = WaitlistOffer.objects.get()

        # the front desk sees the open offer under the day's grid
        context, page = sign_in(browser, live_server.url, front_desk)
        page.goto(f"{live_server.url}/week/?view=day&date={MONDAY.isoformat()}")
        table = page.get_by_role("region", name="Waitlist offers")
        table.wait_for()
        assert "Quinn Waiting" in table.inner_text() and "10:00–10:45" in table.inner_text()
        shots(page, "calendar-offers")
        context.close()

        # Quinn opens the link from the email, signed in to nothing, and books it
        patient_side = browser.new_context(viewport={"width": 1280, "height": 800})
        link = patient_side.new_page()
        link.goto(waitlist.offer_url(offer))
        link.get_by_role("heading", name="An earlier visit for Quinn").wait_for()
        assert "Parker" not in link.content()  # nothing of the patient who cancelled
        shots(link, "offer-link")
        link.get_by_role("button", name="Book this visit").click()
        link.get_by_role("status").wait_for()
        assert "is booked" in link.get_by_role("status").inner_text()
        shots(link, "offer-booked")
        patient_side.close()
        booked = Appointment.objects.live().get()
        assert (booked.patient, booked.room) == (quinn, room)

        # the desk sees Quinn in Room 1 on the calendar by room
        context, page = sign_in(browser, live_server.url, front_desk)
        page.goto(f"{live_server.url}/week/?view=day&date={MONDAY.isoformat()}&by=room")
        column = page.get_by_role("group", name="Room 1 (Main St)")
        column.wait_for()
        assert "Quinn Waiting" in column.inner_text()
        shots(page, "calendar-rooms")
        context.close()
