"""Signed records are immutable: the services lock them, a SHA-256 of the signed
content detects a change made behind the app's back, and on PostgreSQL a
trigger refuses the change outright."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from referrals import services as referral_services
from referrals.models import Referral
from sessions_log import services as note_services
from sessions_log.models import SessionNote
from tests.conftest import requires_postgres
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
REFUSED = (IntegrityError, InternalError)


@pytest.fixture
def signed_note(plan, therapist):
    start = timezone.now() - timedelta(hours=1)
    visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
    note = note_services.log_session(
        therapist=therapist,
        appointment=visit,
        data={"pain_before": 7, "pain_after": 4, "response": "improved",
              "areas": [{"region": "neck", "side": "left", "minutes": 30, "modalities": []}]},
    )  # fmt: skip
    return note_services.sign_session_note(note=note, by=therapist)


@pytest.fixture
def signed_referral(doctor, patient):
    draft = referral_services.create_referral(
        doctor=doctor,
        patient=patient,
        data={"diagnoses": [{"code": "M54.2"}],
              "target_areas": [{"region": "neck", "side": "bilateral"}],
              "visits_prescribed": 8, "frequency_per_week": 2,
              "valid_until": timezone.localdate() + timedelta(days=30)},
    )  # fmt: skip
    return referral_services.sign_referral(referral=draft, by=doctor)


def raw_update(table, column, value, pk):
    key = pk.hex if connection.vendor == "sqlite" else str(pk)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, key])


def test_tampering_with_a_signed_note_through_raw_sql_fails_the_hash_check(signed_note):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL's trigger refuses the write itself (tested below)")
    # when the row is changed behind the app's back
    raw_update("sessions_log_sessionnote", "pain_after", 0, signed_note.pk)
    # then the signature no longer matches
    assert not note_services.note_is_intact(SessionNote.objects.get(pk=signed_note.pk))


def test_an_untouched_signed_note_passes_the_hash_check(signed_note):
    assert note_services.note_is_intact(SessionNote.objects.get(pk=signed_note.pk))


@requires_postgres
class TestTriggersOnPostgres:
    def test_a_signed_notes_clinical_fields_cannot_be_updated(self, signed_note):
        with pytest.raises(REFUSED, match="locked"), transaction.atomic():
            raw_update("sessions_log_sessionnote", "pain_after", 0, signed_note.pk)
        assert SessionNote.objects.get(pk=signed_note.pk).pain_after == 4

    def test_a_signed_note_cannot_be_deleted(self, signed_note):
        with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM sessions_log_notearea")
            cursor.execute("DELETE FROM sessions_log_sessionnote")

    def test_a_draft_note_can_still_be_corrected(self, plan, therapist):
        start = timezone.now() - timedelta(hours=3)
        visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
        note = note_services.log_session(
            therapist=therapist, appointment=visit,
            data={"pain_before": 5, "pain_after": 5, "response": "unchanged"},
        )  # fmt: skip
        raw_update("sessions_log_sessionnote", "pain_after", 3, note.pk)
        assert SessionNote.objects.get(pk=note.pk).pain_after == 3

    def test_a_signed_referrals_clinical_fields_cannot_be_updated(self, signed_referral):
        with pytest.raises(REFUSED, match="locked"), transaction.atomic():
            raw_update("referrals_referral", "visits_prescribed", 60, signed_referral.pk)
        assert Referral.objects.get(pk=signed_referral.pk).visits_prescribed == 8

    def test_a_signed_referral_may_still_be_completed(self, signed_referral, doctor):
        done = referral_services.complete_referral(referral=signed_referral, by=doctor)
        assert done.status == "completed"

    def test_a_signed_referral_cannot_be_deleted(self, signed_referral):
        with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM referrals_referral WHERE id = %s", [str(signed_referral.pk)]
            )
