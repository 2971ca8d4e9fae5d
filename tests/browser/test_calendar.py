"""The front desk's calendar in a real browser (issue 15): drag a visit to
another time and another therapist, see a refused drop explained where it
fell with nothing changed, stretch a visit, move one with the keyboard, and
book by clicking an empty slot. axe finds no serious violation at 1280 and
1024 px; the page never scrolls sideways at 768 or 360 px (the grid scrolls
inside its own frame). No fixed sleeps: every wait is for something on the page.

"Now" is pinned at 08:30 on the next Monday (clinic time). Set CALENDAR_SHOTS
to a folder to keep screenshots at 1280x800, 768x1024 and 360x800."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from scheduling.models import Appointment
from scheduling.recurrence import clinic_zone
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
)

PASSWORD = "correct-horse-battery"
SHOTS = os.environ.get("CALENDAR_SHOTS")
axe = Axe()
pytestmark = pytest.mark.django_db(transaction=True)


def next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


MONDAY = next_monday()


def at(hour, minute=0, day=None):
    return datetime.combine(day or MONDAY, time(hour, minute)).replace(tzinfo=clinic_zone())


@pytest.fixture
def desk_day(settings, doctor, therapist, other_therapist, front_desk, patient):
    """Monday: Pat with Theo at 10:00, Theo busy with Ann at 12:00, Sam's plan
    waiting to be booked; the front desk signs in with a password."""
    with time_machine.travel(at(8, 30), tick=True):
        front_desk.set_password(PASSWORD)
        front_desk.save()
        long = {"valid_until": MONDAY + timedelta(days=60)}
        plan = TreatmentPlanFactory(
            referral=ReferralFactory(patient=patient, doctor=doctor, **long), therapist=therapist
        )
        pat = AppointmentFactory(plan=plan, start=at(10), end=at(10, 45))
        ann = PatientFactory(first_name="Ann", last_name="Lee")
        AppointmentFactory(
            plan=TreatmentPlanFactory(
                referral=ReferralFactory(patient=ann, **long), therapist=therapist
            ),
            start=at(12),
            end=at(13),
        )
        sam = PatientFactory(first_name="Sam", last_name="Stone")
        sams_plan = TreatmentPlanFactory(
            referral=ReferralFactory(patient=sam, **long), therapist=other_therapist
        )
        yield {"pat": pat, "sams_plan": sams_plan}


def check(page, name):
    """axe at 1280 and 1024 px; no sideways scroll at 768 and 360; screenshots."""
    for width, height in ((1280, 800), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        serious = [
            (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, (name, width, serious)
    for width, height in ((768, 1024), (360, 800)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width, height in ((1280, 800), (768, 1024), (360, 800)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 1000})


def sign_in(browser, url, user):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def row_y(page, therapist, hour, minute=0):
    """The page y of `hour:minute` in the therapist's column."""
    body = page.locator(f'.cal-col .cal-body[data-therapist="{therapist.pk}"]').first
    box = body.bounding_box()
    first = int(page.locator("#calendar-grid").get_attribute("data-first-minute"))
    rows = int(body.evaluate("b => b.className.match(/rows-(\\d+)/)[1]"))
    return box, box["y"] + (hour * 60 + minute - first) / 5 * box["height"] / rows


def drag(page, visit_id, *, to_therapist, hour, minute=0, grab="top"):
    visit = page.locator(f'.cal-visit[data-id="{visit_id}"]')
    visit.scroll_into_view_if_needed()
    box = visit.bounding_box()
    x = box["x"] + box["width"] / 2
    y = box["y"] + 4 if grab == "top" else box["y"] + box["height"] - 2
    target, target_y = row_y(page, to_therapist, hour, minute)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 3, y + 3, steps=2)
    page.mouse.move(
        target["x"] + target["width"] / 2, target_y + (4 if grab == "top" else -2), steps=8
    )
    page.mouse.up()


def test_the_front_desk_drags_stretches_and_books_on_the_grid(
    browser, live_server, desk_day, front_desk, therapist, other_therapist
):
    pat = desk_day["pat"]
    with time_machine.travel(at(8, 30), tick=True):
        context, page = sign_in(browser, live_server.url, front_desk)
        page.goto(f"{live_server.url}/week/?date={MONDAY.isoformat()}")
        page.wait_for_selector(f'.cal-visit[data-id="{pat.pk}"]')
        check(page, "calendar-day")

        # a drop on Theo's busy hour is refused, explained in place, and changes nothing
        drag(page, pat.pk, to_therapist=therapist, hour=12, minute=15)
        refusal = page.locator(".cal-refusal")
        refusal.wait_for()
        assert "clashes with another live appointment" in refusal.inner_text()
        assert "Not moved" in page.locator("#cal-status").inner_text()
        pat.refresh_from_db()
        assert (pat.therapist_id, pat.start) == (therapist.pk, at(10))
        page.get_by_role("button", name="Dismiss").click()

        # dragged to Tess at 11:30
        drag(page, pat.pk, to_therapist=other_therapist, hour=11, minute=30)
        page.wait_for_selector("#cal-status:has-text('Moved: Pat Parker')")
        pat.refresh_from_db()
        assert (pat.therapist_id, pat.start, pat.end) == (
            other_therapist.pk,
            at(11, 30),
            at(12, 15),
        )
        moved = page.locator(f'.cal-visit[data-id="{pat.pk}"]')
        assert moved.locator("xpath=..").get_attribute("data-therapist") == str(other_therapist.pk)

        # stretched by its lower edge to 13:00
        drag(page, pat.pk, to_therapist=other_therapist, hour=13, grab="bottom")
        page.wait_for_selector("#cal-status:has-text('11:30-13:00')")
        pat.refresh_from_db()
        assert (pat.start, pat.end) == (at(11, 30), at(13))

        # Alt+Down on the focused visit: 15 minutes later
        page.locator(f'.cal-visit[data-id="{pat.pk}"]').focus()
        page.keyboard.press("Alt+ArrowDown")
        page.wait_for_selector("#cal-status:has-text('11:45-13:15')")
        pat.refresh_from_db()
        assert pat.start == at(11, 45)
        assert page.evaluate("document.activeElement.dataset.id") == str(pat.pk)

        # a click on Tess's empty 15:00 opens the booking form filled in
        box, y = row_y(page, other_therapist, 15, 2)
        page.mouse.click(box["x"] + box["width"] / 2, y)
        page.wait_for_selector("h1:has-text('Book a visit')")
        assert page.input_value("#id_at") == "15:00"
        assert page.input_value("#id_day") == MONDAY.isoformat()
        check(page, "calendar-book")
        page.select_option("#id_plan", str(desk_day["sams_plan"].pk))
        page.click("button:has-text('Book the visit')")
        page.wait_for_selector("text=Sam Stone is booked with Tess Ives")
        booked = Appointment.objects.get(plan=desk_day["sams_plan"])
        assert (booked.therapist_id, booked.start, booked.end) == (
            other_therapist.pk,
            at(15),
            at(15, 45),
        )
        page.wait_for_selector(f'.cal-visit[data-id="{booked.pk}"]')
        page.goto(f"{live_server.url}/week/?view=week&date={MONDAY.isoformat()}")
        check(page, "calendar-week")
        context.close()


def test_the_visit_and_series_pages_pass_axe_and_show_the_new_choices(
    browser, live_server, desk_day, front_desk, other_therapist
):
    pat = desk_day["pat"]
    with time_machine.travel(at(8, 30), tick=True):
        context, page = sign_in(browser, live_server.url, front_desk)
        # the visit page: 24-hour time, another therapist, no check-in before its day
        page.goto(f"{live_server.url}/visits/{pat.pk}/")
        page.wait_for_selector("h2:has-text('Move this visit')")
        assert page.get_attribute("#id_at", "placeholder") == "HH:MM"
        page.select_option("#id_therapist", str(other_therapist.pk))
        check(page, "visit-page")
        # the series page: a live preview with the clash's free times
        plan = desk_day["sams_plan"]
        page.goto(f"{live_server.url}/plans/{plan.pk}/series/new/")
        page.fill("#id_first_day", MONDAY.isoformat())
        page.fill("#id_at", "10:00")
        page.check("input[name=weekdays][value=MO]")
        page.wait_for_selector("#series-preview li")
        page.check("input[name=on_conflict][value=skip]")
        page.check("#id_extend")
        check(page, "series-form")
        context.close()


def test_a_likely_duplicate_patient_is_shown_and_asked_about(
    browser, live_server, desk_day, front_desk, patient
):
    with time_machine.travel(at(8, 30), tick=True):
        context, page = sign_in(browser, live_server.url, front_desk)
        page.goto(f"{live_server.url}/patients/new/")
        assert not page.is_checked("#id_reminder_consent")  # asked, never assumed
        page.fill("#id_first_name", "Patricia")
        page.fill("#id_last_name", patient.last_name.upper())
        page.fill("#id_date_of_birth", patient.date_of_birth.isoformat())
        page.select_option("#id_reminder_channel", "none")
        page.click("button:has-text('Register')")
        page.wait_for_selector("text=This may be a patient already registered")
        check(page, "patient-duplicate")
        page.check("#confirm_new")
        page.click("button:has-text('Register')")
        page.wait_for_selector("text=Patricia")
        context.close()
