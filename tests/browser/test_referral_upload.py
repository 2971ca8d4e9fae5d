"""A document attached on the referral's page in the browser: the therapist
chooses a file in the section the page loads, and it is filed on that referral,
listed there and opened through the door. The page passes axe and fits 768 px."""

import io
import os

import pytest
from playwright.sync_api import expect

from documents.models import Document
from tests.browser.test_story import SHOTS, Checked, clinic  # noqa: F401 - the fixture
from tests.browser.test_transcription import prescription_png
from tests.factories import ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fax_pdf() -> bytes:
    """The prescription as a fax machine sends it: a PDF of the scanned page."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(prescription_png())).save(out, format="PDF")
    return out.getvalue()


def shots(page, name):
    if not os.environ.get("STORY_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 800), (768, 1024), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#documents").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_therapist_files_an_imaging_report_on_the_referral(
    browser,
    live_server,
    clinic,  # noqa: F811 - test_story's fixture
    doctor,
    therapist,
    private_documents,  # noqa: F811
):
    referral = ReferralFactory(patient=clinic, doctor=doctor)
    TreatmentPlanFactory(referral=referral, therapist=therapist)
    theo = Checked(browser, live_server.url, therapist)
    page = theo.page
    # when Theo opens the referral, its documents section loads with the upload form
    theo.go(f"/referrals/{referral.pk}/")
    expect(page.locator("#documents")).to_contain_text("No document.")
    page.select_option("#attach-kind", "imaging")
    with page.expect_navigation():
        page.set_input_files(
            "#attach-file",
            files=[{"name": "mri.png", "mimeType": "image/png", "buffer": prescription_png()}],
        )
    # then it is attached, filed on this referral, and listed there
    expect(page.get_by_text("Imaging attached.")).to_be_visible()
    expect(page.locator("#documents .rows li")).to_have_count(1)
    document = Document.objects.get()
    assert (document.referral_id, document.kind) == (referral.pk, "imaging")
    # and a faxed PDF too: each listed with its preview (the picture, the PDF's first
    # page), loaded through the door
    page.select_option("#attach-kind", "prescription")
    with page.expect_navigation():
        page.set_input_files(
            "#attach-file",
            files=[{"name": "fax.pdf", "mimeType": "application/pdf", "buffer": fax_pdf()}],
        )
    expect(page.get_by_text("Prescription attached.")).to_be_visible()
    previews = page.locator("#documents img.doc-preview")
    expect(previews).to_have_count(2)
    for i in range(2):
        expect(previews.nth(i)).not_to_have_js_property("naturalWidth", 0)
    theo.check("referral-documents")
    shots(page, "referral-documents")
    # and opening it goes through the door
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Open the imaging").click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.evaluate("document.images[0].naturalWidth") == 850
    theo.close()
