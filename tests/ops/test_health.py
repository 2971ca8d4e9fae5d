"""/healthz says the process answers; /readyz says it can work (database,
broker, migrations, a recent reminder scan) and shows why only to the
metrics token or staff. Run transactionally: the checks use a connection of
their own, which sees only committed rows."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ops import health
from ops.models import Heartbeat
from scheduling.tasks import scan_reminders

TOKEN = "m" * 32
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.fixture
def scanned():
    return Heartbeat.objects.create(name=health.SCAN, at=timezone.now() - timedelta(seconds=30))


def with_token():
    return {"Authorization": f"Bearer {TOKEN}"}


def test_healthz_answers_alive_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_is_ready_and_says_no_more_to_an_outsider(client, scanned):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")  # a probe by address
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_shows_each_check_to_the_metrics_token(client, scanned):
    response = client.get("/readyz", headers=with_token())
    checks = response.json()["checks"]
    assert set(checks) == {"database", "migrations", "beat", "broker"}
    assert all(check["ok"] for check in checks.values()), checks
    assert 25 <= checks["beat"]["last_scan_seconds_ago"] <= 120


def test_readyz_shows_the_checks_to_staff_but_not_to_other_staff_roles(
    client, scanned, manager, therapist
):
    client.force_login(therapist)
    assert "checks" not in client.get("/readyz").json()
    client.force_login(manager)
    assert "checks" in client.get("/readyz").json()


def test_a_wrong_token_sees_no_checks(client, scanned):
    response = client.get("/readyz", headers={"Authorization": f"Bearer {'x' * 32}"})
    assert response.json() == {"status": "ready"}


def test_without_a_recent_reminder_scan_it_is_unready(client):
    # given a scan that last ran ten minutes ago (beat or the worker stopped)
    Heartbeat.objects.create(name=health.SCAN, at=timezone.now() - timedelta(minutes=10))
    # when a probe asks
    response = client.get("/readyz", headers=with_token())
    # then it is unready, and the beat check says why
    assert response.status_code == 503
    assert response.json()["status"] == "unready"
    assert response.json()["checks"]["beat"]["ok"] is False


def test_a_finished_reminder_scan_leaves_its_heartbeat():
    # when the worker runs the beat's scan, the first time and again an hour later
    scan_reminders.apply()
    Heartbeat.objects.update(at=timezone.now() - timedelta(hours=1))
    scan_reminders.apply()
    # then the one heartbeat has the last scan's time
    beat = Heartbeat.objects.get(name=health.SCAN)
    assert timezone.now() - beat.at < timedelta(seconds=30)


def test_an_unapplied_migration_makes_it_unready(client, scanned, monkeypatch):
    expected = health.expected_migrations() | {("ops", "9999_not_applied_yet")}
    monkeypatch.setattr(health, "expected_migrations", lambda: expected)
    response = client.get("/readyz", headers=with_token())
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["unapplied"] == ["ops.9999_not_applied_yet"]


def test_a_broker_that_is_gone_makes_it_unready(client, scanned, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz", headers=with_token())
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_a_database_that_hangs_makes_it_unready_within_the_deadline(
    client, scanned, settings, monkeypatch
):
    # given a database check that never comes back (a network that drops packets)
    settings.READY_TIMEOUT_SECONDS = 1.0
    monkeypatch.setattr(health, "database_checks", lambda: time.sleep(30) or {})
    # when a probe asks
    started = time.monotonic()
    response = client.get("/readyz", headers=with_token())
    # then it answers unready by the deadline instead of hanging with it
    assert time.monotonic() - started < 2.5
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "no answer in time"}


def test_probes_need_no_allowed_host_and_no_https(client, settings, scanned):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="internal-probe:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="internal-probe:8000").status_code == 200
