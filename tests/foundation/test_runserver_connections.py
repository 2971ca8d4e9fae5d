"""`make run` serves with runserver, which starts a thread per request: with a
persistent connection (CONN_MAX_AGE=60) each thread left one open, and PostgreSQL
ran out of them after 59 requests. Under runserver every connection closes with
its request, whatever CONN_MAX_AGE says."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def connections_of(name: str) -> set[int]:
    """The other sessions on the test database (their backend pids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return {row[0] for row in cursor.fetchall()}


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def runserver():
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "CONN_MAX_AGE": "60", "DEBUG": "1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            # a cheap answer (not signed in), not the schema: building that takes
            # seconds on a busy machine, and every probe that timed out would add one
            return requests.get(f"{url}/api/v1/me/", timeout=2).status_code == 401
        except (requests.ConnectionError, requests.Timeout):
            return False

    try:
        # start-up runs the system checks and the first answer imports every view:
        # over a minute when both databases' suites share two cores (CI)
        assert wait_until(answers, 180), "runserver did not start"
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_runserver_closes_each_requests_connection_even_with_conn_max_age(runserver):
    # given runserver started as `make run` starts it, with CONN_MAX_AGE=60
    name = connection.settings_dict["NAME"]
    # (a session an earlier test left, e.g. a live server's thread, is not runserver's)
    before = connections_of(name)
    # when thirty requests each query the database (a token is looked up), one at a time
    for _ in range(REQUESTS):
        response = requests.get(
            f"{runserver}/api/v1/me/", headers={"Authorization": "Token nope"}, timeout=10
        )
        assert response.status_code == 401
    # then no request's connection outlives it
    assert wait_until(lambda: not connections_of(name) - before, 10), connections_of(name) - before
