"""No path makes a charge from an unsigned note: not the API, not the pages,
not the admin; and on PostgreSQL not even a write that skips the services."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from billing.models import Charge, NoteService
from tests.conftest import requires_postgres

from .conftest import started_visit
from .test_api import NECK_AND_BACK, V

pytestmark = pytest.mark.django_db


def test_writing_and_correcting_a_note_through_the_api_makes_no_charge(api, therapist, plan,
                                                                       coverage):  # fmt: skip
    client = api.as_(therapist)
    note = client.post(V + "session-notes/", {
        "appointment": str(started_visit(plan).pk), "pain_before": 6, "pain_after": 3,
        "response": "improved", "services": NECK_AND_BACK,
    }).json()  # fmt: skip
    client.patch(V + f"session-notes/{note['id']}/", {"pain_after": 2, "services": NECK_AND_BACK})
    assert not Charge.objects.exists()


def test_the_admin_adds_no_charge_and_changes_no_note(manager, draft_note):
    client = Client()
    client.force_login(manager)
    assert client.get("/admin/billing/charge/add/").status_code == 403
    assert client.post(f"/admin/sessions_log/sessionnote/{draft_note.pk}/change/",
                       {"signed_at": timezone.now()}).status_code == 403  # fmt: skip
    assert not Charge.objects.exists()


def test_the_api_has_no_way_to_post_a_charge(api, biller, manager, draft_note):
    for user in (biller, manager):
        answer = api.as_(user).post(V + "charges/", {"note": str(draft_note.pk)})
        assert answer.status_code in (403, 405)
    assert not Charge.objects.exists()


@requires_postgres
def test_the_database_refuses_a_charge_of_an_unsigned_note(draft_note, coverage):
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.create(
            note=draft_note, patient=draft_note.patient, payer=coverage.payer,
            service_date=timezone.localdate(),
        )  # fmt: skip


@requires_postgres
def test_the_database_freezes_a_signed_notes_services(draft_note):
    NoteService.objects.create(note=draft_note, service_code_id="97140", minutes=20,
                               region="neck", side="left")  # fmt: skip
    draft_note.signed_at = timezone.now()
    draft_note.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteService.objects.filter(note=draft_note).update(minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteService.objects.create(note=draft_note, service_code_id="97110", minutes=20,
                                   region="neck", side="left")  # fmt: skip
