"""The database holds the clinic's invariants even when a write bypasses the services."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from clinic.models import AuditEvent
from scheduling.models import Appointment, AppointmentStatus
from tests.conftest import requires_postgres
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ReferralFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pain", [-1, 11])
def test_pain_outside_0_to_10_is_refused_by_the_database(pain):
    note = SessionNoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(note).objects.filter(pk=note.pk).update(pain_before=pain)


@pytest.mark.parametrize("visits", [0, 61])
def test_prescribed_visits_outside_1_to_60_are_refused(visits):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(visits_prescribed=visits)


@pytest.mark.parametrize("frequency", [0, 8])
def test_frequency_outside_1_to_7_is_refused(frequency):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(frequency_per_week=frequency)


def test_an_appointment_must_end_after_it_starts():
    visit = AppointmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=visit.pk).update(end=visit.start)


def test_an_appointment_has_at_most_one_session_note():
    note = SessionNoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNoteFactory(appointment=note.appointment)


def test_clinical_history_is_protected_from_deletion():
    from django.db.models import ProtectedError

    note = SessionNoteFactory()
    with pytest.raises(ProtectedError):
        note.appointment.delete()
    with pytest.raises(ProtectedError):
        note.patient.delete()


def test_a_plan_visit_count_outside_1_to_60_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlanFactory(planned_visits=0)


@requires_postgres
class TestExclusionConstraintOnPostgres:
    def test_an_overlapping_live_visit_of_the_same_therapist_is_refused(self):
        # given a booked visit 10:00-10:45
        visit = AppointmentFactory()
        other_patient = PatientFactory()
        # when another patient is written straight into 10:30 with the same therapist
        with pytest.raises(IntegrityError) as error, transaction.atomic():
            Appointment.objects.create(
                patient=other_patient,
                therapist=visit.therapist,
                start=visit.start + timedelta(minutes=30),
                end=visit.end + timedelta(minutes=30),
            )
        # then PostgreSQL's exclusion constraint refuses it
        assert error.value.__cause__.pgcode == "23P01"

    def test_an_overlapping_live_visit_of_the_same_patient_is_refused(self):
        visit = AppointmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.create(
                patient=visit.patient,
                therapist=UserFactory(role="therapist"),
                start=visit.start,
                end=visit.end,
            )

    def test_back_to_back_visits_do_not_clash(self):
        visit = AppointmentFactory()
        Appointment.objects.create(
            patient=PatientFactory(),
            therapist=visit.therapist,
            start=visit.end,
            end=visit.end + timedelta(minutes=45),
        )
        assert Appointment.objects.live().count() == 2

    def test_a_cancelled_visit_frees_its_slot(self):
        visit = AppointmentFactory(status=AppointmentStatus.CANCELLED)
        Appointment.objects.create(
            patient=PatientFactory(), therapist=visit.therapist, start=visit.start, end=visit.end
        )
        assert Appointment.objects.live().count() == 1

    def test_the_audit_trail_refuses_update_and_delete(self, doctor):
        event = AuditEvent.objects.create(
            actor=doctor, action="referral.read", target_type="referral", target_id="x"
        )
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM clinic_auditevent")
        assert AuditEvent.objects.get(pk=event.pk).action == "referral.read"

    def test_the_audit_trail_refuses_truncate(self, doctor):
        # given an audit event
        event = AuditEvent.objects.create(
            actor=doctor, action="referral.read", target_type="referral", target_id="x"
        )
        # when someone truncates the table (row triggers do not see TRUNCATE)
        with (
            pytest.raises(Exception, match="TRUNCATE is refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            # the insert's deferred foreign-key checks would block TRUNCATE first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE clinic_auditevent")
        # then the event is still there
        assert AuditEvent.objects.filter(pk=event.pk).exists()
