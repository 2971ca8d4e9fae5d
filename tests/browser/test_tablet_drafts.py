"""A tablet is shared: a session note's draft belongs to the therapist who
wrote it, leaves the device when they sign out or are signed out for
inactivity, and is never restored after twelve hours.

Time is the page's: drafts are aged by rewriting their stored timestamp
against the page's own Date.now(), and the idle sign-out is reached with
Playwright's clock, never by waiting."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory

PASSWORD = "correct-horse-battery"
WORDS = "Left trapezius tender; patient prefers light pressure."
HOUR_MS = 60 * 60 * 1000

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT_KEYS = (
    "() => Object.keys(localStorage).filter(k => k.startsWith('draft:') || k.startsWith('note:'))"
)


@pytest.fixture
def visit(plan, therapist, other_therapist):
    for user in (therapist, other_therapist):
        user.set_password(PASSWORD)
        user.save()
    start = timezone.now() - timedelta(minutes=20)
    return AppointmentFactory(
        plan=plan,
        start=start,
        end=start + timedelta(minutes=45),
        status=AppointmentStatus.CHECKED_IN,
    )


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    # the live server's first answer (imports, templates) is slow on a busy machine
    context.set_default_navigation_timeout(90_000)
    yield context
    context.close()


def sign_in(page, base_url, user):
    page.goto(f"{base_url}/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("form.logout")


def write_draft(page, base_url, visit):
    """Open the visit's note form, type, and wait until the draft is stored."""
    page.goto(f"{base_url}/visits/{visit.pk}/note/")
    page.fill("#id_subjective", WORDS)
    page.wait_for_function(
        "words => Object.values(localStorage).some(v => v.includes(words))",
        arg=WORDS,
    )


def age_drafts(page, hours):
    """Pretend every stored draft was saved `hours` ago on the page's clock."""
    page.evaluate(
        """ago => { for (const key of Object.keys(localStorage)) {
               const draft = JSON.parse(localStorage.getItem(key));
               if (draft && draft.data) {
                 draft.savedAt = Date.now() - ago;
                 localStorage.setItem(key, JSON.stringify(draft));
               } } }""",
        hours * HOUR_MS,
    )


def test_a_draft_of_one_therapist_is_not_shown_to_the_next_on_the_same_tablet(
    context, live_server, visit, therapist, other_therapist
):
    # given Theo left a draft of the visit's note on the tablet
    page = context.new_page()
    sign_in(page, live_server.url, therapist)
    write_draft(page, live_server.url, visit)
    # and Tess takes the visit over and the tablet now carries her session
    Appointment.objects.filter(pk=visit.pk).update(therapist=other_therapist)
    tess = Client()
    tess.force_login(other_therapist)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": tess.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    # when Tess opens the same visit's note (goto returns after the load event,
    # so the page's script has already looked for a draft)
    page.goto(f"{live_server.url}/visits/{visit.pk}/note/")
    # then the form is empty and says nothing about a draft
    assert "Tess" in page.inner_text("form.logout")
    assert page.input_value("#id_subjective") == ""
    assert page.inner_text("[data-draft-status]") == ""


def test_signing_out_leaves_no_draft_on_the_tablet(context, live_server, visit, therapist):
    # given
    page = context.new_page()
    sign_in(page, live_server.url, therapist)
    write_draft(page, live_server.url, visit)
    assert page.evaluate(DRAFT_KEYS)
    # when
    page.click("form.logout button[type=submit]")
    page.wait_for_selector("#id_username")
    # then
    assert page.evaluate(DRAFT_KEYS) == []


def test_a_draft_is_removed_when_the_idle_session_ends(context, live_server, visit, therapist):
    # given Theo's draft, on a page whose clock the test holds
    page = context.new_page()
    sign_in(page, live_server.url, therapist)
    page.clock.install()
    write_draft(page, live_server.url, visit)
    # when the idle limit passes on the page's clock
    page.clock.fast_forward(settings.SESSION_COOKIE_AGE * 1000 + 1000)
    # then the tablet says so and the draft is gone
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 0")
    assert "removed from this tablet" in page.inner_text("#session-warning")
    assert page.input_value("#id_subjective") == ""
    assert page.locator("[data-session-keepalive]").is_hidden()
    if os.environ.get("STORY_SHOTS"):
        for width, height in ((768, 1024), (1280, 800)):
            page.set_viewport_size({"width": width, "height": height})
            shot = Path(os.environ["STORY_SHOTS"]) / f"idle-signed-out-{width}.png"
            page.screenshot(path=str(shot))


def test_a_draft_older_than_twelve_hours_is_not_restored(context, live_server, visit, therapist):
    page = context.new_page()
    sign_in(page, live_server.url, therapist)
    write_draft(page, live_server.url, visit)
    # given (the control) an eleven-hour-old draft is restored
    age_drafts(page, 11)
    page.reload()
    page.wait_for_selector("text=Unsaved draft restored from this device.")
    assert page.input_value("#id_subjective") == WORDS
    # when it is thirteen hours old
    age_drafts(page, 13)
    page.reload()
    # then it is dropped, not restored
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 0")
    assert page.input_value("#id_subjective") == ""
    assert page.inner_text("[data-draft-status]") == ""
