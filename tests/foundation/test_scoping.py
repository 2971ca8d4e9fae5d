"""One door to clinical rows: `visible_to(user)` answers exactly the contract's role table."""

from datetime import timedelta

import pytest

from clinic.models import Patient
from referrals.models import Referral, TreatmentPlan
from scheduling.models import Appointment
from sessions_log.models import SessionNote
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana_record(plan):
    """Dana's patient Pat: a referral, Theo's plan, a visit and a note."""
    note = SessionNoteFactory(appointment=AppointmentFactory(plan=plan, start=plan.created_at))
    return {"patient": plan.patient, "referral": plan.referral, "plan": plan, "note": note}


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_the_referring_doctor_sees_her_patients_clinical_records(doctor, dana_record):
    assert dana_record["referral"].pk in ids(Referral.objects.visible_to(doctor))
    assert dana_record["plan"].pk in ids(TreatmentPlan.objects.visible_to(doctor))
    assert dana_record["note"].pk in ids(SessionNote.objects.visible_to(doctor))


def test_a_second_doctor_finds_the_patient_but_none_of_her_clinical_records(
    other_doctor, dana_record
):
    assert dana_record["patient"].pk in ids(Patient.objects.visible_to(other_doctor))
    assert not Referral.objects.visible_to(other_doctor).exists()
    assert not TreatmentPlan.objects.visible_to(other_doctor).exists()
    assert not SessionNote.objects.visible_to(other_doctor).exists()
    assert not Appointment.objects.visible_to(other_doctor).exists()


def test_the_treating_therapist_sees_the_patient_and_own_notes(therapist, dana_record):
    assert dana_record["patient"].pk in ids(Patient.objects.visible_to(therapist))
    assert dana_record["note"].pk in ids(SessionNote.objects.visible_to(therapist))


def test_another_therapist_sees_nothing_of_a_patient_with_a_plan(other_therapist, dana_record):
    assert not Patient.objects.visible_to(other_therapist).exists()
    assert not SessionNote.objects.visible_to(other_therapist).exists()
    assert not Referral.objects.visible_to(other_therapist).exists()


def test_every_therapist_sees_a_signed_referral_in_the_intake_queue_but_not_its_patient(
    other_therapist,
):
    # the intake queue opens the waiting referral alone (API.md, Roles; issue 11)
    waiting = ReferralFactory()
    assert waiting.patient.pk not in ids(Patient.objects.visible_to(other_therapist))
    assert waiting.pk in ids(Referral.objects.visible_to(other_therapist))
    assert waiting.pk in ids(Referral.objects.intake_queue())


def test_a_therapist_never_sees_a_draft_referral(other_therapist):
    ReferralFactory(draft=True)
    assert not Referral.objects.visible_to(other_therapist).exists()


def test_the_treating_therapist_never_sees_a_draft_referral_of_his_patient(
    api, therapist, doctor, plan
):
    # given Theo treating Pat under Dana's signed referral, and Dana's new draft for Pat
    draft = ReferralFactory(patient=plan.patient, doctor=doctor, draft=True)
    client = api.as_(therapist)
    # when Theo lists Pat's referrals and asks for the draft
    listed = client.get(f"/api/v1/referrals/?patient={plan.patient.pk}").json()["results"]
    fetched = client.get(f"/api/v1/referrals/{draft.pk}/")
    # then he sees the signed one only, and the draft is "not found"
    assert [row["id"] for row in listed] == [str(plan.referral.pk)]
    assert fetched.status_code == 404
    assert draft.pk not in ids(Referral.objects.visible_to(therapist))


def test_the_front_desk_reads_no_session_note(front_desk, dana_record):
    assert not SessionNote.objects.visible_to(front_desk).exists()
    assert dana_record["patient"].pk in ids(Patient.objects.visible_to(front_desk))


def test_the_manager_reads_all(manager, dana_record):
    TreatmentPlanFactory(referral=ReferralFactory(patient=PatientFactory()))
    assert TreatmentPlan.objects.visible_to(manager).count() == 2
    assert SessionNote.objects.visible_to(manager).count() == 1


def test_visits_used_counts_booked_checked_in_and_completed_but_not_cancelled(plan):
    statuses = ("booked", "checked_in", "completed", "cancelled", "no_show")
    for hours, status in enumerate(statuses):
        AppointmentFactory(plan=plan, status=status, start=plan.created_at + timedelta(hours=hours))
    referral = Referral.objects.with_visits_used().get(pk=plan.referral.pk)
    assert referral.visits_used == 3 and referral.visits_remaining == 7
    assert TreatmentPlan.objects.with_visits_used().get(pk=plan.pk).visits_used == 3
