"""The memory of one gunicorn worker after it has served every page and API
endpoint once (issue 17: at most 120 MB resident).

    .venv/bin/python bench/memory.py        # a fresh database with the demo clinic
    .venv/bin/python bench/memory.py --database-url postgres://postgres@127.0.0.1:5432/x

Migrates a fresh PostgreSQL database, seeds the demo clinic (`seed_demo --force`),
starts gunicorn as production would (`DEBUG=0`, one sync worker), and GETs every
URL of the URLconf (path parameters filled with the clinic's own records, the
admin's index and each model's list and change page) signed in as a doctor, a
therapist, the front desk and a manager; then reads the worker's peak resident
set (VmHWM) and its resident set at the end (VmRSS). `bench/run.py` calls
`measure()` against its own seeded database and reports the figures.
"""

import argparse
import os
import re
import sys
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 120
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _routes(patterns, prefix="", namespace=""):
    """(name, parameter names) of every named URL, the admin's left out."""
    from django.urls import URLResolver

    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _routes(pattern.url_patterns, route, inner)
        elif pattern.name and "format" not in route:  # DRF's `.json` suffix twins
            name = ":".join(filter(None, [namespace, pattern.name]))
            yield name, [a or b for a, b in PARAM.findall(route)]


def _records() -> dict:
    """One record of each kind, from one plan's story where it has one."""
    from clinic.models import AuditEvent, User
    from clinic.vocabulary import Role
    from referrals.models import Precaution, TreatmentPlan
    from scheduling.models import Appointment, AppointmentSeries
    from sessions_log.models import OutcomeMeasurement, ProgressReport, SessionNote

    note = SessionNote.objects.select_related("plan__referral").order_by("pk").first()
    plan = note.plan if note else TreatmentPlan.objects.order_by("pk").first()
    return {
        "plan": plan,
        "referral": plan.referral,
        "patient": plan.patient,
        "appointment": Appointment.objects.filter(plan=plan).order_by("pk").first(),
        "note": note,
        "series": AppointmentSeries.objects.order_by("pk").first(),
        "audit-event": AuditEvent.objects.order_by("pk").first(),
        "measurement": OutcomeMeasurement.objects.order_by("pk").first(),
        "report": ProgressReport.objects.order_by("pk").first(),
        "precaution": Precaution.objects.order_by("pk").first(),
        "users": [
            plan.referral.doctor,
            plan.therapist,
            User.objects.filter(role=Role.FRONT_DESK, is_active=True).order_by("pk").first(),
            User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first(),
        ],
    }


# An API route's `pk` by its router basename; a page's parameter by its name.
_PK_OF = {
    "staff": "user",
    "patient": "patient",
    "appointment": "appointment",
    "appointment-series": "series",
    "audit-event": "audit-event",
    "referral": "referral",
    "treatment-plan": "plan",
    "session-note": "note",
    "measurement": "measurement",
    "progress-report": "report",
    "precaution": "precaution",
    "patient-fhir": "patient",
}
_PARAM_OF = {
    "patient_id": "patient",
    "referral_id": "referral",
    "plan_id": "plan",
    "appointment_id": "appointment",
    "note_id": "note",
    "report_id": "report",
    "precaution_id": "precaution",
}


def _token(name: str, records: dict) -> str | None:
    from scheduling.calendars import rotate_calendar_token
    from scheduling.reminders import confirm_token

    if name == "calendar:therapist_feed":
        return rotate_calendar_token(owner=records["users"][1])
    if name == "calendar:patient_feed":
        return rotate_calendar_token(owner=records["patient"])
    if name == "confirm:visit" and records["appointment"]:
        return confirm_token(records["appointment"])
    return None


def _value(name: str, param: str, records: dict):
    if param == "token":
        return _token(name, records)
    if param == "pk":
        base = name.removeprefix("api:")
        for kind in sorted(_PK_OF, key=len, reverse=True):
            if base == kind or base.startswith(kind + "-"):
                record = records["users"][0] if kind == "staff" else records[_PK_OF[kind]]
                return record.pk if record else None
        return None
    record = records.get(_PARAM_OF.get(param, ""))
    return record.pk if record else None


def paths() -> tuple[list[str], list[str]]:
    """Every URL to visit, and the named routes it could not fill (calendar tokens...)."""
    from django.contrib import admin
    from django.urls import get_resolver, reverse

    records, found, skipped = _records(), [], []
    for name, params in _routes(get_resolver().url_patterns):
        kwargs = {param: _value(name, param, records) for param in params}
        if None in kwargs.values():
            skipped.append(name)
            continue
        found.append(reverse(name, kwargs=kwargs))
    found += [
        "/api/v1/diagnoses/?search=low+back+pain",
        "/icd10/?q=m54.5",
        "/icd10/pick/?code=M54.50",
    ]
    found.append(reverse("admin:index"))
    for model in admin.site._registry:
        meta = model._meta
        found.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            found.append(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
    return list(dict.fromkeys(found)), skipped


def _session_cookie(user) -> str:
    """A signed-in session, written as `login()` would, without the password."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _worker_status(master_pid: int) -> dict:
    import psutil

    (worker,) = psutil.Process(master_pid).children()
    status = Path(f"/proc/{worker.pid}/status").read_text()
    kb = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if "kB" in line}
    return {"peak_mb": kb["VmHWM"] / 1024, "rss_mb": kb["VmRSS"] / 1024}


def measure(base_url: str, master_pid: int, log=print) -> dict:
    """GET every path as each role from a gunicorn of one worker; its memory after."""
    urls, skipped = paths()
    users = [user for user in _records()["users"] if user]
    statuses: dict[int, int] = {}
    began = _worker_status(master_pid)
    for user in users:
        cookie = _session_cookie(user)
        for path in urls:
            request = urllib.request.Request(base_url + path, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()
                    status = answer.status
            except urllib.error.HTTPError as error:  # 403, 404, 405: served all the same
                status = error.code
            statuses[status] = statuses.get(status, 0) + 1
            if status == 404:
                log(f"  404 {path} as {user.username}")
    after = _worker_status(master_pid)
    log(f"{len(urls)} paths x {len(users)} roles; statuses {dict(sorted(statuses.items()))}")
    return {
        "paths": len(urls),
        "roles": len(users),
        "statuses": dict(sorted(statuses.items())),
        "skipped": skipped,
        "started_mb": began["rss_mb"],
        "peak_mb": after["peak_mb"],
        "rss_mb": after["rss_mb"],
    }


def measure_app(log=print, port: int = 8190) -> dict:
    """`measure()` on a gunicorn of one sync worker started for it (bench/run.py's App)."""
    from bench import run

    previous = os.environ.get("LOG_LEVEL")
    os.environ["LOG_LEVEL"] = "ERROR"  # gunicorn inherits it: the 403s and 405s are expected
    app = run.App(port, workers=1, threads=1)
    try:
        app.start()
        return measure(app.url, app.process.pid, log)
    finally:
        app.stop()
        if previous is None:
            os.environ.pop("LOG_LEVEL")
        else:
            os.environ["LOG_LEVEL"] = previous


def section(found: dict) -> list[str]:
    verdict = "within" if found["peak_mb"] <= TARGET_MB else "**over**"
    return [
        "## Memory of a worker",
        "",
        f"One gunicorn worker (sync, `DEBUG=0`) after GETting each of {found['paths']} paths"
        f" (every page, API endpoint and admin list) as each of {found['roles']} roles"
        " (`bench/memory.py`):",
        "",
        f"- resident when it had started: {found['started_mb']:.0f} MB",
        f"- peak resident (VmHWM): **{found['peak_mb']:.0f} MB**, {verdict} the"
        f" {TARGET_MB} MB target; resident at the end: {found['rss_mb']:.0f} MB",
        f"- answers: {', '.join(f'{n} x {s}' for s, n in found['statuses'].items())};"
        f" not visited (no record to fill them): {', '.join(found['skipped']) or 'none'}",
        "",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/clinic_bench_memory"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench import run

    run.configure(argparse.Namespace(database_url=args.database_url, redis_url="", conn_max_age=60))
    run.ensure_database(args.database_url, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command

    run.log("migrating and seeding the demo clinic")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", "--force", verbosity=0)
    print("\n".join(section(measure_app(log=run.log))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
