"""The ops settings read from the environment, and refuse bad values in one line."""

import os
import subprocess
import sys

from django.conf import settings

PRINT_DB = (
    "from django.conf import settings as s; d = s.DATABASES['default'];"
    "print(d.get('DISABLE_SERVER_SIDE_CURSORS'), d['OPTIONS'].get('connect_timeout'),"
    " d['CONN_MAX_AGE'])"
)


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_behind_pgbouncer_there_are_no_server_side_cursors():
    url = "postgres://clinic:secret@pgbouncer:6432/clinic"
    result = manage(
        "shell", "-v", "0", "-c", PRINT_DB, DATABASE_URL=url, PGBOUNCER="1", CONN_MAX_AGE="0"
    )
    assert result.stdout.split() == ["True", "3", "0"], result.stderr


def test_a_postgresql_connection_gives_up_within_seconds_by_default():
    url = "postgres://clinic:secret@db:5432/clinic"
    result = manage("shell", "-v", "0", "-c", PRINT_DB, DATABASE_URL=url)
    assert result.stdout.split() == ["None", "3", "60"], result.stderr


def test_a_short_metrics_token_is_refused():
    result = manage("check", METRICS_TOKEN="short")
    assert result.returncode == 2
    assert "METRICS_TOKEN must be at least 24 characters" in result.stderr


def test_an_unknown_way_of_drawing_pdfs_is_refused():
    result = manage("check", PDF_RENDERING="proces")
    assert result.returncode == 2
    assert "PDF_RENDERING must be process or inline" in result.stderr
