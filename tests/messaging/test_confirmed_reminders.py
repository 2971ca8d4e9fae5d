"""Once the patient has confirmed a visit, its later reminders say so (the
default) or, with REMINDER_AFTER_CONFIRM=skip, are skipped."""

import pytest
from django.core import mail

from scheduling import reminders
from scheduling.models import ReminderStatus
from scheduling.visits import answer_reminder_link
from tests.factories import PatientFactory
from tests.messaging.conftest import deliver_due, visit_in

pytestmark = pytest.mark.django_db


def confirmed_visit(patient, hours=30):
    visit = visit_in(patient, hours=hours)
    answer_reminder_link(token=reminders.confirm_token(visit), answer="confirm")
    visit.refresh_from_db()
    return visit


def deliver_next(visit):
    reminder = visit.reminders.filter(status=ReminderStatus.PENDING).order_by("due_at").first()
    (result,) = deliver_due(reminder.due_at)
    return result


def test_by_default_a_later_email_reminder_says_the_visit_is_confirmed():
    visit = confirmed_visit(PatientFactory())
    assert deliver_next(visit) == "sent"
    (message,) = mail.outbox
    assert "You have confirmed this visit" in message.body
    assert "You have confirmed this visit" in message.alternatives[0][0]
    assert "Please confirm" not in message.body


def test_by_default_a_later_text_reminder_says_confirmed(texting_patient, capsys, clock):
    from datetime import timedelta

    visit = confirmed_visit(texting_patient, hours=30)
    # the 2h reminder, in the day
    clock.move_to(visit.start - timedelta(hours=2))
    assert deliver_next(visit) == "sent"
    assert "Confirmed, thank you. To cancel:" in capsys.readouterr().out


def test_an_unconfirmed_visits_reminder_still_asks_to_confirm():
    visit = visit_in(PatientFactory(), hours=3)
    assert deliver_next(visit) == "sent"
    assert "Please confirm" in mail.outbox[0].body


def test_with_skip_a_confirmed_visits_later_reminders_are_skipped_even_after_a_replan(
    settings, front_desk
):
    from clinic.patients import update_patient

    settings.REMINDER_AFTER_CONFIRM = "skip"
    patient = PatientFactory()
    visit = confirmed_visit(patient, hours=72)
    assert set(visit.reminders.values_list("status", "last_error")) == {
        (ReminderStatus.SKIPPED, reminders.CONFIRMED)
    }
    # when the patient's address changes (the reminders are planned again)
    update_patient(patient=patient, data={"email": "new@patients.example"}, by=front_desk)
    # then they stay skipped
    assert set(visit.reminders.values_list("status", flat=True)) == {ReminderStatus.SKIPPED}
