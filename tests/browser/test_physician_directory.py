"""The directory of outside physicians in the browser: the front desk opens it
from the nav, finds a physician, adds one whose NPI fails its check digit (the
error beside the NPI), corrects it and finds her. Each page passes axe and fits
768 px."""

import os

import pytest
from playwright.sync_api import expect

from referrals.models import OutsidePhysician
from tests.browser.test_story import SHOTS, Checked, clinic  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def shots(page, name):
    if not os.environ.get("STORY_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (768, 1024), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_front_desk_adds_a_physician_and_the_check_digit_is_checked_in_place(
    browser,
    live_server,
    clinic,  # noqa: F811 - test_story's fixture
    front_desk,
):
    OutsidePhysician.objects.create(
        first_name="Nadia", last_name="Ahmed", npi="1234567893", practice="Harbor Orthopedics",
        email="ahmed@harbor.example", fax="555-0101", created_by=front_desk,
    )  # fmt: skip
    fran = Checked(browser, live_server.url, front_desk)
    page = fran.page
    # when Fran opens the directory from the nav and searches by practice
    page.get_by_role("link", name="Physicians").click()
    page.fill("#q", "harbor")
    expect(page.locator("#physician-results")).to_contain_text("Ahmed, Nadia")
    fran.check("physician-directory")
    shots(page, "physician-directory")
    # and adds a physician from a fax's letterhead, one digit of the NPI wrong
    page.get_by_role("link", name="Add a physician").click()
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Okafor")
    page.fill("#id_npi", "1234567901"[:-1] + "2")
    page.fill("#id_practice", "Eastside Spine")
    page.fill("#id_fax", "555-0202")
    page.get_by_role("button", name="Add to the directory").click()
    # then the error stands beside the NPI, and what she typed is still there
    npi = page.locator(".field.has-error", has=page.locator("#id_npi"))
    expect(npi).to_contain_text("check digit")
    expect(page.locator("#id_last_name")).to_have_value("Okafor")
    fran.check("physician-form-error")
    shots(page, "physician-form-error")
    # when she corrects the digit, Ada is in the directory
    page.fill("#id_npi", "1234567901")
    page.get_by_role("button", name="Add to the directory").click()
    expect(page.locator("#physician-results")).to_contain_text("Okafor, Ada")
    expect(page.locator("#physician-results")).not_to_contain_text("Ahmed")
    fran.check("physician-added")
    assert OutsidePhysician.objects.filter(npi="1234567901", created_by=front_desk).exists()
    fran.close()
