"""Failure drills on real servers, none of them the machine's shared ones:
PostgreSQL "restarting" as the app sees it (every connection of gunicorn's cut
by pg_terminate_backend), a Redis of the test's own killed and started again,
and a mail server of the test's own refusing. Nothing fails that need not;
reminders wait, retry with backoff, fail visibly, and are never lost or doubled."""

import contextlib
import socket
import socketserver
import subprocess
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from clinic.celery import app
from clinic.tokens import issue_token
from ops import health, metrics
from ops.models import Heartbeat
from scheduling import reminder_delivery, reminders
from scheduling.models import Reminder
from scheduling.tasks import scan_reminders
from tests.api.test_permission_matrix import _booking
from tests.conftest import requires_postgres
from tests.factories import AppointmentFactory, PatientFactory
from tests.production import Gunicorn, free_port, wait_for


def due_reminders(count: int) -> list[str]:
    """`count` visits in 90 minutes, each with its reminder due now."""
    ids = []
    for _ in range(count):
        visit = AppointmentFactory(
            plan=None, patient=PatientFactory(), start=timezone.now() + timedelta(minutes=90)
        )
        ids += [str(r.pk) for r in reminders.create_for([visit])]
    return ids


@pytest.fixture
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


# --- PostgreSQL: every connection of the app cut at once -----------------------------------


def get(url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def cut_every_other_connection() -> int:
    """What a restart of PostgreSQL does to the app: its connections end."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@requires_postgres
@pytest.mark.real_clock  # gunicorn is another process, on the machine's clock
@pytest.mark.django_db(transaction=True)
def test_after_the_database_cuts_every_connection_the_next_requests_all_answer(therapist, tmp_path):
    # given gunicorn (4 threads, kept connections) serving a signed-in therapist
    token = issue_token(user=therapist)[0]
    Heartbeat.objects.create(name=health.SCAN, at=timezone.now() - timedelta(minutes=1))
    static_root = tmp_path / "static"
    static_root.mkdir()
    with Gunicorn(static_root, tmp_path / "gunicorn.log", CONN_MAX_AGE="60") as server:
        me = f"{server.url}/api/v1/me/"
        assert [get(me, token) for _ in range(12)] == [200] * 12
        # when PostgreSQL ends every connection the app holds
        assert cut_every_other_connection() >= 1
        # then not one request fails for it: a dead kept connection is noticed
        # before use (CONN_HEALTH_CHECKS) and replaced; /readyz says ready
        assert [get(me, token) for _ in range(20)] == [200] * 20
        assert get(f"{server.url}/readyz") == 200
        # and again, while requests are in flight
        answers = []
        threads = [
            threading.Thread(target=lambda: answers.extend(get(me, token) for _ in range(10)))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        cut_every_other_connection()
        for thread in threads:
            thread.join()
        failed = [code for code in answers if code != 200]
        # a request whose query was running at the cut may fail; none after it
        assert len(failed) <= 3, answers
        assert [get(me, token) for _ in range(10)] == [200] * 10


# --- Redis: a server of the test's own, killed and started again ----------------------------


class OwnRedis:
    """`redis-server` on a free port, with nothing saved; never the machine's."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what="redis-server to answer")
        return self

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()  # SIGKILL, by our own pid
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(settings):
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("needs redis-server")
    server = OwnRedis().start()
    settings.REDIS_URL = server.url
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": server.url}}
    try:
        yield server
    finally:
        server.kill()


@pytest.mark.django_db
def test_with_redis_gone_booking_works_and_reminders_wait_then_go_out_once(
    api, patient, plan, front_desk, own_redis, eager_tasks
):
    # given three reminders due, and Redis (cache, journal) killed
    due = due_reminders(3)
    own_redis.kill()
    # when the front desk books a visit
    booking = _booking({"patient": patient, "plan": plan})
    response = api.as_(front_desk).post("/api/v1/appointments/", booking, format="json")
    # then the booking goes through (the write limit's counter is not there to count)
    assert response.status_code == 201, response.content
    # and a batch claimed meanwhile sends nothing: it waits
    results = reminder_delivery.deliver(reminders.claim_due())
    assert sorted(results.values()) == ["released"] * 3
    assert mail.outbox == []
    # when Redis is back and the next scan runs
    own_redis.start()
    scan_reminders.apply()
    # then each went out exactly once
    assert sorted(m.extra_headers["X-Clinic-Reminder"] for m in mail.outbox) == sorted(due)
    assert Reminder.objects.filter(pk__in=due, status="sent").count() == 3


# --- the mail server: one of the test's own, refusing --------------------------------------


class RefusingSmtp(socketserver.ThreadingTCPServer):
    """Enough SMTP for Django's backend; `answer` is what MAIL FROM gets
    ("250 OK" to accept, "451 ..." to refuse for now, "550 ..." for good)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.answer = "451 4.3.0 try again later"
        self.accepted: list[bytes] = []
        super().__init__(("127.0.0.1", 0), SmtpSession)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 stub ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 stub")
            elif verb == b"MAIL":
                self.reply(self.server.answer)
            elif verb == b"DATA":
                self.reply("354 go on")
                body = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.accepted.append(body)
                self.reply("250 queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:  # RCPT, RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def smtp(settings):
    server = RefusingSmtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def deliver_at(now):
    return reminder_delivery.deliver(reminders.claim_due(now=now), now=now)


@pytest.mark.django_db
def test_a_mail_server_refusing_for_now_is_retried_with_backoff_and_nothing_is_lost(smtp):
    # given two reminders due and a mail server answering 451
    due = due_reminders(2)
    now = timezone.now()
    # when the batch is sent, it is refused: each waits a minute, with the reason
    assert sorted(deliver_at(now).values()) == ["retry", "retry"]
    waiting = Reminder.objects.filter(pk__in=due)
    assert {(r.status, r.attempts, r.due_at) for r in waiting} == {
        ("pending", 1, now + timedelta(minutes=1))
    }
    assert all("451" in r.last_error for r in waiting)
    # and again: two minutes
    now += timedelta(minutes=1)
    assert sorted(deliver_at(now).values()) == ["retry", "retry"]
    assert {r.due_at for r in Reminder.objects.filter(pk__in=due)} == {now + timedelta(minutes=2)}
    # when the server accepts again, both go out, once
    smtp.answer = "250 OK"
    now += timedelta(minutes=2)
    assert sorted(deliver_at(now).values()) == ["sent", "sent"]
    assert len(smtp.accepted) == 2
    assert Reminder.objects.filter(pk__in=due, status="sent", attempts=3).count() == 2


@pytest.mark.django_db
def test_a_mail_server_refusing_for_good_fails_the_reminder_visibly_after_the_last_try(
    smtp, settings
):
    # given a reminder and a mail server answering 550, three tries allowed
    settings.REMINDER_MAX_ATTEMPTS = 3
    (due,) = due_reminders(1)
    smtp.answer = "550 5.7.1 relaying denied"
    now = timezone.now()
    # when the scan tries three times, after each backoff
    outcomes = []
    for wait in (0, 1, 2):
        now += timedelta(minutes=wait)
        outcomes += deliver_at(now).values()
    # then it is failed, with the server's answer, and the metrics count it
    assert outcomes == ["retry", "retry", "failed"]
    reminder = Reminder.objects.get(pk=due)
    assert (reminder.status, reminder.attempts) == ("failed", 3)
    assert "550" in reminder.last_error
    gauges = {g.name: g.samples[0].value for g in metrics.reminder_gauges(now)}
    assert gauges["clinic_reminders_failed"] == 1
    assert smtp.accepted == []
