"""Billing's periodic work, thin: the scan that charges the fees of missed
visits (billing.charging), idempotent by a unique constraint."""

from celery import shared_task
from django.db import OperationalError

from . import charging


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=50,
    time_limit=60,
)
def charge_missed_visits() -> int:
    return charging.charge_missed_visits()
