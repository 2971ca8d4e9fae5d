"""`/healthz` (the process answers) and `/readyz` (it can do its work: the
database, the broker, every migration applied, the reminder scan recent), and
the door to `/metrics` (ops/metrics.py).

All three answer before every other middleware: no session, no CSRF, no host check
and no HTTPS redirect, so a load balancer's plain-HTTP probe gets an answer.
Outsiders see only the verdict; the metrics token or a signed-in staff member
sees each check. Each check runs in a thread of its own under a deadline, so
/readyz answers within READY_TIMEOUT_SECONDS even when the database hangs."""

import hmac
import os
import threading
import time
from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from clinic.two_factor import SESSION_FLAG

SCAN = "scan-reminders"  # the heartbeat the reminder scan leaves (Heartbeat.name)
SCAN_TASK = "scheduling.tasks.scan_reminders"


# --- the checks ------------------------------------------------------------------------


@cache
def expected_migrations() -> frozenset:
    from django.db.migrations.loader import MigrationLoader

    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def database_checks() -> dict:
    """Runs in its own thread, so on its own connection, closed at the end."""
    from django.db.migrations.recorder import MigrationRecorder

    from ops.models import Heartbeat

    results = {}
    try:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        results["database"] = {"ok": True, "ms": round((time.monotonic() - started) * 1000)}
        missing = expected_migrations() - set(MigrationRecorder(connection).applied_migrations())
        results["migrations"] = {"ok": not missing, "unapplied": sorted(map(".".join, missing))}
        beat = Heartbeat.objects.filter(name=SCAN).values_list("at", flat=True).first()
        age = (timezone.now() - beat).total_seconds() if beat else None
        fresh = age is not None and age <= settings.READY_SCAN_MAX_AGE_SECONDS
        results["beat"] = {"ok": fresh, "last_scan_seconds_ago": age and round(age)}
    except DatabaseError as exc:
        for name in ("database", "migrations", "beat"):
            results.setdefault(name, {"ok": False, "error": type(exc).__name__})
    finally:
        connection.close()
    return results


def broker_checks() -> dict:
    started = time.monotonic()
    if settings.REDIS_URL:
        import redis

        timeout = settings.READY_TIMEOUT_SECONDS
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            client.ping()
        except redis.RedisError as exc:
            return {"broker": {"ok": False, "error": type(exc).__name__}}
        finally:
            client.close()
    else:  # kombu's filesystem transport: its folder must be there
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            return {"broker": {"ok": False, "error": "folder not writable"}}
    return {"broker": {"ok": True, "ms": round((time.monotonic() - started) * 1000)}}


def readiness() -> tuple[bool, dict]:
    """Both groups of checks at once, each in a daemon thread; whatever has
    not answered by the deadline counts as failed (its thread is left to end
    on its own: a hung connection must not hold the probe)."""
    deadline = time.monotonic() + settings.READY_TIMEOUT_SECONDS
    boxes = [(check, {}) for check in (database_checks, broker_checks)]
    threads = [
        threading.Thread(target=lambda c=c, b=b: b.update(c()), daemon=True) for c, b in boxes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    results = {}
    for _check, box in boxes:
        results.update(dict(box))
    for name in ("database", "migrations", "beat", "broker"):
        results.setdefault(name, {"ok": False, "error": "no answer in time"})
    return all(check["ok"] for check in results.values()), results


# --- who may see the details ---------------------------------------------------------------


def has_metrics_token(request) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


def is_signed_in_staff(request) -> bool:
    """Staff by their session, read here because this runs before the session
    middleware; a database that is down just means "not shown"."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    try:
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
        if request.session.get(SESSION_FLAG) and not request.session.get(DEVICE_ID_SESSION_KEY):
            return False  # the password without the second factor yet
        user = auth.get_user(request)
        return user.is_active and user.is_staff
    except DatabaseError:
        return False


# --- the endpoints --------------------------------------------------------------------------


def healthz(request):
    return JsonResponse({"status": "alive"})


def readyz(request):
    ready, checks = readiness()
    body = {"status": "ready" if ready else "unready"}
    if has_metrics_token(request) or is_signed_in_staff(request):
        body["checks"] = checks
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    # a probe every few seconds must not log an error each time: the body says it
    response._has_been_logged = True
    return response


def metrics(request):
    from ops.metrics import metrics

    return metrics(request)


ENDPOINTS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class OpsEndpointsMiddleware:
    """First in MIDDLEWARE: answers the probes and the metrics scrape before
    anything else can refuse them (host check, HTTPS redirect, sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info.rstrip("/"))
        if endpoint and request.method in ("GET", "HEAD"):
            return endpoint(request)
        return self.get_response(request)


# --- the heartbeat -----------------------------------------------------------------------


def record_scan(sender=None, **kwargs):
    """task_success of the reminder scan, in the worker."""
    from ops.models import Heartbeat

    if getattr(sender, "name", None) == SCAN_TASK:
        # one statement (INSERT ... ON CONFLICT DO UPDATE): a query per scan
        Heartbeat.objects.bulk_create(
            [Heartbeat(name=SCAN, at=timezone.now())],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["at"],
        )


def connect_signals():
    from celery.signals import task_success

    task_success.connect(record_scan, weak=False, dispatch_uid="ops.health.record_scan")
