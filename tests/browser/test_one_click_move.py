"""One click from a refused drag to a free time (issue 15): the front desk
drops Pat's visit on Theo's busy noon; the refusal, shown where it fell, offers
that day's free times as buttons; one press moves the visit there through the
same move page, and the grid is drawn again. The visit page offers the same
after a refused move. No fixed sleeps. CALENDAR_SHOTS keeps screenshots."""

import os
from pathlib import Path

import time_machine

from scheduling.models import Appointment
from tests.browser import test_calendar
from tests.browser.test_calendar import MONDAY, at, drag, pytestmark, sign_in  # noqa: F401

desk_day = test_calendar.desk_day  # the calendar story's Monday, a fixture

SHOTS = os.environ.get("CALENDAR_SHOTS")


def test_a_refused_drop_offers_free_times_and_one_click_moves_the_visit(
    browser,
    live_server,
    desk_day,
    front_desk,
    therapist,
):
    pat = desk_day["pat"]
    with time_machine.travel(at(8, 30), tick=True):
        context, page = sign_in(browser, live_server.url, front_desk)
        page.goto(f"{live_server.url}/week/?date={MONDAY.isoformat()}")
        page.wait_for_selector(f'.cal-visit[data-id="{pat.pk}"]')
        # dropped on Theo's busy 12:15: refused, with that day's free times
        drag(page, pat.pk, to_therapist=therapist, hour=12, minute=15)
        refusal = page.locator(".cal-refusal")
        refusal.wait_for()
        offers = refusal.locator(".cal-suggestion")
        assert offers.count() == 3
        assert offers.first.inner_text() == "Move to 11:15"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/calendar-refusal-suggestions-1280.png")
        # one press: moved there, said in the status line once the grid shows it
        refusal.get_by_role("button", name="Move to 13:00").click()
        page.wait_for_selector("#cal-status:has-text('Moved: Pat Parker')")
        pat.refresh_from_db()
        assert (pat.therapist_id, pat.start, pat.end) == (therapist.pk, at(13), at(13, 45))
        assert page.locator(".cal-refusal").count() == 0
        assert page.locator(f'.cal-visit[data-id="{pat.pk}"] .cal-time').inner_text() == (
            "13:00–13:45"
        )
        # the visit page: a refused move offers the same, as buttons
        page.goto(f"{live_server.url}/visits/{pat.pk}/")
        page.fill("#id_at", "12:15")
        page.click("button:has-text('Move')")
        page.wait_for_selector("h2:has-text('Free that day instead')")
        if SHOTS:
            for width, height in ((1280, 800), (768, 1024)):
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=f"{SHOTS}/visit-suggestions-{width}.png", full_page=True)
        page.get_by_role("button", name="Move to 11:15").click()
        page.wait_for_selector("text=The visit is moved.")
        assert Appointment.objects.get(pk=pat.pk).start == at(11, 15)
        context.close()
