"""Two-way texts: a patient answers a reminder. C confirms and X cancels the
next visit (within the clinic's cancellation policy), STOP and START switch
texts off and on as carriers require, HELP answers the clinic's name and phone;
the answer is TwiML. A number we do not know learns nothing."""

import pytest

from clinic.models import AuditEvent
from scheduling import visits
from scheduling.models import AppointmentStatus, ReminderStatus
from tests.factories import PatientFactory
from tests.messaging.conftest import signed_post, visit_in

pytestmark = pytest.mark.django_db


def text(client, body, phone="+12125550134"):
    response = signed_post(client, "/webhooks/twilio/inbound/", {"From": phone, "Body": body})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    return response.content.decode()


def test_help_answers_the_clinics_name_and_phone_in_twiml(client, texting_patient, settings):
    answer = text(client, "help")
    assert answer.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert settings.CLINIC_NAME in answer
    assert settings.CLINIC_PHONE in answer


def test_stop_turns_texts_off_is_audited_and_skips_the_coming_reminders(client, texting_patient):
    # given a visit in three days with two reminders pending
    visit = visit_in(texting_patient, hours=72)
    # when the patient texts STOP
    answer = text(client, "  Stop ")
    # then
    texting_patient.refresh_from_db()
    assert texting_patient.text_consent is False
    assert "no more texts" in answer and "START" in answer
    assert set(visit.reminders.values_list("status", "last_error")) == {
        (ReminderStatus.SKIPPED, "The patient opted out of text messages (STOP).")
    }
    event = AuditEvent.objects.get(action="patient.text_consent")
    assert (event.patient, event.actor, event.detail) == (
        texting_patient, None, "off by the patient (text reply)",
    )  # fmt: skip


def test_start_turns_texts_on_again_and_replans_the_reminders(client, texting_patient):
    visit = visit_in(texting_patient, hours=72)
    text(client, "STOP")
    # when
    answer = text(client, "START")
    # then
    texting_patient.refresh_from_db()
    assert texting_patient.text_consent is True
    assert "on again" in answer
    assert set(visit.reminders.values_list("status", flat=True)) == {ReminderStatus.PENDING}
    assert AuditEvent.objects.filter(action="patient.text_consent").count() == 2


def test_a_repeated_stop_changes_nothing_more(client, texting_patient):
    text(client, "STOP")
    text(client, "STOP")
    assert AuditEvent.objects.filter(action="patient.text_consent").count() == 1


def test_cancel_is_a_carriers_opt_out_word_not_a_cancellation(client, texting_patient):
    visit = visit_in(texting_patient, hours=72)
    text(client, "CANCEL")
    visit.refresh_from_db()
    texting_patient.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED
    assert texting_patient.text_consent is False


def test_c_confirms_the_next_visit(client, texting_patient):
    later = visit_in(texting_patient, hours=96)
    sooner = visit_in(texting_patient, hours=30)
    # when
    answer = text(client, "c")
    # then the sooner visit is confirmed, audited as the patient's
    sooner.refresh_from_db()
    later.refresh_from_db()
    assert sooner.confirmed_at is not None and later.confirmed_at is None
    assert "is confirmed" in answer
    assert AuditEvent.objects.filter(
        action="appointment.confirmed", target_id=str(sooner.pk), actor=None
    ).exists()


def test_x_cancels_the_next_visit_outside_the_late_cancel_window(client, texting_patient):
    visit = visit_in(texting_patient, hours=48)
    answer = text(client, "X")
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED
    assert "is cancelled" in answer
    assert set(visit.reminders.values_list("status", flat=True)) == {ReminderStatus.SKIPPED}


def test_x_inside_the_late_cancel_window_is_refused_with_the_phone_to_call(
    client, texting_patient, settings
):
    visit = visit_in(texting_patient, hours=5)
    answer = text(client, "X")
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED
    assert "24 hours" in answer and settings.CLINIC_PHONE in answer


def test_x_inside_the_window_cancels_when_the_clinic_allows_late_cancelling(
    client, texting_patient, settings
):
    settings.LATE_CANCEL_ALLOWED = True
    visit = visit_in(texting_patient, hours=5)
    text(client, "X")
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED


def test_an_unknown_number_learns_nothing_and_changes_nothing(client, texting_patient):
    visit = visit_in(texting_patient, hours=48)
    # when a stranger texts C and X
    answers = {text(client, word, phone="+13105550177") for word in ("C", "X")}
    # then the same answer as a patient with no visit ahead, and nothing changed
    lonely = PatientFactory(phone="+13125550188")
    assert answers == {text(client, "C", phone=lonely.phone)}
    if hasattr(visits, "cancel_by_patient"):
        assert "no upcoming visit" in answers.pop()
    visit.refresh_from_db()
    assert (visit.status, visit.confirmed_at) == (AppointmentStatus.BOOKED, None)
    assert not AuditEvent.objects.exists()


def test_a_forged_stop_is_a_bare_403_and_changes_nothing(client, texting_patient):
    response = client.post(
        "/webhooks/twilio/inbound/",
        {"From": texting_patient.phone, "Body": "STOP"},
        HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl",
    )
    assert (response.status_code, response.content) == (403, b"")
    texting_patient.refresh_from_db()
    assert texting_patient.text_consent is True
    assert not AuditEvent.objects.exists()


def test_a_forged_confirm_changes_nothing(client, texting_patient):
    visit = visit_in(texting_patient, hours=48)
    response = client.post(
        "/webhooks/twilio/inbound/", {"From": texting_patient.phone, "Body": "C"}
    )
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.confirmed_at is None


def test_an_empty_or_unknown_text_gets_the_help_answer(client, texting_patient, settings):
    assert settings.CLINIC_PHONE in text(client, "")
    assert "Reply C to confirm" in text(client, "what time is it?")
