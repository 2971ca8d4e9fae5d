"""One beat at a time: a beat runs only while it holds a PostgreSQL advisory
lock on a connection of its own, so a second beat (another machine) waits as
a standby and takes over within seconds of the first one dying.

The lock is a session lock: its connection must go straight to PostgreSQL
(BEAT_LOCK_DATABASE_URL), never through PgBouncer in transaction mode, which
would hand the session to someone else after each statement."""

import os
import threading
import time

import environ
from django.db import connections

BEAT_LOCK = 7_317_001  # the advisory lock's key: any number no one else uses


def lock_connection():
    """A connection of its own, outside Django's per-thread ones, so nothing
    (a request's end, Celery's fixup) closes it and drops the lock."""
    url = os.environ.get("BEAT_LOCK_DATABASE_URL")
    alias_settings = connections.settings["default"]
    if url:
        alias_settings = {**alias_settings, **environ.Env.db_url_config(url)}
    backend = connections.create_connection("default")
    backend.settings_dict = alias_settings
    backend.ensure_connection()
    backend.set_autocommit(True)
    return backend


def try_lead(backend) -> bool:
    with backend.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [BEAT_LOCK])
        return cursor.fetchone()[0]


def wait_to_lead(backend, *, every: float, log) -> None:
    while not try_lead(backend):
        log(f"another beat leads; standing by (retry in {every:g}s)")
        time.sleep(every)


def watch(backend, *, every: float, on_lost) -> threading.Thread:
    """Checks the lock's connection; when it is gone, so is the lock (another
    beat may lead already), and `on_lost` must stop this beat at once."""

    def loop():
        while True:
            time.sleep(every)
            try:
                # the driver's own connection: Django's wrapper would quietly
                # reconnect, without the lock
                with backend.connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except Exception:  # noqa: BLE001 - any failure means the lock may be lost
                on_lost()
                return

    thread = threading.Thread(target=loop, daemon=True, name="beat-lock-watch")
    thread.start()
    return thread
