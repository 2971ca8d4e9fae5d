"""The day sheet in a real browser (issue 15, item 8): the front desk opens a
therapist's sheet from the calendar's day view; axe finds no serious
violation; printed (print media) it shows no navigation, is black on white,
and fits the width of A4 and of Letter. Set DAY_SHEET_SHOTS to a folder to keep
screenshots (1280x800, 768x1024, 360x800, and print media at A4 width)."""

import io
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from pypdf import PdfReader

from scheduling.models import Location, Room
from scheduling.recurrence import clinic_zone
from tests.factories import AppointmentFactory, PatientFactory, TreatmentPlanFactory

PASSWORD = "correct-horse-battery"
SHOTS = os.environ.get("DAY_SHEET_SHOTS")
axe = Axe()
pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
NAMES = [("Ann", "Lee"), ("Bo", "Diaz"), ("Cy", "Okafor"), ("Di", "Novak"), ("Ed", "Marsh"),
         ("Flo", "Quist"), ("Gus", "Reyes"), ("Hal", "Iverson-Whitfield")]  # fmt: skip


def at(hour, minute=0):
    return datetime.combine(MONDAY, time(hour, minute)).replace(tzinfo=clinic_zone())


@pytest.fixture
def theos_monday(front_desk, therapist):
    """Eight patients with Theo on Monday, every hour from 08:00, in Room 1."""
    with time_machine.travel(at(7, 30), tick=True):
        front_desk.set_password(PASSWORD)
        front_desk.save()
        room = Room.objects.create(location=Location.objects.create(name="Main"), name="Room 1")
        for i, (first, last) in enumerate(NAMES):
            plan = TreatmentPlanFactory(
                referral__patient=PatientFactory(first_name=first, last_name=last),
                therapist=therapist,
            )
            AppointmentFactory(plan=plan, start=at(8 + i), end=at(8 + i, 45), room=room)
        yield


def serious(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_front_desk_opens_and_prints_a_therapists_day_sheet(
    browser, live_server, theos_monday, front_desk, therapist
):
    with time_machine.travel(at(7, 30), tick=True):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.fill("#id_username", front_desk.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: urlparse(url).path != "/")
        page.goto(f"{live_server.url}/week/?view=day&date={MONDAY.isoformat()}")
        page.locator(f'a.cal-sheet[href$="therapist={therapist.pk}"]').click()
        page.wait_for_selector(".sheet-table")
        # the eight visits, in time order
        rows = page.locator(".sheet-table tbody tr")
        assert rows.count() == 8
        assert rows.first.inner_text().startswith("08:00–08:45")
        assert "Hal Iverson-Whitfield" in rows.last.inner_text()
        assert serious(page) == []
        shots = Path(SHOTS) if SHOTS else None
        for width, height in ((1280, 800), (768, 1024), (360, 800)):
            page.set_viewport_size({"width": width, "height": height})
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / f"day-sheet-{width}.png"), full_page=True)
        # printed: no navigation, black on white, within A4's width (794 px at 96 dpi)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})
        assert not page.locator(".topbar").first.is_visible()
        assert not page.get_by_role("button", name="Print").is_visible()
        assert page.locator(".sheet-notes").first.is_visible()
        colours = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.querySelector('.sheet-table td')).color]"
        )
        assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 794
        if shots:
            page.screenshot(path=str(shots / "day-sheet-print-a4.png"), full_page=True)
        for paper in ("A4", "Letter"):
            printed = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
            assert len(printed.pages) == 1, paper
            text = printed.pages[0].extract_text()
            assert "Hal Iverson" in text and "08:00" in text
        context.close()
