"""The restore drill: the clinic's records are backed up, the database moves
on, and restoring the backup brings back exactly what was backed up: every
table's row count, and every signed record's hash, still matching its content."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from referrals.models import Referral
from referrals.services import referral_is_intact, sign_referral
from sessions_log.models import SessionNote
from sessions_log.services import log_session, note_is_intact, sign_session_note
from tests.factories import AppointmentFactory, PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)


def row_counts() -> dict:
    return {model._meta.db_table: model.objects.count() for model in apps.get_models()}


def signed_hashes() -> dict:
    """Each signed record's stored hash and whether its content still matches."""
    signed = {"content_hash__gt": ""}
    referrals = Referral.objects.filter(**signed)
    notes = SessionNote.objects.filter(**signed)
    return {
        **{r.pk: (r.content_hash, referral_is_intact(r)) for r in referrals},
        **{n.pk: (n.content_hash, note_is_intact(n)) for n in notes},
    }
    return {**referrals, **notes}


@pytest.fixture
def signed_records(plan, doctor, therapist):
    """A referral and a session note, both signed through the services."""
    referral = sign_referral(referral=ReferralFactory(draft=True, doctor=doctor), by=doctor)
    visit = AppointmentFactory(plan=plan, start=timezone.now() - timedelta(hours=1))
    data = {"pain_before": 6, "pain_after": 3, "response": "improved"}
    note = sign_session_note(
        note=log_session(therapist=therapist, appointment=visit, data=data), by=therapist
    )
    return referral, note


def test_a_backup_restores_every_row_and_every_signed_hash(signed_records, tmp_path, capsys):
    # given a clinic with signed records, backed up
    before_counts, before_hashes = row_counts(), signed_hashes()
    assert len(before_hashes) == 2
    assert all(len(digest) == 64 and intact for digest, intact in before_hashes.values())
    call_command("backup", str(tmp_path / "clinic.backup"))
    # and a day's work after the backup
    for _ in range(3):
        AppointmentFactory(plan=None, patient=PatientFactory())
    assert row_counts() != before_counts
    # when the backup is restored
    call_command("restore", str(tmp_path / "clinic.backup"), "--noinput")
    # then the database is as it was: the same rows, the same signed hashes, still intact
    assert row_counts() == before_counts
    assert signed_hashes() == before_hashes
    assert "restored" in capsys.readouterr().out


def test_backup_names_a_file_of_its_own_when_given_none(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("backup")
    written = capsys.readouterr().out.strip()
    assert written.startswith(str(tmp_path / "backups" / "clinic-"))
    assert (tmp_path / "backups").iterdir()


def test_restoring_a_missing_file_changes_nothing(tmp_path, patient):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore", str(tmp_path / "nope.dump"), "--noinput")
    assert row_counts()["clinic_patient"] == 1
