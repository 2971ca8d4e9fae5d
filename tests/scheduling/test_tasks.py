"""The Celery side: the schedule in one place on UTC intervals, tasks that
survive a lost worker, and nothing parked in the broker for long."""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from scheduling import tasks
from sessions_log import tasks as supervision_tasks


def test_the_reminder_scan_runs_every_minute_on_a_utc_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["scan-reminders"]
    assert entry["task"] == "scheduling.tasks.scan_reminders"
    assert entry["schedule"] == timedelta(minutes=1)
    assert settings.CELERY_TIMEZONE == "UTC"


def test_every_task_is_acked_late_and_requeued_when_its_worker_is_lost():
    for task in (
        tasks.scan_reminders,
        tasks.send_reminders,
        supervision_tasks.send_daily_notifications,
    ):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.retry_backoff_max <= 300  # an automatic retry never waits long in Redis


def test_no_task_is_queued_with_an_eta_or_a_long_countdown():
    # Redis hands a task waiting longer than its visibility timeout to a second
    # worker: the classic cause of duplicate reminders. Waiting happens in rows.
    apps = ("clinic", "referrals", "scheduling", "sessions_log")
    source = "".join(
        p.read_text() for app in apps for p in Path(settings.BASE_DIR, app).glob("*.py")
    )
    assert not re.search(r"\beta\s*=", source)
    for seconds in re.findall(r"countdown\s*=\s*(\d+)", source):
        assert int(seconds) <= 300
