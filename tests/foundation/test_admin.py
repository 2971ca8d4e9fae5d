"""The manager's admin: every model listed and searchable; clinical history
read-only and each opened record audited; no one else gets in."""

import pytest
from django.contrib import admin
from django.urls import reverse

from clinic.admin import ClinicalRecordAdmin
from clinic.models import AuditEvent
from tests.factories import SessionNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_the_manager_lists_and_searches_every_model(manager_client, model):
    SessionNoteFactory()  # something to list
    assert manager_client.get(changelist(model)).status_code == 200
    assert manager_client.get(changelist(model), {"q": "pat"}).status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m, a in admin.site._registry.items() if isinstance(a, ClinicalRecordAdmin)],
    ids=lambda m: m.__name__,
)
def test_clinical_history_cannot_be_added_in_the_admin(manager_client, model):
    add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert manager_client.get(add).status_code == 403


def test_opening_a_session_note_in_the_admin_is_audited(manager_client, manager):
    note = SessionNoteFactory()
    url = reverse("admin:sessions_log_sessionnote_change", args=[note.pk])
    # when the manager opens the note
    response = manager_client.get(url)
    # then it is shown read-only and the read is recorded
    assert response.status_code == 200 and b'name="pain_before"' not in response.content
    assert AuditEvent.objects.filter(
        actor=manager, action="sessionnote.read", target_id=str(note.pk)
    ).exists()


def test_a_doctor_does_not_get_into_the_admin(client, doctor):
    client.force_login(doctor)
    assert client.get("/admin/").status_code == 302


def test_a_patient_cannot_be_edited_in_the_admin(manager_client, patient):
    # The patient service (clinic.patients.update_patient) is the one way to change a
    # patient: audit, version bump, reminders re-planned. The admin only reads.
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    response = manager_client.post(
        url, {"first_name": "Changed", "last_name": patient.last_name, "email": "x@example.com"}
    )
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.first_name != "Changed" and patient.version == 1
    assert not AuditEvent.objects.filter(action="patient.update").exists()
