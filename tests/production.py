"""The app as production runs it: `collectstatic`, then gunicorn with DEBUG=0 on
a free loopback port against the test database (of either engine), for tests
that must see what a browser or a load balancer sees."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

SECRET = "production-test-only-" + "k" * 30


def database_url() -> str:
    """The test database as a DATABASE_URL a child process can use."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(static_root: Path, **extra: str) -> dict:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(settings.BASE_DIR),
        **extra,
    }
    env.pop("NPLUSONE_CHECKS", None)  # the test-only N+1 guard is not production
    return env


def collectstatic(static_root: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=production_env(static_root),
        check=True,
    )


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Gunicorn:
    """`gunicorn clinic.wsgi` with DEBUG=0; `with Gunicorn(...) as server:`."""

    def __init__(self, static_root: Path, log_path: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = production_env(static_root, **env)
        self.log_path = log_path
        self.process = None

    def answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.url}/", timeout=2).close()
        except urllib.error.HTTPError:
            return True  # any HTTP answer means it is up
        except OSError:
            if self.process.poll() is not None:
                raise AssertionError(self.log_path.read_text()[-3000:]) from None
            return False
        return True

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "clinic.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "1", "--threads", "4", "--timeout", "30", "--no-control-socket"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(self.answers, timeout=30, what="gunicorn to answer")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
