"""Celery tasks: thin, idempotent, taking ids and calling one service.

Every task is `acks_late` with `reject_on_worker_lost` (also the app's
defaults), and none is queued with an eta or countdown: work that must wait
waits as a row in the database (a reminder's `due_at`), never in the broker,
where Redis would hand it out again after the visibility timeout."""

from celery import shared_task
from django.db import OperationalError

from . import idempotency

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    # a database that is briefly away: retried within a minute, then the next scan
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "max_retries": 3,
}


@shared_task(time_limit=120, soft_time_limit=100, **TASK_OPTIONS)
def purge_idempotency_keys() -> int:
    """Forget the Idempotency-Keys older than a day (API.md: they expire)."""
    return idempotency.purge_idempotency_keys()
