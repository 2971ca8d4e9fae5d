"""Celery tasks of the sessions_log app: thin, taking ids and calling one service."""

from celery import shared_task

from referrals.tasks import MAIL_OPTIONS

from . import reports


@shared_task(time_limit=60, soft_time_limit=50, **MAIL_OPTIONS)
def email_progress_report(report_id: str) -> int:
    return reports.email_doctor(report_id)
