"""API.md, Audit: every read of a referral, plan, note, progress and the FHIR
export leaves an event; the manager reads the trail, nobody changes it."""

import pytest

from clinic.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path, key, action",
    [
        ("referrals/{}/", "referral", "referral.read"),
        ("treatment-plans/{}/", "plan", "plan.read"),
        ("session-notes/{}/", "note", "note.read"),
        ("treatment-plans/{}/progress/", "plan", "plan.progress_read"),
        ("patients/{}/fhir/", "patient", "patient.fhir_export"),
    ],
)
def test_reading_a_clinical_record_leaves_one_audit_event(api, world, doctor, path, key, action):
    # when Dana reads the record
    response = api.as_(doctor).get("/api/v1/" + path.format(world[key].pk))

    # then one event names her, the record and the patient
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(action=action)
    assert event.actor == doctor
    assert event.target_id == str(world[key].pk)
    assert event.patient_id == world["patient"].pk
    assert event.ip == "127.0.0.1"


@pytest.mark.parametrize(
    "path, action",
    [
        ("referrals/", "referral.read"),
        ("treatment-plans/", "plan.read"),
        ("session-notes/", "note.read"),
    ],
)
def test_reading_a_list_leaves_one_event_per_row(api, world, manager, path, action):
    rows = api.as_(manager).get("/api/v1/" + path).json()["results"]
    events = AuditEvent.objects.filter(action=action, actor=manager)
    assert sorted(e.target_id for e in events) == sorted(r["id"] for r in rows)


def test_a_refused_read_leaves_no_event(api, world, other_doctor):
    api.as_(other_doctor).get(f"/api/v1/referrals/{world['referral'].pk}/")
    assert not AuditEvent.objects.filter(action="referral.read").exists()


def test_the_manager_filters_the_trail_by_patient_actor_and_action(api, world, manager, doctor):
    # given reads by Dana of Pat's referral and of Quinn's
    api.as_(doctor).get(f"/api/v1/referrals/{world['referral'].pk}/")
    api.as_(doctor).get(f"/api/v1/referrals/{world['intake_referral'].pk}/")

    # when the manager asks for Dana's reads of Pat's records
    response = api.as_(manager).get(
        "/api/v1/audit-events/",
        {"patient": str(world["patient"].pk), "actor": str(doctor.pk), "action": "referral.read"},
    )

    # then exactly that one event, in the contract's shape
    [event] = response.json()["results"]
    assert set(event) == {
        "id",
        "actor",
        "action",
        "target_type",
        "target_id",
        "patient",
        "at",
        "ip",
    }
    assert event["target_id"] == str(world["referral"].pk)
    assert event["target_type"] == "referral"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_events_cannot_be_changed_through_the_api(api, world, manager, method):
    event = AuditEvent.objects.first()
    list_response = getattr(api.as_(manager), method)("/api/v1/audit-events/", {}, format="json")
    detail_response = getattr(api.as_(manager), method)(
        f"/api/v1/audit-events/{event.pk}/", {}, format="json"
    )
    assert list_response.status_code == 405 and detail_response.status_code == 405
    assert AuditEvent.objects.filter(pk=event.pk).exists()
