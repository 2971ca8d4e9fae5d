"""The front desk's drill (issue 15, Done when): tried as a new user would,
the front desk books an 8-visit series, Mondays and Thursdays at 10:00,
across a closure (the second Thursday) and a clash (Theo busy the second
Monday at 10:00) through the pages: the preview shows the clash with its free
times as buttons, one press moves that date to 10:45, "make up skipped dates"
covers the closure, and the booking gets all 8. The browser's time from the
first page load to the confirmation is under 60 seconds. No fixed sleeps.
Set SERIES_SHOTS to a folder to keep screenshots of the series page."""

import os
import time as clock
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Appointment, Closure
from scheduling.recurrence import clinic_zone
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)

PASSWORD = "correct-horse-battery"
SHOTS = os.environ.get("SERIES_SHOTS")
axe = Axe()
pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=clinic_zone())


@pytest.fixture
def drill(front_desk, therapist, doctor, patient):
    """Pat's plan of 10 visits with Theo; Theo busy with Ann on the second Monday
    at 10:00; the clinic closed on the second Thursday."""
    with time_machine.travel(at(MONDAY - timedelta(days=3), 9), tick=True):
        front_desk.set_password(PASSWORD)
        front_desk.save()
        referral = ReferralFactory(
            patient=patient, doctor=doctor, visits_prescribed=12,
            valid_until=MONDAY + timedelta(days=120),
        )  # fmt: skip
        plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=10)
        ann = PatientFactory(first_name="Ann", last_name="Lee")
        second_monday = MONDAY + timedelta(days=7)
        AppointmentFactory(
            plan=None, patient=ann, therapist=therapist,
            start=at(second_monday, 10), end=at(second_monday, 10, 45),
        )  # fmt: skip
        Closure.objects.create(date=MONDAY + timedelta(days=10), reason="Staff training")
        yield plan


def serious(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_front_desk_books_eight_visits_across_a_closure_and_a_clash_in_a_minute(
    browser, live_server, drill, front_desk, patient
):
    plan = drill
    second_monday = MONDAY + timedelta(days=7)
    with time_machine.travel(at(MONDAY - timedelta(days=3), 9), tick=True):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        began = clock.perf_counter()
        # signs in, opens Pat's page and her plan's "Book visits"
        page.goto(f"{live_server.url}/")
        page.fill("#id_username", front_desk.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: urlparse(url).path != "/")
        page.goto(f"{live_server.url}/patients/{patient.pk}/")
        page.get_by_role("link", name="Book visits for this plan").click()
        page.wait_for_selector("h1:has-text('Book a series')")
        # Mondays and Thursdays at 10:00, eight visits
        page.fill("#id_first_day", MONDAY.isoformat())
        page.fill("#id_at", "10:00")
        page.check("input[name=weekdays][value=MO]")
        page.check("input[name=weekdays][value=TH]")
        page.fill("#id_count", "8")
        # the preview: the closed Thursday, and the clash with its free times as buttons
        # (the preview follows each change; it is read once it shows the eight asked)
        expect(page.locator("#series-preview li")).to_have_count(7)
        expect(page.locator("#series-preview")).to_contain_text("1 conflict")
        shown = page.inner_text("#series-preview")
        assert (
            "Skipped, the clinic is closed: " + f"{MONDAY + timedelta(days=10):%a %b %-d}" in shown
        )
        move = page.get_by_role("group", name=f"Move {second_monday:%a %b %-d} to a free time")
        move = move.get_by_role("radio", name="10:45")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/series-clash-1280.png", full_page=True)
        # the clash resolved for that date alone: moved to 10:45
        move.check()
        page.wait_for_selector("#series-preview :text('moved from 10:00')")
        assert "no conflict" in page.inner_text("#series-preview")
        assert serious(page) == []
        # the closed day made up after the last, and booked
        page.check("#id_extend")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/series-moved-1280.png", full_page=True)
            page.set_viewport_size({"width": 768, "height": 1024})
            page.screenshot(path=f"{SHOTS}/series-moved-768.png", full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
        page.click("button:has-text('Book the series')")
        confirmation = page.locator(".message-success").first
        confirmation.wait_for()
        took = clock.perf_counter() - began
        text = confirmation.inner_text()
        context.close()
    # then all eight are booked, the clash date at 10:45, none on the closed day
    assert text.startswith("8 visits booked."), text
    assert "1 visit made up after the last" in text
    visits = list(Appointment.objects.filter(plan=plan).order_by("start"))
    assert len(visits) == 8
    assert at(second_monday, 10, 45) in [v.start for v in visits]
    assert MONDAY + timedelta(days=10) not in [
        v.start.astimezone(clinic_zone()).date() for v in visits
    ]
    assert took < 60, f"the drill took {took:.1f} s of browser time"
