"""The readiness drill on real servers: gunicorn reaches PostgreSQL through a
relay this test controls. When the database goes away (the relay refuses, or
silently swallows every byte as a dead network would), /readyz turns unready
within 5 seconds; when it is back, ready again."""

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ops import health
from ops.models import Heartbeat
from tests.conftest import requires_postgres
from tests.production import Gunicorn, free_port, wait_for

# gunicorn reads the machine's clock, and judges the heartbeat by it
pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


class Relay:
    """A TCP relay to PostgreSQL: `refuse()` closes everything and stops
    listening, `swallow()` keeps connections open but passes nothing on,
    `restore()` relays again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.mode = "relay"
        self.sockets = []
        self.listener = None

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()
        return self

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    def pipe(self, source, sink):
        while True:
            try:
                data = source.recv(65536)
                if not data:
                    break
                if self.mode == "relay":
                    sink.sendall(data)
            except OSError:
                break
        for each in (source, sink):
            with contextlib.suppress(OSError):
                each.close()

    def refuse(self):
        self.listener.close()
        for each in self.sockets:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
        self.sockets = []

    def swallow(self):
        self.mode = "swallow"

    def restore(self):
        self.mode = "relay"
        if self.listener.fileno() == -1:
            self.start()

    def stop(self):
        self.refuse()


def relayed_database_url(port: int) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@127.0.0.1:{port}/{db['NAME']}"


def readiness(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        assert json.loads(error.read())["status"] == "unready"
        return error.code


def seconds_until(condition, *, limit: float) -> float:
    started = time.monotonic()
    wait_for(condition, timeout=limit, what="readiness to change", every=0.2)
    return time.monotonic() - started


@pytest.fixture
def relayed_server(tmp_path):
    db = connection.settings_dict
    relay = Relay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))).start()
    static_root = tmp_path / "static"
    static_root.mkdir()
    # a scan a minute ago: the beat check passes, the database is the question
    Heartbeat.objects.create(name=health.SCAN, at=timezone.now() - timedelta(minutes=1))
    env = {"DATABASE_URL": relayed_database_url(relay.port), "CONN_MAX_AGE": "60"}
    try:
        with Gunicorn(static_root, tmp_path / "gunicorn.log", **env) as server:
            wait_for(lambda: readiness(server.url) == 200, timeout=30, what="ready")
            yield relay, server
    finally:
        relay.stop()
        print((tmp_path / "gunicorn.log").read_text()[-3000:])


def test_readyz_turns_unready_within_5_seconds_when_the_database_refuses(relayed_server):
    relay, server = relayed_server
    # when the database goes away (connections cut, new ones refused)
    relay.refuse()
    # then /readyz says so within 5 seconds
    assert seconds_until(lambda: readiness(server.url) == 503, limit=5) < 5
    # and when it is back, ready again
    relay.restore()
    seconds_until(lambda: readiness(server.url) == 200, limit=15)


def test_readyz_turns_unready_within_5_seconds_when_the_network_swallows(relayed_server):
    relay, server = relayed_server
    # when the database stops answering without closing anything (a dead network)
    relay.swallow()
    # then /readyz still answers, unready, within 5 seconds
    assert seconds_until(lambda: readiness(server.url) == 503, limit=5) < 5
    # and when the network heals, ready again
    relay.restore()
    seconds_until(lambda: readiness(server.url) == 200, limit=15)
