"""A progress report acknowledged by an outside physician through the link on a
360 px phone in Chromium (the plan of care's machinery), then shown to the
therapist with the drawn signature. Each page passes axe and fits the phone."""

import os
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from referrals.models import OutsidePhysician, PlanStatus
from sessions_log import reports
from sessions_log.models import ReportStatus
from tests.browser.test_physician_signs import check, eager_tasks  # noqa: F401 - the fixture
from tests.browser.test_story import SHOTS
from tests.factories import ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_outside_physician_acknowledges_a_progress_report_on_a_phone(
    browser, live_server, therapist, front_desk, patient, mailoutbox, private_documents
):
    # given Theo's signed progress report on a plan under Dr. Okafor's prescription
    ada = OutsidePhysician.objects.create(
        first_name="Ada", last_name="Okafor", npi="1234567893", email="ada@harbor.example",
        created_by=front_desk,
    )  # fmt: skip
    referral = ReferralFactory(
        patient=patient, doctor=None, outside_physician=ada, transcribed_by=therapist,
        source="document", signed_by=therapist,
    )  # fmt: skip
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, status=PlanStatus.APPROVED)
    data = {"summary": "Neck pain down from 7 to 3; turning the head freely.",
            "recommendation": "continue"}  # fmt: skip
    report = reports.sign_progress_report(
        report=reports.write_progress_report(plan=plan, by=therapist, data=data), by=therapist
    )
    # when Theo sends it from the report's page
    staff = Client()
    staff.force_login(therapist)
    assert staff.post(f"/reports/{report.pk}/send/").status_code == 302
    path = re.search(r"https?://[^/\s]+(/sign/\S+/report/)", mailoutbox[-1].body).group(1)
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    # and Dr. Okafor opens the link on her phone, asks for the code and types it
    page.goto(live_server.url + path)
    expect(page.get_by_text("Neck pain down from 7 to 3")).to_be_visible()
    check(page, "physician-report-link")
    page.get_by_role("button", name="Email me the code").click()
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].subject).group(1)
    page.get_by_label("The 6-digit code").fill(code)
    page.get_by_role("button", name="Continue").click()
    # and types her name and draws her signature
    page.get_by_label("Your name").fill("Ada Okafor, MD")
    page.locator("#signature-pad").scroll_into_view_if_needed()
    pad = page.locator("#signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] * 0.7)
    page.mouse.down()
    for x, y in ((0.3, 0.2), (0.5, 0.8), (0.7, 0.3), (0.9, 0.6)):
        page.mouse.move(pad["x"] + pad["width"] * x, pad["y"] + pad["height"] * y, steps=5)
    page.mouse.up()
    check(page, "physician-report-acknowledge")
    page.get_by_role("button", name="Acknowledge the report").click()
    # then she is thanked and the report is acknowledged
    page.get_by_text("The progress report is acknowledged.").wait_for()
    check(page, "physician-report-acknowledged")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    phone.close()
    # and Theo's page of the report shows who acknowledged it, with her signature
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    theo = desk.new_page()
    theo.goto(f"{live_server.url}/")
    theo.context.add_cookies(
        [{"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url}]
    )
    theo.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(theo.get_by_role("heading", name="Acknowledged by Dr. Ada Okafor")).to_be_visible()
    signature = theo.get_by_role("img", name="The signature of Ada Okafor, MD")
    expect(signature).not_to_have_js_property("naturalWidth", 0)
    if os.environ.get("STORY_SHOTS"):
        for width, height in ((1280, 800), (768, 1024)):
            theo.set_viewport_size({"width": width, "height": height})
            signature.scroll_into_view_if_needed()
            theo.screenshot(path=str(SHOTS / f"report-acknowledged-{width}.png"))
    desk.close()
