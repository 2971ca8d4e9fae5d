"""Celery tasks of the sessions_log app: thin, taking ids and calling one service."""

from celery import shared_task

from clinic.tasks import TASK_OPTIONS
from referrals.tasks import MAIL_OPTIONS

from . import notifications, reports


@shared_task(time_limit=60, soft_time_limit=50, **MAIL_OPTIONS)
def email_progress_report(report_id: str) -> int:
    return reports.email_doctor(report_id)


@shared_task(time_limit=300, soft_time_limit=280, **TASK_OPTIONS)
def send_daily_notifications() -> int:
    """The daily email to doctors and the front desk (beat, once a day)."""
    return notifications.send_daily()
