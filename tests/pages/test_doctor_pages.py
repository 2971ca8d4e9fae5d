"""The doctor's desk: the referral form (diagnosis search, body map), plan
review, progress with its chart, renew and end therapy."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import PlanStatus, Referral, ReferralStatus
from tests.factories import SessionNoteFactory, TreatmentPlanFactory
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def referral_post(**extra):
    data = {
        "diagnoses": ["M54.2"],
        "side_neck": "bilateral",
        "side_upper_back": "left",
        "recommended_modalities": ["trigger_point"],
        "precautions": "No deep pressure on the left shoulder.",
        "visits_prescribed": "8",
        "frequency_per_week": "2",
        "valid_until": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }
    data.update(extra)
    return data


def test_the_diagnosis_search_finds_billable_codes_by_words_and_by_code(as_, doctor):
    # given
    client = as_(doctor)
    # when
    by_words = client.get(reverse("icd10_search"), {"q": "cervicalgia"}).content.decode()
    by_code = client.get(reverse("icd10_search"), {"q": "m54.5"}).content.decode()
    # then
    assert "M54.2" in by_words
    assert "M54.50" in by_code and "M54.5<" not in by_code


def test_picking_a_diagnosis_adds_its_hidden_input(as_, doctor):
    # when
    body = as_(doctor).get(reverse("icd10_pick"), {"code": "m54.2"}).content.decode()
    # then
    assert 'name="diagnoses" value="M54.2"' in body and "Cervicalgia" in body


def test_a_doctor_saves_a_draft_then_signs_it(as_, doctor, patient):
    # given
    client = as_(doctor)
    # when
    saved = client.post(reverse("referral_new", args=[patient.pk]), referral_post(save="1"))
    referral = Referral.objects.get(patient=patient)
    signed = client.post(reverse("referral_sign", args=[referral.pk]))
    # then
    assert saved.status_code == 302 and signed.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SIGNED
    assert [d.code for d in referral.diagnoses.all()] == ["M54.2"]
    assert sorted((a.region, a.side) for a in referral.target_areas.all()) == [
        ("neck", "bilateral"),
        ("upper_back", "left"),
    ]


def test_a_referral_without_diagnosis_or_area_shows_each_error_by_its_field(as_, doctor, patient):
    # when
    with nothing_written():
        response = as_(doctor).post(
            reverse("referral_new", args=[patient.pk]),
            referral_post(diagnoses=[], side_neck="", side_upper_back="", visits_prescribed="99"),
        )
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "At least one diagnosis is required." in body
    assert "At least one target area is required." in body
    assert "Ensure this value is less than or equal to 60." in body
    assert not Referral.objects.exists()


def test_a_header_code_is_refused_next_to_the_diagnoses(as_, doctor, patient):
    # when
    with nothing_written():
        response = as_(doctor).post(
            reverse("referral_new", args=[patient.pk]), referral_post(diagnoses=["M62.83"])
        )
    # then
    assert response.status_code == 400
    assert "is not a billable ICD-10-CM code" in response.content.decode()


def test_the_doctor_sends_a_proposed_plan_back_with_a_comment_then_approves_it(
    as_, doctor, referral, therapist
):
    # given
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, status=PlanStatus.PROPOSED)
    client = as_(doctor)
    # when
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    with nothing_written():
        empty = client.post(reverse("plan_send_back", args=[plan.pk]), {"comment": " "})
    client.post(reverse("plan_send_back", args=[plan.pk]), {"comment": "Add a goal."})
    plan.refresh_from_db()
    # then
    assert "Approve the plan" in page and "Send back" in page
    assert empty.status_code == 400 and "Say what should change." in empty.content.decode()
    assert plan.status == PlanStatus.DRAFT and plan.doctor_comment == "Add a goal."
    # and when the therapist proposes it again, the doctor approves
    plan.status = PlanStatus.PROPOSED
    plan.save()
    client.post(reverse("plan_approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_progress_draws_a_point_per_session_before_and_after(as_, doctor, plan):
    # given
    for pain in (7, 5, 3):
        SessionNoteFactory(appointment__plan=plan, pain_before=pain, pain_after=pain - 2)
    # when
    body = as_(doctor).get(reverse("plan_progress", args=[plan.pk])).content.decode()
    # then
    assert body.count('data-point="before"') == 3 and body.count('data-point="after"') == 3
    assert "<polyline" in body and "<script" not in body.split("</head>")[1]


def test_renewing_prefills_the_new_referral_from_the_old_one(as_, doctor, patient, referral):
    # when
    body = (
        as_(doctor)
        .get(reverse("referral_new", args=[patient.pk]), {"renewal_of": referral.pk})
        .content.decode()
    )
    # then
    assert 'value="M54.2"' in body and f'name="renewal_of" value="{referral.pk}"' in body


def test_a_renewal_points_to_the_referral_it_renews(as_, doctor, patient, referral):
    # when
    as_(doctor).post(
        reverse("referral_new", args=[patient.pk]), referral_post(renewal_of=referral.pk, sign="1")
    )
    # then
    renewal = Referral.objects.exclude(pk=referral.pk).get()
    assert renewal.renewal_of == referral and renewal.status == ReferralStatus.SIGNED


def test_ending_therapy_completes_the_plan_and_the_referral(as_, doctor, plan):
    # when
    response = as_(doctor).post(reverse("end_therapy", args=[plan.pk]), {"summary": "Goals met."})
    # then
    plan.refresh_from_db()
    plan.referral.refresh_from_db()
    assert response.status_code == 302
    assert plan.status == PlanStatus.COMPLETED and plan.referral.status == ReferralStatus.COMPLETED


def test_my_patients_shows_the_flag_of_a_patient_not_improving(as_, doctor, plan):
    # given: four sessions with the pain where it was
    for _ in range(4):
        SessionNoteFactory(appointment__plan=plan, pain_before=6, pain_after=6)
    # when
    body = as_(doctor).get(reverse("my_patients")).content.decode()
    # then
    assert "Parker, Pat" in body and "Not improving" in body


def test_progress_draws_each_outcome_measure_over_time_and_goals_against_targets(
    as_, doctor, therapist, plan
):
    # given
    from referrals.models import PlanGoal
    from sessions_log.models import OutcomeMeasurement

    PlanGoal.objects.create(
        plan=plan, description="Neck function", measure="ndi", baseline=30, target=15
    )
    for days, score in ((20, 30), (10, 22), (1, 14)):
        OutcomeMeasurement.objects.create(
            plan=plan,
            measure="ndi",
            score=score,
            taken_at=timezone.now() - timedelta(days=days),
            recorded_by=therapist,
        )
    # when
    body = as_(doctor).get(reverse("plan_progress", args=[plan.pk])).content.decode()
    # then
    assert "Neck Disability Index (0-50)" in body
    assert body.count('data-point="measure"') == 3
    assert "baseline 30, target 15, latest 14" in body and ">Met<" in body
