"""A patient who switches to text messages gets the coming reminders by text."""

import pytest

from clinic.patients import update_patient
from scheduling.booking import book_appointment
from scheduling.models import Reminder
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_a_change_of_channel_replans_the_reminders_not_yet_sent(plan, front_desk):
    # given a visit booked with email reminders
    template = AppointmentFactory.build(plan=plan)
    visit = book_appointment(
        patient=plan.patient, therapist=plan.therapist, plan=plan,
        start=template.start, end=template.end, by=front_desk,
    )  # fmt: skip
    assert set(Reminder.objects.filter(appointment=visit).values_list("channel", flat=True)) == {
        "email"
    }
    # when the front desk switches the patient to text messages
    update_patient(patient=plan.patient, data={"reminder_channel": "sms"}, by=front_desk)
    # then the coming reminders go by text
    channels = set(Reminder.objects.filter(appointment=visit).values_list("channel", flat=True))
    assert channels == {"sms"}


def test_withdrawn_consent_leaves_no_pending_reminder(plan, front_desk):
    template = AppointmentFactory.build(plan=plan)
    visit = book_appointment(
        patient=plan.patient, therapist=plan.therapist, plan=plan,
        start=template.start, end=template.end, by=front_desk,
    )  # fmt: skip
    update_patient(patient=plan.patient, data={"reminder_consent": False}, by=front_desk)
    assert not Reminder.objects.filter(appointment=visit, status="pending").exists()
