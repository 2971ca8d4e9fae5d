"""The issue's "done when": a plan of care signed by an outside physician through
the link on a 360 px phone in Chromium, and the signed PDF shows the signature.
The page passes axe and fits the phone's width."""

import io
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from pypdf import PdfReader

from referrals.models import OutsidePhysician, PlanStatus
from tests.browser.test_story import SHOTS
from tests.factories import ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db(transaction=True)
axe = Axe()


@pytest.fixture(autouse=True)
def eager_tasks():
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def check(page, name):
    page.wait_for_load_state("networkidle")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, (name, serious)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    if os.environ.get("STORY_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-360.png"), full_page=True)


def test_an_outside_physician_signs_the_plan_of_care_on_a_phone(
    browser, live_server, therapist, front_desk, patient, mailoutbox, private_documents
):
    # given Theo's plan under Dr. Okafor's transcribed prescription, sent to her
    ada = OutsidePhysician.objects.create(
        first_name="Ada", last_name="Okafor", npi="1234567893", email="ada@harbor.example",
        created_by=front_desk,
    )  # fmt: skip
    referral = ReferralFactory(
        patient=patient, doctor=None, outside_physician=ada, transcribed_by=therapist,
        source="document", signed_by=therapist,
    )  # fmt: skip
    plan = TreatmentPlanFactory(
        referral=referral, therapist=therapist, status=PlanStatus.PROPOSED, approved_at=None
    )
    staff = Client()
    staff.force_login(therapist)
    assert staff.post(f"/api/v1/treatment-plans/{plan.pk}/request-signature/").status_code == 201
    path = re.search(r"https?://[^/\s]+(/sign/\S+/)", mailoutbox[-1].body).group(1)
    # a phone's width; Playwright's pointer is a mouse (a finger draws the same strokes)
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    # when she opens the link, asks for the code and types it
    page.goto(live_server.url + path)
    check(page, "physician-link")
    page.get_by_role("button", name="Email me the code").click()
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].subject).group(1)
    page.get_by_label("The 6-digit code").fill(code)
    page.get_by_role("button", name="Continue").click()
    # and types her name and draws her signature with her finger (the mouse here)
    page.get_by_label("Your name").fill("Ada Okafor, MD")
    page.locator("#signature-pad").scroll_into_view_if_needed()
    pad = page.locator("#signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] * 0.7)
    page.mouse.down()
    for x, y in ((0.3, 0.2), (0.5, 0.8), (0.7, 0.3), (0.9, 0.6)):
        page.mouse.move(pad["x"] + pad["width"] * x, pad["y"] + pad["height"] * y, steps=5)
    page.mouse.up()
    check(page, "physician-sign")
    page.get_by_role("button", name="Approve the plan of care").click()
    # then the page thanks her and the plan is certified
    page.get_by_text("The plan of care is signed and certified.").wait_for()
    check(page, "physician-signed")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    # and the signed PDF shows the signature
    pdf = PdfReader(io.BytesIO(staff.get(f"/api/v1/treatment-plans/{plan.pk}/pdf/").content))
    assert len(pdf.pages[0].images) == 1
    assert "Ada Okafor, MD" in pdf.pages[0].extract_text()
    phone.close()
