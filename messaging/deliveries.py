"""What Twilio reports about a text we sent (the status callback): the
reminder keeps the last word, and a text that never arrived is marked failed
so the reminder list shows it."""

from clinic.models import Patient, ReminderChannel
from scheduling.models import Reminder, ReminderStatus

from .contacts import set_text_consent

# Twilio's message states, in the order they happen; a callback may arrive late
# (sent after delivered), and an earlier state never overwrites a later one.
ORDER = ["accepted", "scheduled", "queued", "sending", "sent", "delivered", "read"]
NOT_DELIVERED = {"undelivered", "failed", "canceled"}
UNSUBSCRIBED = "21610"  # Twilio: the number texted STOP to us, at the carrier


def _rank(state: str) -> int:
    return len(ORDER) if state in NOT_DELIVERED else ORDER.index(state) if state in ORDER else -1


def record_delivery(*, message_id: str, state: str, error_code: str = "") -> Reminder | None:
    """Apply one status callback to the reminder it is about (None: not ours)."""
    reminder = (
        Reminder.objects.select_related("appointment__patient")
        .filter(provider_id=message_id, channel=ReminderChannel.SMS)
        .first()
        if message_id
        else None
    )
    if reminder is None or _rank(state) < 0 or _rank(state) <= _rank(reminder.delivery_status):
        return reminder
    fields = {"delivery_status": state}
    if state in NOT_DELIVERED:
        code = f" (error {error_code})" if error_code else ""
        fields |= {"status": ReminderStatus.FAILED, "last_error": f"Twilio: {state}{code}."}
    Reminder.objects.filter(pk=reminder.pk).update(**fields)
    if error_code == UNSUBSCRIBED:
        # re-plans the patient's reminders: this row goes, the coming ones are skipped
        patient: Patient = reminder.appointment.patient
        set_text_consent(patients=[patient], consent=False, via="carrier opt-out")
    return reminder
