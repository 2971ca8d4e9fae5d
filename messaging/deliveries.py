"""What Twilio reports about a text we sent (the status callback): the
reminder keeps the last word, and a text that never arrived is marked failed
so the reminder list shows it.

A report can come while the batch that sent the text is still sending, before
its one write has recorded the message id (scheduling/reminder_delivery.py):
the callback URL names the reminder, so the report finds it all the same. A
text that never arrived then also takes the row out of the batch's claim
(claimed_until cleared), so the batch's write, conditional on its claim,
cannot record it sent after all."""

import contextlib
import uuid

from django.db.models import Q

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


def _reminder_for(message_id: str, reminder_id: str) -> Reminder | None:
    if not message_id:
        return None
    mine = Q(provider_id=message_id)
    with contextlib.suppress(ValueError):
        # not recorded yet: the reminder the callback URL names, without an id of its own
        mine |= Q(pk=uuid.UUID(reminder_id), provider_id="")
    return (
        Reminder.objects.select_related("appointment__patient")
        .filter(mine, channel=ReminderChannel.SMS)
        .first()
    )


def record_delivery(
    *, message_id: str, state: str, error_code: str = "", reminder_id: str = ""
) -> Reminder | None:
    """Apply one status callback to the reminder it is about (None: not ours)."""
    reminder = _reminder_for(message_id, reminder_id)
    if reminder is None or _rank(state) < 0 or _rank(state) <= _rank(reminder.delivery_status):
        return reminder
    fields = {"delivery_status": state, "provider_id": message_id}
    if state in NOT_DELIVERED:
        code = f" (error {error_code})" if error_code else ""
        fields |= {"status": ReminderStatus.FAILED, "last_error": f"Twilio: {state}{code}."}
        fields["claimed_until"] = None  # a batch still sending it must not record it sent
    Reminder.objects.filter(pk=reminder.pk).update(**fields)
    if error_code == UNSUBSCRIBED:
        # re-plans the patient's reminders: this row goes, the coming ones are skipped
        patient: Patient = reminder.appointment.patient
        set_text_consent(patients=[patient], consent=False, via="carrier opt-out")
    return reminder
