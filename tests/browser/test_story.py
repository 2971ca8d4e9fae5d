"""One story through every role, in a real browser: the doctor refers, the
therapist plans, the doctor sends the plan back then approves it, the front
desk books a series seeing a conflict first, the therapist logs and signs a
session on a tablet, and the doctor sees the point on the chart.

Every page on the way is checked with axe-core (no serious or critical
violation) and must not scroll sideways at 768 px."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from referrals.models import Modality, PlanStatus, Referral, ReferralStatus, TreatmentPlan
from scheduling.models import Appointment, AppointmentStatus
from scheduling.recurrence import clinic_zone, local_day_start
from sessions_log.models import SessionNote
from tests.factories import AppointmentFactory, PatientFactory

PASSWORD = "correct-horse-battery"
SHOTS = Path(os.environ.get("STORY_SHOTS", "screenshots"))
MODALITIES = {
    "muscle_testing": "Muscle testing",
    "trigger_point": "Trigger point therapy",
    "myofascial_release": "Myofascial release",
    "positional_release": "Positional release",
    "rehab_stretching": "Rehabilitative stretching",
    "neuromuscular": "Neuromuscular therapy",
}
axe = Axe()


class Checked:
    """Visits pages as one person, checking each page on arrival."""

    def __init__(self, browser, base_url, user, *, width=1280, height=800):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.size = (width, height)
        self.base_url = base_url
        self.checked = []
        self.page.goto(f"{base_url}/")
        self.check("sign-in")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")

    def go(self, path):
        self.page.goto(f"{self.base_url}{path}")

    def check(self, name):
        page = self.page
        page.wait_for_load_state("networkidle")
        violations = [
            (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in axe.run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not violations, (name, violations)
        page.set_viewport_size({"width": 768, "height": 1024})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 768, (name, scroll_width)
        if os.environ.get("STORY_SHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            # viewport only: after a full-page capture Chromium misplaces later clicks
            page.screenshot(path=str(SHOTS / f"{name}-768.png"))
        page.set_viewport_size({"width": self.size[0], "height": self.size[1]})
        self.checked.append(name)

    def close(self):
        self.context.close()


@pytest.fixture
def clinic(doctor, therapist, front_desk, other_therapist):
    # transactional tests flush the catalog the data migration seeded
    for code, name in MODALITIES.items():
        Modality.objects.get_or_create(code=code, defaults={"name": name})
    for user in (doctor, therapist, front_desk):
        user.set_password(PASSWORD)
        user.save()
    return PatientFactory(first_name="Pat", last_name="Parker")


def next_monday_at(hour):
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(hour)).replace(tzinfo=clinic_zone())


@pytest.mark.django_db(transaction=True)
def test_a_patient_goes_from_referral_to_a_point_on_the_chart(
    browser, live_server, clinic, doctor, therapist, front_desk
):
    patient = clinic
    url = live_server.url

    # --- the doctor writes and signs a referral ------------------------------------------
    dana = Checked(browser, url, doctor)
    page = dana.page
    dana.check("doctor-my-patients")
    page.click("text=Clinic directory")
    page.fill("#q", "Parker")
    page.get_by_role("link", name="Write referral for Pat Parker").click()
    dana.check("doctor-referral-form")
    page.fill("#diagnosis-search", "cervicalgia")
    page.locator("#diagnosis-results button", has_text="M54.2").click()
    page.wait_for_selector("#picked-diagnoses input[value='M54.2']", state="attached")
    page.click("rect[data-region='neck'][data-side='left'][role='button']")
    page.click("rect[data-region='neck'][data-side='right'][role='button']")
    assert page.input_value("#side_neck") == "bilateral"
    page.focus("rect[data-region='upper_back'][data-side='left'][role='button']")
    page.keyboard.press("Enter")  # the body map works from the keyboard too
    assert page.input_value("#side_upper_back") == "left"
    page.check("input[name='recommended_modalities'][value='trigger_point']")
    page.fill("#id_precautions", "On anticoagulants: light pressure only.")
    page.fill("#id_visits_prescribed", "8")
    page.fill("#id_frequency_per_week", "2")
    page.fill("#id_valid_until", (timezone.localdate() + timedelta(days=60)).isoformat())
    dana.check("doctor-referral-form-filled")
    page.click("button[name=sign]")
    page.wait_for_selector("text=Referral signed.")
    dana.check("doctor-referral-signed")
    referral = Referral.objects.get(patient=patient)
    assert referral.status == ReferralStatus.SIGNED
    assert {(a.region, a.side) for a in referral.target_areas.all()} == {
        ("neck", "bilateral"),
        ("upper_back", "left"),
    }

    # --- the therapist proposes a plan (on the tablet) ----------------------------------------
    theo = Checked(browser, url, therapist, width=768, height=1024)
    tablet = theo.page
    theo.check("therapist-today")
    tablet.click("text=Intake")
    theo.check("therapist-intake")
    tablet.get_by_role("link", name="Write plan for Pat Parker").click()
    tablet.click("rect[data-region='neck'][data-side='left'][role='button']")
    assert tablet.input_value("#side_neck") == "left"
    tablet.fill("#goal_description_0", "Pain at most 2 of 10")
    tablet.select_option("#goal_measure_0", "nprs")
    tablet.fill("#goal_baseline_0", "7")
    tablet.fill("#goal_target_0", "2")
    tablet.fill("#id_planned_visits", "8")
    theo.check("therapist-plan-form")
    tablet.click("button[name=propose]")
    tablet.wait_for_selector("text=Plan proposed.")
    plan = TreatmentPlan.objects.get(referral=referral)
    assert plan.status == PlanStatus.PROPOSED

    # --- the doctor sends it back, then approves the corrected plan ----------------------------
    page.click("text=Plans to review")
    dana.check("doctor-plans-to-review")
    page.get_by_role("link", name="Review the plan of Pat Parker").click()
    dana.check("doctor-plan-review")
    page.fill("#comment", "Add a range-of-motion goal.")
    page.click("text=Send back to")
    page.wait_for_selector("text=Plan sent back")
    tablet.goto(f"{url}/plans/{plan.pk}/")
    tablet.wait_for_selector("text=Add a range-of-motion goal.")
    theo.check("therapist-plan-sent-back")
    tablet.click("text=Edit")
    tablet.fill("#goal_description_1", "Turn the head to drive")
    tablet.select_option("#goal_measure_1", "rom")
    tablet.fill("#goal_baseline_1", "40")
    tablet.fill("#goal_target_1", "70")
    tablet.click("button[name=propose]")
    tablet.wait_for_selector("text=Plan proposed.")
    page.goto(f"{url}/plans/{plan.pk}/")
    page.click("text=Approve the plan")
    page.wait_for_selector("text=Plan approved")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.goals.count() == 2

    # --- the front desk books a series and sees a conflict first -------------------------------
    busy = next_monday_at(10)
    AppointmentFactory(plan=None, therapist=therapist, start=busy, end=busy + timedelta(hours=1))
    fran = Checked(browser, url, front_desk)
    desk = fran.page
    fran.check("front-desk-week")
    desk.click("text=Patients")
    desk.fill("#q", "Parker")
    desk.get_by_role("link", name="Parker, Pat").click()
    fran.check("front-desk-patient")
    assert "M54.2" not in desk.content() and "anticoagulants" not in desk.content()
    desk.get_by_role("link", name="Book visits for this plan").click()
    desk.fill("#id_first_day", busy.date().isoformat())
    desk.fill("#id_at", "10:00")
    desk.check("input[name=weekdays][value=MO]")
    desk.check("input[name=weekdays][value=TH]")
    desk.fill("#id_count", "4")
    desk.wait_for_selector("#series-preview >> text=1 conflict")
    fran.check("front-desk-series-conflict")
    desk.fill("#id_at", "11:30")
    desk.wait_for_selector("#series-preview >> text=4 visits, no conflict")
    desk.click("text=Book the series")
    desk.wait_for_selector("text=4 visits booked.")
    fran.check("front-desk-booked")
    assert Appointment.objects.filter(plan=plan, series__isnull=False).count() == 4

    # --- the therapist logs and signs a session on the tablet (768x1024) -----------------------
    # Booking refuses past times, so today's visit that has started is seeded.
    start = max(local_day_start(timezone.localdate()), timezone.now() - timedelta(minutes=20))
    visit = AppointmentFactory(
        plan=plan, start=start, end=start + timedelta(minutes=45), status=AppointmentStatus.BOOKED
    )
    tablet.goto(f"{url}/today/")
    theo.check("therapist-today-with-visit")
    tablet.get_by_role("link", name="Write note for Pat Parker").click()
    tablet.wait_for_selector("text=Precautions:")
    transferred = tablet.evaluate(
        """() => performance.getEntriesByType("navigation")
            .concat(performance.getEntriesByType("resource"))
            .reduce((total, entry) => total + (entry.transferSize || entry.encodedBodySize), 0)"""
    )
    assert 0 < transferred < 150 * 1024, f"the session-note page transferred {transferred} bytes"
    tablet.click("input[name=pain_before][value='6']")  # the big button
    tablet.fill("#id_subjective", "Neck stiff after the weekend.")
    # the draft is kept on the device after a short pause in typing
    tablet.wait_for_function(
        """() => Object.keys(localStorage).some(
            (key) => (localStorage.getItem(key) || "").includes("Neck stiff after the weekend."))"""
    )
    tablet.reload()
    assert tablet.is_checked("input[name=pain_before][value='6']"), "the draft survives a reload"
    assert tablet.input_value("#id_subjective") == "Neck stiff after the weekend."
    tablet.click("input[name=pain_after][value='3']")
    tablet.click("input[name=response][value=improved]")
    theo.check("therapist-note-form")
    tablet.locator("button[name=sign]").dblclick()  # a double tap
    tablet.wait_for_selector("text=Session note saved and signed.")
    theo.check("therapist-note-signed")
    note = SessionNote.objects.get(appointment=visit)
    assert note.is_signed and (note.pain_before, note.pain_after) == (6, 3)
    assert SessionNote.objects.count() == 1

    # --- the doctor sees the point on the chart -------------------------------------------------
    page.click("text=My patients")
    dana.check("doctor-my-patients-in-therapy")
    page.get_by_role("link", name="Progress of Pat Parker").click()
    dana.check("doctor-progress")
    assert page.locator("circle[data-point='before']").count() == 1
    assert page.locator("circle[data-point='after']").count() == 1
    if os.environ.get("STORY_SHOTS"):
        page.screenshot(path=str(SHOTS / "doctor-progress-1280.png"))

    for person in (dana, theo, fran):
        person.close()
