"""The therapist's tablet: today, the intake queue, the plan editor, and the
session note that never comes twice."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import PlanStatus, TreatmentPlan
from scheduling.models import AppointmentStatus
from sessions_log.models import SessionNote
from tests.factories import AppointmentFactory, ReferralFactory
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def note_post(token, **extra):
    data = {
        "form_token": token,
        "pain_before": "6",
        "pain_after": "3",
        "area_0": "1",
        "modalities_0": ["trigger_point"],
        "minutes_0": "25",
        "subjective": "Stiff in the morning.",
        "response": "improved",
    }
    data.update(extra)
    return data


def token_of(response) -> str:
    body = response.content.decode()
    return body.split('name="form_token" value="')[1].split('"')[0]


def test_today_lists_the_visits_with_the_precautions_badge(as_, therapist, visit):
    # when
    body = as_(therapist).get(reverse("today")).content.decode()
    # then
    assert "Pat Parker" in body and "Precautions" in body and "Write note" in body


def test_the_therapist_checks_a_patient_in_from_today(as_, therapist, plan):
    # given
    start = timezone.now() + timedelta(minutes=5)
    visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
    # when
    response = as_(therapist).post(
        reverse("appointment_check_in", args=[visit.pk]), {"next": reverse("today")}
    )
    # then
    visit.refresh_from_db()
    assert response["Location"] == reverse("today")
    assert visit.status == AppointmentStatus.CHECKED_IN


def test_the_note_form_preselects_the_plans_areas_and_shows_precautions_first(
    as_, therapist, visit
):
    # when
    body = as_(therapist).get(reverse("note_new", args=[visit.pk])).content.decode()
    # then
    assert body.index("Precautions:") < body.index("Pain before")
    assert 'name="area_0" value="1" checked' in body
    assert 'name="modalities_0" value="trigger_point" checked' in body
    assert body.count('name="pain_before"') == 11


def test_a_double_tap_on_save_makes_one_note(as_, therapist, visit):
    # given
    client = as_(therapist)
    token = token_of(client.get(reverse("note_new", args=[visit.pk])))
    # when: the same form posted twice
    first = client.post(reverse("note_new", args=[visit.pk]), note_post(token))
    second = client.post(reverse("note_new", args=[visit.pk]), note_post(token))
    # then
    note = SessionNote.objects.get()
    assert first["Location"] == reverse("note_detail", args=[note.pk])
    assert second["Location"] == reverse("note_detail", args=[note.pk])
    assert [(a.region, a.minutes) for a in note.areas.all()] == [("neck", 25)]


def test_save_and_sign_locks_the_note_and_an_addendum_follows(as_, therapist, visit):
    # given
    client = as_(therapist)
    token = token_of(client.get(reverse("note_new", args=[visit.pk])))
    # when
    client.post(reverse("note_new", args=[visit.pk]), note_post(token, sign="1"))
    note = SessionNote.objects.get()
    client.post(reverse("note_addendum", args=[note.pk]), {"text": "Bruise reported next day."})
    # then
    note.refresh_from_db()
    assert note.is_signed
    assert [a.text for a in note.addenda.all()] == ["Bruise reported next day."]
    assert (
        "Bruise reported next day."
        in client.get(reverse("note_detail", args=[note.pk])).content.decode()
    )


def test_a_note_without_pain_scores_shows_the_errors_by_the_buttons(as_, therapist, visit):
    # given
    client = as_(therapist)
    token = token_of(client.get(reverse("note_new", args=[visit.pk])))
    # when
    with nothing_written():
        response = client.post(
            reverse("note_new", args=[visit.pk]), note_post(token, pain_before="", response="")
        )
    # then
    body = response.content.decode()
    assert response.status_code == 400 and 'id="pain-before-error"' in body
    assert 'id="response-error"' in body and not SessionNote.objects.exists()


def test_a_draft_note_is_corrected_before_signing(as_, therapist, visit):
    # given
    client = as_(therapist)
    client.post(
        reverse("note_new", args=[visit.pk]),
        note_post(token_of(client.get(reverse("note_new", args=[visit.pk])))),
    )
    note = SessionNote.objects.get()
    # when
    page = client.get(reverse("note_detail", args=[note.pk]))
    client.post(reverse("note_detail", args=[note.pk]), note_post(token_of(page), pain_after="2"))
    # then
    note.refresh_from_db()
    assert note.pain_after == 2 and not note.is_signed


def test_the_intake_queue_leads_to_a_plan_that_is_proposed(as_, therapist, doctor, patient):
    # given: a signed referral without plan
    referral = ReferralFactory(patient=patient, doctor=doctor)
    client = as_(therapist)
    # when
    queue = client.get(reverse("intake_queue")).content.decode()
    response = client.post(
        reverse("plan_new", args=[referral.pk]),
        {
            "side_neck": "left",
            "modalities_neck": ["trigger_point", "myofascial_release"],
            "notes_neck": "Gentle.",
            "goal_description_0": "Pain at most 2",
            "goal_measure_0": "nprs",
            "goal_baseline_0": "7",
            "goal_target_0": "2",
            "frequency_per_week": "2",
            "planned_visits": "8",
            "start_date": timezone.localdate().isoformat(),
            "propose": "1",
        },
    )
    # then
    plan = TreatmentPlan.objects.get(referral=referral)
    assert reverse("plan_new", args=[referral.pk]) in queue
    assert response.status_code == 302 and plan.status == PlanStatus.PROPOSED
    assert [(a.region, a.side) for a in plan.areas.all()] == [("neck", "left")]


def test_the_plan_editor_refuses_an_area_outside_the_referral(as_, therapist, doctor, patient):
    # given
    referral = ReferralFactory(patient=patient, doctor=doctor)
    # when
    with nothing_written():
        response = as_(therapist).post(
            reverse("plan_new", args=[referral.pk]),
            {
                "side_neck": "midline",
                "frequency_per_week": "2",
                "planned_visits": "30",
                "start_date": timezone.localdate().isoformat(),
            },
        )
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "not among the referral&#x27;s target areas" in body
    assert "a plan cannot have 30" in body


def test_the_note_form_lists_the_patients_contraindications_above_the_note(
    as_, therapist, visit, referral
):
    # given
    from referrals.models import Precaution

    Precaution.objects.create(
        patient=visit.patient,
        referral=referral,
        kind="anticoagulants",
        source="referral",
        raised_by=referral.doctor,
    )
    # when
    body = as_(therapist).get(reverse("note_new", args=[visit.pk])).content.decode()
    # then
    assert body.index('id="precautions-h"') < body.index("Pain before")
    assert "Anticoagulants" in body or "anticoagulants" in body
