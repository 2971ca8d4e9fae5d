"""A real `celery -A clinic worker` on the machine's Redis and the PostgreSQL
test database: every due reminder is emailed exactly once; a worker killed
with SIGKILL in the middle of a batch (before the batch's one write of its
outcomes) loses nothing and, once restarted, sends nothing twice but at most
the one that was in flight: the journal in Redis says what had gone out.

The worker and the beats are other processes and read the machine's clock, so
this test runs on it too (`real_clock`), and its times are relative to it: the
visits start 90 minutes from now, whatever hour that is."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from clinic.celery import app
from scheduling import reminders
from scheduling.models import Reminder, ReminderStatus
from scheduling.tasks import scan_reminders
from tests.conftest import requires_postgres, requires_redis
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = [
    requires_postgres,
    requires_redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_clock,
]

LEASE_SECONDS = 3
# A queue of this test's own: a developer's worker on the same Redis takes nothing of it.
QUEUE = f"scheduling-test-{uuid.uuid4().hex[:12]}"
REMINDER_HEADER = re.compile(r"^X-Clinic-Reminder: (\S+)$", re.MULTILINE)


def test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


test_database_url.__test__ = False  # a helper, not a test


class CeleryProcess:
    """`celery -A clinic worker` (or `beat`) against the test database and Redis."""

    def __init__(self, command: list[str], mail_dir: Path, log_path: Path, ready: str):
        self.command = command
        self.ready = ready
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "PYTHONPATH": str(settings.BASE_DIR),
            "EMAIL_BACKEND": "tests.scheduling.slow_mail.SlowFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SLOW_MAIL_SECONDS": "0.3",
            "REMINDER_CLAIM_SECONDS": str(LEASE_SECONDS),
            "REMINDER_SCAN_SECONDS": "1",
            "REMINDER_OFFSETS": "24h,2h",
            "TIME_ZONE": settings.TIME_ZONE,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_QUEUE": QUEUE,
        }
        self.log_path = log_path
        self.process = None

    def launch(self):
        celery = Path(sys.executable).with_name("celery")
        self.log_path.write_text("")
        self.process = subprocess.Popen(
            [str(celery), "-A", "clinic", *self.command, "--loglevel=info"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self):
        # generous: a loaded 2-core machine took over 30 s to boot a worker
        wait_for(lambda: self.ready in self.log_path.read_text(), timeout=120, what=self.ready)

    def start(self):
        self.launch().wait_ready()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def worker(tmp_path: Path) -> CeleryProcess:
    command = ["worker", "--pool=solo", "--without-gossip", "--without-mingle"]
    return CeleryProcess(command, tmp_path / "mail", tmp_path / "worker.log", ready="ready.")


def beat(tmp_path: Path, name: str) -> CeleryProcess:
    command = ["beat", "--schedule", str(tmp_path / f"{name}-schedule")]
    return CeleryProcess(command, tmp_path / "mail", tmp_path / f"{name}.log", ready="Starting")


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def due_reminders(count: int) -> list[str]:
    """`count` visits in 90 minutes, each with its 2h reminder due now."""
    ids = []
    start = timezone.now() + timedelta(minutes=90)
    for _ in range(count):
        visit = AppointmentFactory(plan=None, patient=PatientFactory(), start=start)
        ids += [str(r.pk) for r in reminders.create_for([visit])]
    return ids


def emails_per_reminder(mail_dir: Path) -> Counter:
    found = Counter()
    for path in mail_dir.glob("*"):
        found.update(REMINDER_HEADER.findall(path.read_text(errors="replace")))
    return found


def sent_count(ids) -> int:
    return Reminder.objects.filter(pk__in=ids, status=ReminderStatus.SENT).count()


def scan():
    """The beat's call, through the broker."""
    scan_reminders.apply_async(queue=QUEUE)


@pytest.fixture
def broker():
    """The real Redis broker; the test's queue is removed afterwards."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield client
    app.conf.task_always_eager = eager
    # The killed worker's unacknowledged message would otherwise come back to
    # this queue after the visibility timeout, with nobody to take it.
    for tag, raw in client.hgetall("unacked").items():
        if QUEUE.encode() in raw:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")


def test_a_real_worker_sends_each_reminder_once_and_survives_sigkill(broker, tmp_path):
    (tmp_path / "mail").mkdir()
    the_worker = worker(tmp_path)
    beats = [beat(tmp_path, "beat-1"), beat(tmp_path, "beat-2")]
    try:
        # given a running worker and 6 visits whose reminders are due
        the_worker.start()
        first = due_reminders(6)
        # when the scan is called through the broker
        scan()
        # then every reminder is sent, each exactly once
        wait_for(lambda: sent_count(first) == 6, timeout=20, what="the first batch")
        assert emails_per_reminder(tmp_path / "mail") == Counter({pk: 1 for pk in first})

        # given 8 more due, and the worker killed in the middle of their batch
        second = due_reminders(8)
        scan()
        # (the batch records its outcomes at its end: what went out shows in the mail)
        wait_for(
            lambda: len(set(emails_per_reminder(tmp_path / "mail")) & set(second)) >= 3,
            timeout=20,
            what="part of the second batch",
        )
        the_worker.kill()
        assert sent_count(second) < 8
        # when it starts again, with two beats scanning by mistake
        for each in [the_worker, *beats]:
            each.launch()
        for each in [the_worker, *beats]:
            each.wait_ready()
        wait_for(lambda: sent_count(second) == 8, timeout=30, what="the rest after the lease")
        # and 4 more come due while both beats run
        third = due_reminders(4)
        wait_for(lambda: sent_count(third) == 4, timeout=20, what="the beats' batch")
        # then nothing is lost, and at most the one in flight went out twice
        per_reminder = emails_per_reminder(tmp_path / "mail")
        assert set(per_reminder) == set(first + second + third)
        twice = [pk for pk, n in per_reminder.items() if n > 1]
        assert len(twice) <= 1 and max(per_reminder.values()) <= 2, per_reminder
        assert not set(twice) & set(third)
    finally:
        for each in [*beats, the_worker]:
            each.stop()
        print((tmp_path / "worker.log").read_text()[-3000:])
