"""Celery tasks of scheduling: the reminder scan and the send.
Thin and idempotent, like every task (clinic.tasks.TASK_OPTIONS)."""

from celery import shared_task
from django.conf import settings

from clinic.tasks import TASK_OPTIONS

from . import reminders


@shared_task(time_limit=60, soft_time_limit=50, **TASK_OPTIONS)
def scan_reminders() -> int:
    """Claim the due reminders (beat, every minute) and hand each to a sender."""
    claims = reminders.claim_due()
    for claim in claims:
        send_reminder.delay(claim.reminder_id, claim.lease)
    if len(claims) >= settings.REMINDER_BATCH_SIZE:
        # A full batch means more are due (a morning after an outage): take the
        # next batch now instead of one batch a minute. Queued, never delayed.
        scan_reminders.delay()
    return len(claims)


@shared_task(time_limit=60, soft_time_limit=50, **TASK_OPTIONS)
def send_reminder(reminder_id: str, lease: str) -> str:
    return reminders.deliver(reminders.Claim(reminder_id, lease))
