"""The waitlist page in a real browser (issue 15): the front desk opens the
waitlist from the navigation, finds Quinn by name and adds her, changes her
hours and withdraws her with a reason; axe finds no serious or critical
violation at 1280 and 768 px on the list and on the entry's page; no fixed
sleeps. Set WAITLIST_SHOTS to a folder to keep screenshots at 1280x800 and
768x1024."""

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from scheduling.models import Location, Room, WaitlistEntry, WaitlistOffer
from tests.browser.test_calendar import MONDAY, PASSWORD, at, sign_in
from tests.factories import AppointmentFactory, PatientFactory, TreatmentPlanFactory

SHOTS = os.environ.get("WAITLIST_SHOTS")
axe = Axe()
pytestmark = pytest.mark.django_db(transaction=True)


def checked(page, name):
    """No serious or critical axe violation, and no sideways scroll, at 1280
    and 768 px (a screenshot of each when WAITLIST_SHOTS is set)."""
    for width, height in ((1280, 800), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, (name, width, serious)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def test_the_desk_adds_changes_and_withdraws_a_waitlist_entry(
    browser, live_server, doctor, therapist, front_desk
):
    with time_machine.travel(at(8, 30), tick=True):
        front_desk.set_password(PASSWORD)
        front_desk.save()
        # Ann already waits, and Friday's cancelled visit is offered to her
        ann = TreatmentPlanFactory(
            referral__patient=PatientFactory(first_name="Ann", last_name="Early"),
            therapist=therapist,
        )
        WaitlistEntry.objects.create(
            patient=ann.patient, plan=ann, created_by=front_desk, therapist=therapist,
            earliest=MONDAY, latest=MONDAY + timedelta(days=21), weekdays=["MO", "FR"],
            from_time=time(8), to_time=time(13),
        )  # fmt: skip
        room = Room.objects.create(location=Location.objects.create(name="Main St"), name="Room 2")
        freed = AppointmentFactory(
            start=at(9, day=MONDAY + timedelta(4)), end=at(9, 45, day=MONDAY + timedelta(4)),
            therapist=therapist, room=room,
        )  # fmt: skip
        WaitlistOffer.objects.create(
            entry=WaitlistEntry.objects.get(), freed=freed, therapist=therapist, room=room,
            start=freed.start, end=freed.end, sent_by="email",
        )  # fmt: skip
        TreatmentPlanFactory(
            referral__patient=PatientFactory(first_name="Quinn", last_name="Waiting"),
            therapist=therapist,
        )

        # the front desk opens the waitlist from the navigation
        context, page = sign_in(browser, live_server.url, front_desk)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Waitlist").click()
        expect(page.get_by_role("heading", name="Waitlist", level=1)).to_be_visible()
        table = page.get_by_role("table", name="Patients waiting for an earlier visit")
        expect(table).to_contain_text("Ann Early")
        expect(table).to_contain_text("09:00–09:45")

        # adds Quinn, found by name
        page.get_by_role("link", name="Add a patient").click()
        page.get_by_label("Find the patient by name or phone").fill("Waiting")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Choose Quinn Waiting").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Quinn Waiting")
        checked(page, "waitlist-add")
        page.get_by_label("Therapist wanted").select_option(label=str(therapist))
        page.get_by_label("Earliest day").fill(MONDAY.isoformat())
        page.get_by_label("Latest day").fill((MONDAY + timedelta(days=14)).isoformat())
        page.get_by_label("Tue").check()
        page.get_by_label("Thu").check()
        page.get_by_label("From (24-hour)").fill("14:00")
        page.get_by_label("To (24-hour)").fill("18:30")
        page.get_by_role("button", name="Add to the waitlist").click()
        expect(page.get_by_role("status")).to_contain_text("Quinn Waiting is on the waitlist.")
        expect(table).to_contain_text("Quinn Waiting")
        expect(table).to_contain_text("Tue, Thu")
        expect(table).to_contain_text("14:00–18:30")
        checked(page, "waitlist-list")

        # changes her hours; a bad one is named beside its field first
        page.get_by_role("link", name="Change or withdraw the entry of Quinn Waiting").click()
        page.get_by_label("To (24-hour)").fill("13:00")
        page.get_by_role("button", name="Save the changes").click()
        expect(page.locator("#id_to_time_error")).to_contain_text("after their start")
        checked(page, "waitlist-entry-error")
        page.get_by_label("To (24-hour)").fill("19:00")
        page.get_by_role("button", name="Save the changes").click()
        expect(page.get_by_role("status")).to_contain_text("The entry of Quinn Waiting is changed.")
        expect(table).to_contain_text("14:00–19:00")

        # and withdraws her, with the reason
        page.get_by_role("link", name="Change or withdraw the entry of Quinn Waiting").click()
        checked(page, "waitlist-entry")
        page.get_by_label("Why the patient no longer waits").fill("Booked elsewhere.")
        page.get_by_role("button", name="Withdraw the entry").click()
        expect(page.get_by_role("status")).to_contain_text("Quinn Waiting is off the waitlist.")
        expect(table).not_to_contain_text("Quinn Waiting")
        page.get_by_role("link", name="Withdrawn or served").click()
        closed = page.get_by_role("table", name="Closed waitlist entries")
        expect(closed).to_contain_text("Booked elsewhere.")
        checked(page, "waitlist-closed")
        context.close()
    entry = WaitlistEntry.objects.get(patient__first_name="Quinn")
    assert not entry.active and entry.to_time == time(19) and entry.version == 3
