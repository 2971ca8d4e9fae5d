"""The patient's side in a real browser, as a new user would on a 360 px phone:
Pat opens the link of the front desk's email, gives the date of birth, sees
the coming visits, confirms one, cancels another (after the question), changes
the reminder channel, and signs out. "Now" is pinned.

Every page is checked with axe-core (no serious or critical violation), must not
scroll sideways at 360 px, and is photographed at 360x740, 768x1024 and 1280x800
when PORTAL_SHOTS names a folder."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone

from portal.sign_in import send_invite
from scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory
from tests.portal.conftest import NOW, Clock

axe = Axe()
SIZES = [(360, 740), (768, 1024), (1280, 800)]


def check(page, name):
    page.wait_for_load_state("networkidle")
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not violations, (name, violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    shots = os.environ.get("PORTAL_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{shots}/portal-{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 360, "height": 740})


@pytest.mark.django_db(transaction=True)
def test_a_patient_signs_in_from_the_email_and_answers_for_the_visits(
    browser, live_server, monkeypatch, settings, plan, front_desk
):
    # given now pinned, two coming visits of Pat's, and the front desk's email
    monkeypatch.setattr(timezone, "now", Clock(NOW))
    settings.SITE_URL = live_server.url
    settings.LATE_CANCEL_ALLOWED = False
    patient = plan.patient
    first = NOW + timedelta(days=2, hours=6)
    second = NOW + timedelta(days=5, hours=6)
    keep = AppointmentFactory(plan=plan, start=first, end=first + timedelta(minutes=45))
    drop = AppointmentFactory(plan=plan, start=second, end=second + timedelta(minutes=45))
    send_invite(patient=patient, by=front_desk)
    link = re.search(r"http\S+/p/\S+", mail.outbox[-1].body).group(0)

    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    try:
        # when Pat opens the link: the date of birth first
        page.goto(link)
        check(page, "sign-in")
        page.get_by_label("Your date of birth").fill(patient.date_of_birth.isoformat())
        page.get_by_role("button", name="Continue").click()
        # then the coming visits
        page.get_by_role("heading", name="Hello, Pat").wait_for()
        check(page, "visits")
        # Pat confirms the first
        page.get_by_role("button", name=re.compile("I will come")).first.click()
        page.get_by_text("your visit is confirmed").wait_for()
        check(page, "visits-confirmed")
        # and cancels the second, after the question
        page.get_by_role("link", name=re.compile("Cancel")).last.click()
        page.get_by_role("heading", name="Cancel your visit?").wait_for()
        check(page, "cancel")
        page.get_by_role("button", name="Yes, cancel it").click()
        page.get_by_text("Your visit is cancelled").wait_for()
        # then changes the reminders to text messages
        page.get_by_role("link", name="My details").click()
        check(page, "details")
        page.get_by_label("Text message").check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Your details are saved").wait_for()
        # and signs out
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="You are signed out").wait_for()
        check(page, "signed-out")
        # the link is spent
        page.goto(link)
        page.get_by_role("heading", name="This link no longer works").wait_for()
        check(page, "link-gone")
    finally:
        context.close()
    keep.refresh_from_db()
    assert keep.confirmed_at is not None
    assert Appointment.objects.get(pk=drop.pk).status == AppointmentStatus.CANCELLED
    patient.refresh_from_db()
    assert patient.reminder_channel == "sms"


def finger_stroke(page, box):
    """A finger drawing a zigzag across the pad (real touch events, through CDP)."""
    cdp = page.context.new_cdp_session(page)
    x0, y0 = box["x"] + 20, box["y"] + box["height"] / 2
    points = [(x0 + i * 12, y0 + (15 if i % 2 else -15)) for i in range(20)]
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for x, y in points:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.django_db(transaction=True)
def test_a_patient_answers_the_health_history_and_signs_the_consent_with_a_finger(
    browser, live_server, monkeypatch, settings, plan
):
    # given now pinned, the clinic's consent to treatment, and Pat's sign-in link
    from clinic.consents import publish_consent
    from clinic.models import ConsentSignature
    from portal.sign_in import issue_link
    from referrals.models import Precaution

    monkeypatch.setattr(timezone, "now", Clock(NOW))
    settings.SITE_URL = live_server.url
    patient = plan.patient
    publish_consent(kind="treatment", title="Consent to treatment", text="I agree.", by=None)
    link = issue_link(patient=patient, by=None)
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(link)
        page.get_by_label("Your date of birth").fill(patient.date_of_birth.isoformat())
        page.get_by_role("button", name="Continue").click()
        # when Pat answers the health history: no to all, but a fever today
        page.get_by_role("link", name="Health").click()
        check(page, "health-history")
        for group in page.get_by_role("group").all():
            group.get_by_label("No").check()
        page.get_by_role("group", name=re.compile("fever")).get_by_label("Yes").check()
        page.get_by_label(re.compile("These answers are true")).check()
        page.get_by_role("button", name="Sign and send").click()
        page.get_by_role("heading", name="Thank you").wait_for()
        check(page, "health-history-thanks")
        # and signs the consent with a finger
        page.get_by_role("link", name="Forms").click()
        check(page, "consents")
        page.get_by_role("link", name=re.compile("Read and sign")).click()
        pad = page.locator("[data-signature-pad]")
        pad.scroll_into_view_if_needed()
        finger_stroke(page, pad.bounding_box())
        check(page, "consent-sign")
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_text(re.compile("Signed ")).wait_for()
        check(page, "consents-signed")
    finally:
        context.close()
    # then the fever stops treatment, and the signature is a drawn PNG
    assert Precaution.objects.get(patient=patient).kind == "fever"
    signature = ConsentSignature.objects.get(patient=patient)
    assert signature.source == "drawn" and bytes(signature.image).startswith(b"\x89PNG")


@pytest.mark.django_db(transaction=True)
def test_a_patient_answers_an_ndi_and_ticks_off_a_stretch(
    browser, live_server, monkeypatch, settings, plan
):
    # given now pinned, an NDI goal on Pat's plan and a stretch in the programme
    from portal.sign_in import issue_link
    from referrals.models import PlanGoal
    from sessions_log.exercise_library import LIBRARY
    from sessions_log.home_programme import set_home_programme
    from sessions_log.models import Exercise, ExerciseDone, OutcomeMeasurement

    monkeypatch.setattr(timezone, "now", Clock(NOW))
    settings.SITE_URL = live_server.url
    code, name, region, text, hold, reps, times = LIBRARY[0]  # a transactional test flushed it
    stretch = Exercise.objects.create(
        code=code, name=name, region=region, instructions=text,
        hold_seconds=hold, repetitions=reps, times_per_day=times,
    )  # fmt: skip
    PlanGoal.objects.create(plan=plan, description="Neck", measure="ndi", baseline=20, target=10)
    set_home_programme(plan=plan, items=[{"exercise": str(stretch.pk)}], by=plan.therapist)
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(issue_link(patient=plan.patient, by=None))
        page.get_by_label("Your date of birth").fill(plan.patient.date_of_birth.isoformat())
        page.get_by_role("button", name="Continue").click()
        # when Pat answers the NDI: 2 in every section
        page.get_by_role("link", name="Questionnaires").click()
        check(page, "questionnaires")
        page.get_by_role("link", name=re.compile("Answer")).click()
        check(page, "ndi")
        for group in page.get_by_role("group").all():
            group.get_by_label("2", exact=True).check()
        page.get_by_role("button", name="Send my answers").click()
        page.get_by_text("Thank you").wait_for()
        # and ticks off a stretch
        page.get_by_role("link", name="Stretches").click()
        check(page, "stretches")
        page.get_by_role("button", name=re.compile("Done")).click()
        page.get_by_text(f"Well done: {name}.").wait_for()
    finally:
        context.close()
    # then the NDI is a measurement of the plan, scored 20, and the stretch counted
    measurement = OutcomeMeasurement.objects.get(plan=plan)
    assert (measurement.measure, measurement.score, measurement.source) == ("ndi", 20, "patient")
    assert ExerciseDone.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_patient_downloads_a_signed_progress_report_from_their_documents(
    browser, live_server, monkeypatch, settings, plan, therapist
):
    # given now pinned, a signed progress report of Pat's, and Pat's sign-in link
    from portal.sign_in import issue_link
    from sessions_log.models import ProgressReport

    monkeypatch.setattr(timezone, "now", Clock(NOW))
    settings.SITE_URL = live_server.url
    patient = plan.patient
    ProgressReport.objects.create(
        plan=plan, author=therapist, visits_covered=4, summary="Turns the head freely.",
        recommendation="continue", status="signed", signed_at=NOW,
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(issue_link(patient=patient, by=None))
        page.get_by_label("Your date of birth").fill(patient.date_of_birth.isoformat())
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("heading", name="Hello, Pat").wait_for()
        # when Pat opens Documents
        page.get_by_role("link", name="Documents").click()
        page.get_by_role("heading", name="Your documents").wait_for()
        check(page, "documents")
        # then the signed report downloads as a PDF
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("Download PDF")).click()
        assert download.value.suggested_filename.endswith(".pdf")
    finally:
        context.close()
