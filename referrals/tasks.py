"""Celery tasks of the referrals app: thin, taking ids and calling one service
(the options of clinic/tasks.py, plus retries when the mail server is away)."""

from celery import shared_task
from django.db import OperationalError

from clinic.tasks import TASK_OPTIONS

from . import contraindications

# smtplib's errors are OSErrors: a mail server that is down is retried with backoff.
MAIL_OPTIONS = {**TASK_OPTIONS, "autoretry_for": (OperationalError, OSError), "max_retries": 5}


@shared_task(time_limit=60, soft_time_limit=50, **MAIL_OPTIONS)
def email_clearance_request(precaution_id: str) -> int:
    return contraindications.email_clearance_request(precaution_id)


@shared_task(time_limit=60, soft_time_limit=50, **MAIL_OPTIONS)
def email_signature_link(link_id: str) -> int:
    from .signature_links import email_link  # it queues these tasks: imported when run

    return email_link(link_id)


@shared_task(time_limit=60, soft_time_limit=50, **MAIL_OPTIONS)
def email_signature_reminder(link_id: str) -> int:
    from .signature_links import email_link

    return email_link(link_id, reminder=True)


@shared_task(time_limit=120, soft_time_limit=100, **TASK_OPTIONS)
def remind_waiting_physicians() -> int:
    from .signature_links import remind_waiting_physicians

    return remind_waiting_physicians()
