"""A paper prescription in the browser: the therapist opens the paper intake,
transcribes the faxed prescription beside its scan (a tablet in portrait
included), and signs for the document. Each page passes axe and fits 768 px."""

import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document
from referrals.models import Referral
from tests.browser.test_story import SHOTS, Checked, clinic  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def prescription_png() -> bytes:
    """A legible fax: the physician's letterhead and the prescription."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(image)
    lines = [
        "Ada Okafor, MD - Harbor Orthopedics - NPI 1234567893",
        "Fax (555) 010-7788",
        "",
        "Rx: Medical massage, neck, bilateral",
        "Dx: M54.2 Cervicalgia",
        "8 visits, 2 a week, valid 60 days",
        "",
        "Signed: A. Okafor",
    ]
    for i, line in enumerate(lines):
        draw.text((60, 80 + 40 * i), line, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_therapist_transcribes_a_fax_beside_its_scan(
    browser,
    live_server,
    clinic,  # noqa: F811 - test_story's fixture
    therapist,
    front_desk,
    private_documents,  # noqa: F811
):
    # given a fax for Pat, attached by the front desk on Pat's page
    desk = Checked(browser, live_server.url, front_desk)
    desk.go(f"/patients/{clinic.pk}/")
    desk.page.select_option("#attach-kind", "prescription")
    with desk.page.expect_navigation():
        desk.page.set_input_files(
            "#attach-file",
            files=[{"name": "fax.png", "mimeType": "image/png", "buffer": prescription_png()}],
        )
    expect(desk.page.get_by_text("Prescription attached.")).to_be_visible()
    desk.check("patient-documents")
    shots(desk.page, "patient-documents", scroll_to="docs-h")
    desk.close()
    document = Document.objects.get()
    theo = Checked(browser, live_server.url, therapist)
    page = theo.page
    # when Theo opens the paper intake and the prescription
    theo.go("/paper/")
    theo.check("paper-intake")
    page.get_by_role("link", name=f"Transcribe the prescription of {clinic}").click()
    # the scan itself, loaded through the door (a broken image never completes with a width)
    expect(page.locator(".scan img")).to_have_js_property("naturalWidth", 850)
    theo.check("transcribe")
    shots(page, "transcribe")
    # and types the physician and the prescription, then signs for the document
    page.locator("summary", has_text="A physician not yet in the directory").click()
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Okafor")
    page.fill("#id_npi", "1234567893")
    page.fill("#id_email", "ada@harbor.example")
    page.fill("#diagnosis-search", "M54.2")
    page.locator("#diagnosis-results button", has_text="M54.2").click()
    # the pick is its own request: signing before it lands would send no diagnosis
    page.wait_for_selector("#picked-diagnoses input[value='M54.2']", state="attached")
    page.select_option("#side_neck", "bilateral")
    page.fill("#id_visits_prescribed", "8")
    page.fill("#id_frequency_per_week", "2")
    page.fill("#id_valid_until", (timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Sign for the document").click()
    page.wait_for_url(f"{live_server.url}/referrals/*/")
    # then the referral is Ada's, signed by Theo, and the scan filed on it
    referral = Referral.objects.get()
    assert referral.status == "signed" and referral.signed_by == therapist
    assert referral.outside_physician.last_name == "Okafor"
    assert [d.code for d in referral.diagnoses.all()] == ["M54.2"]
    document.refresh_from_db()
    assert document.referral == referral
    theo.check("transcribed-referral")
    shots(page, "transcribed-referral")
    theo.close()


def shots(page, name, scroll_to=""):
    if not os.environ.get("STORY_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        if scroll_to:
            page.evaluate(f"document.getElementById('{scroll_to}').scrollIntoView()")
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
