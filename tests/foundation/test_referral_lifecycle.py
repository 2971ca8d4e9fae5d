"""A referral: draft -> signed -> completed | cancelled; expired past valid_until.
A signed referral's clinical content never changes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from referrals import services
from referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def referral_data(**overrides):
    data = {
        "diagnoses": [{"code": "M62.830"}, {"code": "M54.50"}],
        "target_areas": [{"region": "lower_back", "side": "bilateral"}],
        "recommended_modalities": ["trigger_point"],
        "precautions": "Osteoporosis: light pressure.",
        "visits_prescribed": 10,
        "frequency_per_week": 2,
        "valid_until": timezone.localdate() + timedelta(days=30),
    }
    return data | overrides


def test_a_doctor_writes_a_draft_whose_diagnoses_carry_the_code_sets_description(doctor, patient):
    # when
    referral = services.create_referral(doctor=doctor, patient=patient, data=referral_data())
    # then
    assert referral.status == ReferralStatus.DRAFT
    assert [(d.code, d.description) for d in referral.diagnoses.all()] == [
        ("M62.830", "Muscle spasm of back"),
        ("M54.50", "Low back pain, unspecified"),
    ]


@pytest.mark.parametrize(
    "code",
    ["M62.83", "M54.5", "M54", "XYZ", ""],
    ids=["header", "deleted-code", "category", "garbage", "empty"],
)
def test_only_billable_icd10cm_codes_are_accepted(doctor, patient, code):
    with pytest.raises(Invalid) as error:
        services.create_referral(
            doctor=doctor,
            patient=patient,
            data=referral_data(diagnoses=[{"code": "M54.2"}, {"code": code}]),
        )
    # the error names the second item's code
    assert error.value.errors["diagnoses"][0] == {}
    assert "code" in error.value.errors["diagnoses"][1]


def test_every_bad_field_is_named_at_once(doctor, patient):
    with pytest.raises(Invalid) as error:
        services.create_referral(
            doctor=doctor,
            patient=patient,
            data=referral_data(
                visits_prescribed=61,
                frequency_per_week=0,
                valid_until=timezone.localdate(),
                target_areas=[{"region": "tail", "side": "left"}],
                recommended_modalities=["reiki"],
            ),
        )
    assert set(error.value.errors) == {
        "visits_prescribed",
        "frequency_per_week",
        "valid_until",
        "target_areas",
        "recommended_modalities",
    }


def test_signing_locks_the_referral_and_stores_a_hash_of_its_content(doctor, patient):
    draft = services.create_referral(doctor=doctor, patient=patient, data=referral_data())
    # when
    signed = services.sign_referral(referral=draft, by=doctor)
    # then
    assert signed.status == ReferralStatus.SIGNED and signed.signed_at is not None
    assert len(signed.content_hash) == 64 and services.referral_is_intact(signed)
    with pytest.raises(Locked):
        services.update_referral(referral=signed, by=doctor, data={"visits_prescribed": 20})
    with pytest.raises(InvalidTransition):
        services.sign_referral(referral=signed, by=doctor)


def test_a_change_behind_the_apps_back_is_detected_by_the_hash(doctor, patient):
    signed = services.sign_referral(
        referral=services.create_referral(doctor=doctor, patient=patient, data=referral_data()),
        by=doctor,
    )
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL's trigger refuses the write itself (tests/security)")
    # when someone edits the row with raw SQL
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral SET precautions = %s WHERE id = %s",
            ["none", signed.pk.hex if connection.vendor == "sqlite" else str(signed.pk)],
        )
    # then the stored hash no longer matches
    assert not services.referral_is_intact(Referral.objects.get(pk=signed.pk))


def test_only_the_referring_doctor_signs(doctor, other_doctor, patient):
    draft = services.create_referral(doctor=doctor, patient=patient, data=referral_data())
    with pytest.raises(NotAllowed):
        services.sign_referral(referral=draft, by=other_doctor)


def test_a_draft_is_edited_by_its_doctor(doctor, patient):
    draft = services.create_referral(doctor=doctor, patient=patient, data=referral_data())
    updated = services.update_referral(
        referral=draft, by=doctor, data={"visits_prescribed": 12, "diagnoses": [{"code": "M54.2"}]}
    )
    assert updated.visits_prescribed == 12 and updated.version == 2
    assert list(updated.diagnoses.values_list("code", flat=True)) == ["M54.2"]


def test_completing_ends_a_signed_referral_and_nothing_else(doctor, patient):
    draft = services.create_referral(doctor=doctor, patient=patient, data=referral_data())
    with pytest.raises(InvalidTransition):
        services.complete_referral(referral=draft, by=doctor)
    signed = services.sign_referral(referral=draft, by=doctor)
    completed = services.complete_referral(referral=signed, by=doctor)
    assert completed.status == ReferralStatus.COMPLETED


def test_a_signed_referral_past_its_date_reads_as_expired(referral):
    referral.valid_until = timezone.localdate() - timedelta(days=1)
    assert referral.effective_status == ReferralStatus.EXPIRED


def test_only_doctors_write_referrals(therapist, patient):
    with pytest.raises(NotAllowed):
        services.create_referral(doctor=therapist, patient=patient, data=referral_data())


def test_a_renewal_points_to_the_old_referral_and_counts_visits_afresh(doctor, referral):
    renewal = services.create_referral(
        doctor=doctor, patient=referral.patient, data=referral_data(), renewal_of=referral
    )
    assert renewal.renewal_of == referral and renewal.visits_used == 0
