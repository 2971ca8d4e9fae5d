"""What a Content-Security-Policy without 'unsafe-inline' needs, CSRF on every
form, and the weight of the session-note page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import AppointmentFactory, ReferralFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.I | re.S)


@pytest.fixture
def every_page(doctor, therapist, front_desk, patient, referral, plan, note, visit):
    intake = ReferralFactory(doctor=doctor)
    booked = AppointmentFactory(plan=plan)
    return [
        (None, "/"),
        (doctor, reverse("my_patients")),
        (doctor, reverse("patient_directory")),
        (doctor, reverse("patient_detail", args=[patient.pk])),
        (doctor, reverse("referral_new", args=[patient.pk])),
        (doctor, reverse("referral_detail", args=[referral.pk])),
        (doctor, reverse("plan_detail", args=[plan.pk])),
        (doctor, reverse("plan_progress", args=[plan.pk])),
        (doctor, reverse("plans_to_review")),
        (therapist, reverse("today")),
        (therapist, reverse("intake_queue")),
        (therapist, reverse("plan_new", args=[intake.pk])),
        (therapist, reverse("my_plans")),
        (therapist, reverse("note_new", args=[visit.pk])),
        (therapist, reverse("note_detail", args=[note.pk])),
        (front_desk, reverse("calendar")),
        (front_desk, reverse("patient_new")),
        (front_desk, reverse("patient_edit", args=[patient.pk])),
        (front_desk, reverse("appointment_detail", args=[booked.pk])),
        (front_desk, reverse("series_new", args=[plan.pk])),
        (front_desk, reverse("reminder_list")),
    ]


def test_no_page_needs_unsafe_inline_and_every_post_form_carries_the_csrf_token(
    as_, client, every_page
):
    for user, url in every_page:
        # when
        body = (as_(user) if user else client).get(url).content.decode()
        # then
        assert not INLINE_SCRIPT.search(body), url
        assert not INLINE_HANDLER.search(body), url
        assert not STYLE_ATTRIBUTE.search(body), url
        for form in FORM.findall(body):
            if 'method="post"' in form:
                assert "csrfmiddlewaretoken" in form, (url, form[:120])


def test_the_session_note_page_weighs_under_150_kb_with_its_css_and_scripts(as_, therapist, visit):
    # given
    static = Path(settings.BASE_DIR) / "static"
    assets = ["css/app.css", "js/app.js", "vendor/htmx-2.0.11.min.js"]
    # when
    html = as_(therapist).get(reverse("note_new", args=[visit.pk])).content
    total = len(html) + sum((static / a).stat().st_size for a in assets)
    # then
    assert all(f"/static/{a}" in html.decode() for a in assets)
    assert total < 150 * 1024, total
