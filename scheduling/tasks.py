"""Celery tasks of scheduling: the reminder scan and the delivery of a batch.
Thin and idempotent, like every task (clinic.tasks.TASK_OPTIONS)."""

from celery import shared_task
from django.conf import settings

from clinic.tasks import TASK_OPTIONS

from . import reminder_delivery, reminders


@shared_task(time_limit=60, soft_time_limit=50, **TASK_OPTIONS)
def scan_reminders() -> int:
    """Claim the due reminders (beat, every minute) and hand the batch to one sender."""
    batch = reminders.claim_due()
    if batch:
        send_reminders.delay(list(batch.reminder_ids), batch.lease)
    if len(batch) >= settings.REMINDER_BATCH_SIZE:
        # A full batch means more are due (a morning after an outage): take the
        # next batch now instead of one batch a minute. Queued, never delayed.
        scan_reminders.delay()
    return len(batch)


# The batch stops sending after reminder_delivery.BATCH_SECONDS, inside the soft limit.
@shared_task(time_limit=90, soft_time_limit=75, **TASK_OPTIONS)
def send_reminders(reminder_ids: list[str], lease: str) -> int:
    results = reminder_delivery.deliver(reminders.Batch(tuple(reminder_ids), lease))
    if "later" in results.values():
        scan_reminders.delay()  # the batch ran out of time: the rest at once, not next minute
    return sum(result == "sent" for result in results.values())
