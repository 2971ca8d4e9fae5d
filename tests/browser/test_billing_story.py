"""The biller, as a new user would: from a signed note to an exported claim in
three clicks after signing in (the queue is the biller's home: tick the charge,
make the claim, download its 837P), the 837P passing pyx12's validator; then
the claim is marked submitted. The front desk's billing page of the patient and
the doctor's flag of an authorization running low are seen too. Every page is
checked with axe-core and at 768 px (tests/browser/test_story.py's Checked)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from billing.charging import sign_note_and_charge
from billing.models import Authorization, ClaimStatus, Coverage, Fee, Payer
from billing.note_services import log_session_with_services
from referrals.models import Modality
from tests.billing.x12_check import x12_errors
from tests.browser.test_story import MODALITIES, PASSWORD, SHOTS
from tests.browser.test_story import Checked as StoryChecked
from tests.factories import AppointmentFactory

SERVICES = [
    {"code": "97140", "minutes": 33, "region": "neck", "side": "left"},
    {"code": "97124", "minutes": 7, "region": "upper_back", "side": "left"},
]


class Checked(StoryChecked):
    """The story's checks, and with STORY_SHOTS a 1280 x 800 screenshot as well."""

    def check(self, name):
        super().check(name)
        if os.environ.get("STORY_SHOTS"):
            self.page.screenshot(path=str(SHOTS / f"{name}-1280.png"))


@pytest.fixture
def billed(plan, therapist, biller, front_desk, doctor):
    """Pat's signed, charged visit under a workers' comp coverage whose
    authorization ends in ten days."""
    for code, name in MODALITIES.items():
        Modality.objects.get_or_create(code=code, defaults={"name": name})
    for user in (biller, front_desk, doctor):
        user.set_password(PASSWORD)
        user.save()
    therapist.npi, therapist.taxonomy_code = "1245319599", "225700000X"
    therapist.save()
    patient = plan.patient
    patient.address_line, patient.city, patient.state = "1 Main Street", "Springfield", "IL"
    patient.postal_code, patient.sex = "62701-1234", "female"
    patient.save()
    payer = Payer.objects.create(
        name="State Fund", kind="workers_comp", payer_id="SFUND", unit_rule="ama",
        requires_authorization=True,
    )  # fmt: skip
    for code in ("97140", "97124"):
        Fee.objects.create(payer=payer, service_code_id=code, per_unit="42.50")
    today = timezone.localdate()
    coverage = Coverage.objects.create(
        patient=patient, payer=payer, priority="primary", member_id="XJ123456789",
        valid_from=today - timedelta(days=90), claim_number="CLM-2026-0042",
        date_of_injury=today - timedelta(days=100),
    )  # fmt: skip
    Authorization.objects.create(
        coverage=coverage, number="WC-7", visits=12, units=48,
        valid_from=today - timedelta(days=30), valid_until=today + timedelta(days=10),
    )  # fmt: skip
    start = timezone.now() - timedelta(hours=2)
    visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
    note = log_session_with_services(
        therapist=therapist, appointment=visit,
        data={"pain_before": 6, "pain_after": 3, "response": "improved", "services": SERVICES},
    )  # fmt: skip
    sign_note_and_charge(note=note, by=therapist)
    return note.charges.get()


@pytest.mark.django_db(transaction=True)
def test_a_biller_goes_from_a_signed_note_to_an_exported_claim_in_three_clicks(
    browser, live_server, billed, biller, front_desk, doctor
):
    url = live_server.url
    # --- the biller: the queue is home ----------------------------------------------------
    bill = Checked(browser, url, biller)
    page = bill.page
    page.wait_for_selector("h1:has-text('Billing work queue')")
    bill.check("biller-queue")
    clicks = 0
    page.check(f"#pick-{billed.pk}")
    clicks += 1
    page.click("button:has-text('Make claim')")
    clicks += 1
    page.wait_for_selector("text=download the 837P")
    bill.check("biller-claim")
    with page.expect_download() as download:
        page.click("text=Download 837P")
    clicks += 1
    x12 = Path(download.value.path()).read_text(encoding="ascii")
    assert clicks == 3
    assert x12.startswith("ISA*") and "CLM-2026-0042" in x12
    assert x12_errors(x12) == []
    page.click("button:has-text('Mark submitted')")
    page.wait_for_selector("text=submit recorded")
    billed.refresh_from_db()
    assert billed.claims.get().status == ClaimStatus.SUBMITTED
    bill.close()

    # --- the front desk: the patient's billing -----------------------------------------------
    fran = Checked(browser, url, front_desk)
    fran.go(f"/patients/{billed.patient_id}/billing/")
    fran.page.wait_for_selector("text=WC-7")
    assert "Running low" in fran.page.content()  # it ends in ten days
    fran.check("front-desk-patient-billing")
    fran.close()

    # --- the doctor: the authorization running low is one of her flags ------------------------
    dana = Checked(browser, url, doctor)
    dana.go("/my-patients/")
    dana.page.wait_for_selector("text=Authorization running low")
    dana.check("doctor-authorization-running-low")
    dana.close()
