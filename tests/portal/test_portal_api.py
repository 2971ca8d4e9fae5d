"""The portal API for the signed-in patient (API.md, The patient's side): their
details and preferences, their coming visits, confirm and cancel within the
clinic's policy. Each read and change is audited on the patient."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import AuditEvent, Patient
from scheduling.models import AppointmentStatus, Reminder
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/portal/me/"
VISITS = "/api/v1/portal/appointments/"


def test_the_patient_reads_their_details_and_calendar_address(patient, patient_api):
    answer = patient_api(patient).get(ME)
    assert answer.status_code == 200
    body = answer.json()
    assert body["first_name"] == "Pat"
    assert body["email"] == patient.email
    assert body["reminder_channel"] == "email"
    assert body["calendar_url"].endswith(f"/calendar/patient/{patient.calendar_token}.ics")
    assert AuditEvent.objects.filter(action="portal.me_read", patient=patient, actor=None).exists()


def test_changing_the_channel_replans_the_reminders_and_is_audited(patient, patient_api, upcoming):
    # given Pat's visit with email reminders planned
    assert set(Reminder.objects.values_list("channel", flat=True)) <= {"email"}
    # when Pat switches to text messages
    answer = patient_api(patient).patch(
        ME, {"reminder_channel": "sms", "phone": "+15550100999"}, format="json"
    )
    # then the reminders not yet sent go by text, and the change is the patient's in the audit
    assert answer.status_code == 200, answer.json()
    patient.refresh_from_db()
    assert (patient.reminder_channel, patient.phone) == ("sms", "+15550100999")
    assert set(Reminder.objects.filter(appointment=upcoming).values_list("channel", flat=True)) == {
        "sms"
    }
    event = AuditEvent.objects.get(action="patient.update", patient=patient)
    assert event.actor is None and "by the patient" in event.detail


def test_a_patient_cannot_change_their_name_or_birth_date(patient, patient_api):
    born = patient.date_of_birth
    patient_api(patient).patch(
        ME, {"first_name": "Eve", "date_of_birth": "2000-01-01"}, format="json"
    )
    patient.refresh_from_db()
    assert (patient.first_name, patient.date_of_birth) == ("Pat", born)


def test_text_reminders_without_a_phone_are_a_400_naming_the_phone(patient, patient_api):
    answer = patient_api(patient).patch(ME, {"reminder_channel": "sms", "phone": ""}, format="json")
    assert answer.status_code == 400
    assert "phone" in answer.json()


def test_the_patient_lists_only_their_own_coming_visits(
    patient, patient_api, upcoming, clock, plan
):
    # given a past visit of Pat's, a cancelled one, and someone else's visit
    past = clock.now - timedelta(days=2)
    AppointmentFactory(plan=plan, start=past, end=past + timedelta(minutes=45))
    later = upcoming.start + timedelta(days=1)
    AppointmentFactory(
        plan=plan,
        start=later,
        end=later + timedelta(minutes=45),
        status=AppointmentStatus.CANCELLED,
    )
    AppointmentFactory(start=upcoming.start, end=upcoming.end)
    # when Pat lists the visits
    answer = patient_api(patient).get(VISITS)
    # then the one coming visit, with the therapist's name and the cancel deadline
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [v["id"] for v in results] == [str(upcoming.pk)]
    assert results[0]["therapist"] == "Theo Tran"
    assert results[0]["may_cancel"] is True
    assert AuditEvent.objects.filter(action="portal.visits_read", patient=patient).exists()


def test_the_patient_confirms_a_visit(patient, patient_api, upcoming):
    answer = patient_api(patient).post(f"{VISITS}{upcoming.pk}/confirm/")
    assert answer.status_code == 200
    upcoming.refresh_from_db()
    assert upcoming.confirmed_at is not None
    assert AuditEvent.objects.filter(
        action="appointment.confirmed", patient=patient, actor=None
    ).exists()


def test_the_patient_cancels_outside_the_late_cancel_window(patient, patient_api, upcoming):
    answer = patient_api(patient).post(f"{VISITS}{upcoming.pk}/cancel/")
    assert answer.status_code == 200
    upcoming.refresh_from_db()
    assert upcoming.status == AppointmentStatus.CANCELLED
    assert "by the patient" in upcoming.cancel_reason
    assert not Reminder.objects.filter(appointment=upcoming, status="pending").exists()


def test_a_late_cancel_is_a_409_and_changes_nothing(patient, patient_api, tomorrow, settings):
    settings.LATE_CANCEL_HOURS = 24
    settings.LATE_CANCEL_ALLOWED = False
    answer = patient_api(patient).post(f"{VISITS}{tomorrow.pk}/cancel/")
    assert answer.status_code == 409
    assert answer.json()["code"] == "invalid_transition"
    tomorrow.refresh_from_db()
    assert tomorrow.status == AppointmentStatus.BOOKED


def test_a_clinic_that_allows_late_cancels_lets_the_patient_cancel(
    patient, patient_api, tomorrow, settings
):
    settings.LATE_CANCEL_ALLOWED = True
    assert patient_api(patient).post(f"{VISITS}{tomorrow.pk}/cancel/").status_code == 200


def test_a_cancelled_visit_cannot_be_confirmed(patient, patient_api, upcoming):
    client = patient_api(patient)
    client.post(f"{VISITS}{upcoming.pk}/cancel/")
    assert client.post(f"{VISITS}{upcoming.pk}/confirm/").status_code == 409


def test_another_patients_visit_is_a_404(patient, patient_api, upcoming):
    # given someone else's visit
    other = AppointmentFactory(start=upcoming.start, end=upcoming.end)
    client = patient_api(patient)
    assert client.post(f"{VISITS}{other.pk}/cancel/").status_code == 404
    assert client.post(f"{VISITS}{other.pk}/confirm/").status_code == 404
    assert client.post(f"{VISITS}not-an-id/confirm/").status_code in (400, 404)
    other.refresh_from_db()
    assert (other.status, other.confirmed_at) == (AppointmentStatus.BOOKED, None)


def test_without_a_token_the_portal_is_a_401(api, clock):
    assert api.get(VISITS).status_code == 401
    assert api.get(ME).status_code == 401


def test_a_staff_member_is_refused_by_the_portal(api, front_desk, clock, client):
    assert api.as_(front_desk).get(VISITS).status_code in (401, 403)
    client.force_login(front_desk)
    assert client.get(VISITS).status_code == 403


def test_the_visit_list_costs_the_same_queries_for_1_and_5_visits(
    patient, patient_api, plan, clock
):
    client = patient_api(patient)
    made = []

    def visits(n):
        for _ in range(n):
            made.append(1)
            start = clock.now + timedelta(days=2 + len(made))
            AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visits(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(VISITS).json()["count"] == 1
    visits(4)
    with CaptureQueriesContext(connection) as five:
        assert client.get(VISITS).json()["count"] == 5
    assert len(five) == len(one)


def test_the_patient_downloads_their_whole_record_as_fhir(patient, patient_api, upcoming, referral):
    bundle = patient_api(patient).get("/api/v1/portal/record/").json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "ServiceRequest", "CarePlan", "Appointment"} <= kinds
    patients = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert [p["id"] for p in patients] == [str(patient.pk)]
    assert AuditEvent.objects.filter(action="portal.record_read", patient=patient).exists()


def test_a_patch_that_changes_nothing_keeps_the_patients_version(patient, patient_api):
    # given the front desk's copy of Pat's record at its version (its ETag)
    before = Patient.objects.get(pk=patient.pk).version
    # when Pat sends their details back as they are, and then an empty body
    client = patient_api(patient)
    assert client.patch(ME, {"email": patient.email}, format="json").status_code == 200
    assert client.patch(ME, {}, format="json").status_code == 200
    # then the version stands, so the front desk's If-Match still holds
    assert Patient.objects.get(pk=patient.pk).version == before


def test_a_new_address_from_the_patient_clears_the_bounce(patient, patient_api, clock):
    # given an address that bounced
    Patient.objects.filter(pk=patient.pk).update(
        email_bounced_at=timezone.now() - timedelta(days=1), email_bounce_reason="full"
    )
    # when Pat enters a new one in the portal
    answer = patient_api(patient).patch(ME, {"email": "pat.new@example.org"}, format="json")
    # then it is worth trying again
    assert answer.status_code == 200
    patient.refresh_from_db()
    assert (patient.email, patient.email_bounced_at) == ("pat.new@example.org", None)
