"""Session notes: one per visit that has started; logging completes the visit;
signed notes are locked and corrected only by addenda."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.errors import Conflict, Invalid, InvalidTransition, Locked, NotAllowed
from clinic.models import AuditEvent
from scheduling.models import AppointmentStatus
from sessions_log import services
from sessions_log.models import SessionNote
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def note_data(**overrides):
    data = {
        "pain_before": 6,
        "pain_after": 3,
        "areas": [
            {"region": "neck", "side": "left", "modalities": ["trigger_point"], "minutes": 25}
        ],
        "subjective": "Stiff neck.",
        "objective": "Taut band, left upper trapezius.",
        "assessment": "Improving.",
        "plan_text": "Continue.",
        "response": "improved",
        "adverse_reaction": "",
    }
    return data | overrides


@pytest.fixture
def started_visit(plan):
    start = timezone.now() - timedelta(minutes=30)
    return AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))


def test_logging_a_session_completes_the_visit(started_visit, therapist):
    note = services.log_session(therapist=therapist, appointment=started_visit, data=note_data())
    started_visit.refresh_from_db()
    assert started_visit.status == AppointmentStatus.COMPLETED
    assert note.plan == started_visit.plan and note.areas.get().minutes == 25
    assert AuditEvent.objects.filter(action="note.create", target_id=str(note.pk)).exists()


def test_a_second_note_for_the_same_visit_is_a_conflict(started_visit, therapist):
    services.log_session(therapist=therapist, appointment=started_visit, data=note_data())
    with pytest.raises(Conflict):
        services.log_session(therapist=therapist, appointment=started_visit, data=note_data())
    assert SessionNote.objects.count() == 1


def test_a_visit_that_has_not_started_cannot_be_logged(plan, therapist):
    tomorrow = AppointmentFactory(plan=plan)
    with pytest.raises(Invalid) as error:
        services.log_session(therapist=therapist, appointment=tomorrow, data=note_data())
    assert "appointment" in error.value.errors


def test_another_therapists_visit_cannot_be_logged(started_visit, other_therapist):
    with pytest.raises(Invalid):
        services.log_session(therapist=other_therapist, appointment=started_visit, data=note_data())


def test_pain_must_be_0_to_10_and_bad_items_are_named(started_visit, therapist):
    bad_areas = [{"region": "neck", "side": "left", "minutes": 0, "modalities": ["reiki"]}]
    with pytest.raises(Invalid) as error:
        services.log_session(
            therapist=therapist,
            appointment=started_visit,
            data=note_data(pain_before=11, pain_after=-1, areas=bad_areas, response="great"),
        )
    errors = error.value.errors
    assert {"pain_before", "pain_after", "response", "areas"} <= set(errors)
    assert set(errors["areas"][0]) == {"minutes", "modalities"}
    assert SessionNote.objects.count() == 0


def test_a_signed_note_is_locked_and_corrected_by_addenda(started_visit, therapist):
    note = services.log_session(therapist=therapist, appointment=started_visit, data=note_data())
    corrected = services.correct_session_note(note=note, by=therapist, data={"pain_after": 2})
    assert corrected.pain_after == 2
    signed = services.sign_session_note(note=corrected, by=therapist)
    assert signed.is_signed and services.note_is_intact(signed)
    with pytest.raises(Locked):
        services.correct_session_note(note=signed, by=therapist, data={"pain_after": 1})
    with pytest.raises(InvalidTransition):
        services.sign_session_note(note=signed, by=therapist)
    addendum = services.add_addendum(note=signed, by=therapist, text="Patient called: headache.")
    assert list(signed.addenda.all()) == [addendum]


def test_only_the_notes_therapist_signs_it(started_visit, therapist, other_therapist):
    note = services.log_session(therapist=therapist, appointment=started_visit, data=note_data())
    with pytest.raises(NotAllowed):
        services.sign_session_note(note=note, by=other_therapist)


def test_a_cancelled_visit_cannot_be_logged(started_visit, therapist):
    started_visit.status = AppointmentStatus.CANCELLED
    started_visit.save()
    with pytest.raises(Invalid):
        services.log_session(therapist=therapist, appointment=started_visit, data=note_data())


def test_a_measurement_outside_its_range_is_refused(plan, therapist):
    with pytest.raises(Invalid) as error:
        services.record_measurement(
            by=therapist, plan=plan, measure="ndi", score=51, taken_at=timezone.now()
        )
    assert "score" in error.value.errors
    ok = services.record_measurement(
        by=therapist, plan=plan, measure="ndi", score=24, taken_at=timezone.now()
    )
    assert ok.score == 24
