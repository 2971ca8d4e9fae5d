"""The memory of one gunicorn worker after it has served every page and API
endpoint once (issue 17: at most 120 MB resident).

    .venv/bin/python bench/memory.py        # a fresh database with the demo clinic
    .venv/bin/python bench/memory.py --database-url postgres://postgres@127.0.0.1:5432/x

Migrates a fresh PostgreSQL database, collects the static files, seeds the demo
clinic (`seed_demo --force`) and adds one of each record it lacks
(bench/memory_records.py: a signed progress report, an uploaded PDF, an outside
physician's links, a waitlist offer...), starts gunicorn as production would
(`DEBUG=0`, one sync worker), and GETs every URL of the URLconf (path parameters
filled with the clinic's own records, tokens minted by the project's own functions
(bench/memory_tokens.py), the day sheet's PDF, the admin's index and each model's
list and change page) signed in as a doctor, a therapist, the front desk, a
manager and a patient of the portal; then reads the worker's peak resident set
(VmHWM) and its resident set at the end (VmRSS), and logs the routes it could
not fill, with why. `bench/run.py` calls `measure()` against its own seeded
database (which lacks those records: more routes are left out) and reports it.
"""

import argparse
import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 120
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _routes(patterns, prefix="", namespace=""):
    """(name, parameter names, view) of every named URL, the admin's left out."""
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
            yield name, [a or b for a, b in PARAM.findall(route)], pattern.callback


# A page's `x_id` is a record of the model named X (home_exercise_id: HomeExercise),
# an API route's `pk` one of its view's `model`; these say it where the names do not.
MODEL_OF_PARAM = {
    "plan_id": "referrals.TreatmentPlan",
    "note_id": "sessions_log.SessionNote",
    "report_id": "sessions_log.ProgressReport",
    "physician_id": "referrals.OutsidePhysician",
    "entry_id": "scheduling.WaitlistEntry",
    "consent_id": "clinic.ConsentDocument",
    "paper_id": "sessions_log.ProgressReport",  # a signed report is one of the patient's papers
}
MODEL_OF_VIEW = {  # API views of one record without a `model` (the patient's, the portal's)
    "api:patient-episodes": "clinic.Patient",
    "api:patient-ledger": "clinic.Patient",
    "api:patient-invite": "clinic.Patient",
    "api:patient-consents": "clinic.Patient",
    "api:portal-appointment-confirm": "scheduling.Appointment",
    "api:portal-appointment-cancel": "scheduling.Appointment",
    "api:portal-home-done": "sessions_log.HomeExercise",
    "api:portal-consent-sign": "clinic.ConsentDocument",
}
# a questionnaire is due, not stored: its id is the plan's and the measure's
DUE_QUESTIONNAIRE = {"questionnaire_id", "api:portal-questionnaire-answers"}
# Of each model, the central patient's record (bench/memory_records.central_plan), in
# this state where one is; the discharge summary is of a plan whose therapy ended.
PREFER = {
    "scheduling.Appointment": lambda: {"status": "booked", "start__gt": timezone.now()},
    "sessions_log.ProgressReport": lambda: {"signed_at__isnull": False},
}
RECORD_OF_ROUTE = {
    "api:treatment-plan-discharge": ("referrals.TreatmentPlan", {"ended_at__isnull": False}),
}


def _records() -> dict:
    """The central plan (bench/memory_records.py), its patient, and the four roles:
    its doctor, its therapist, the front desk and a manager."""
    from bench.memory_records import central_plan, staff
    from clinic.vocabulary import Role

    plan = central_plan()
    users = [plan.referral.doctor, plan.therapist, staff(Role.FRONT_DESK), staff(Role.MANAGER)]
    return {"plan": plan, "patient": plan.patient, "users": users, "cache": {}}


def _patient_path(model) -> str | None:
    """The shortest lookup from `model` to its patient, by foreign keys (3 at most)."""
    from clinic.models import Patient

    queue, seen = [(model, "")], {model}
    while queue:
        current, path = queue.pop(0)
        for field in current._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                continue
            lookup = f"{path}__{field.name}" if path else field.name
            if field.related_model is Patient:
                return lookup
            if field.related_model not in seen and lookup.count("__") < 2:
                seen.add(field.related_model)
                queue.append((field.related_model, lookup))
    return None


def _first(label: str, records: dict, **wanted):
    """A record of `label`: the central patient's if it has one, in the state
    `PREFER` (or `wanted`) names if one is; else anyone's."""
    from django.apps import apps

    from clinic.models import Patient

    key = (label, tuple(sorted(wanted.items())))
    if key not in records["cache"]:
        model = apps.get_model(label)
        rows = model._default_manager.order_by("pk")
        path = "pk" if model is Patient else _patient_path(model)
        own = rows.filter(**{path: records["patient"].pk}) if path else rows.none()
        state = wanted or PREFER.get(label, dict)()
        tries = [own.filter(**state), rows.filter(**state)] + ([] if wanted else [own, rows])
        records["cache"][key] = next((r for r in (q.first() for q in tries) if r), None)
    return records["cache"][key]


def _model_of(name: str, param: str, view) -> str | None:
    from django.apps import apps

    if param == "pk":
        cls = getattr(view, "cls", None)
        queryset = getattr(cls, "queryset", None)  # else `get_queryset()`, which needs a request
        model = getattr(cls, "model", None) or getattr(queryset, "model", None)
        return model._meta.label if model else MODEL_OF_VIEW.get(name)
    if param in MODEL_OF_PARAM:
        return MODEL_OF_PARAM[param]
    wanted = param.removesuffix("_id").replace("_", "")
    named = [m._meta.label for m in apps.get_models() if m._meta.model_name == wanted]
    return named[0] if len(named) == 1 else None


def _value(name: str, param: str, view, records: dict) -> tuple[object, str]:
    """The parameter's value, or None and why there is none."""
    from portal.questionnaires import due_for

    if param == "token":
        from bench.memory_tokens import token

        return token(name, records)
    if param in DUE_QUESTIONNAIRE or name in DUE_QUESTIONNAIRE:
        due = due_for(records["patient"])
        return (due[0].id, "") if due else (None, "no questionnaire due")
    label, wanted = RECORD_OF_ROUTE.get(name) or (_model_of(name, param, view), {})
    if label is None:
        return None, f"no model for its parameter {param}"
    record = _first(label, records, **wanted)
    return (record.pk, "") if record else (None, f"no {label} record")


def _queries(records: dict) -> dict[str, list[str]]:
    """Routes that answer only with a query: the day sheet is one therapist's (or one
    room's), as a page and as its PDF; free times are a therapist's on a day."""
    therapist, tomorrow = records["users"][1].pk, timezone.localdate() + timedelta(days=1)
    sheet = f"?date={timezone.localdate()}&therapist={therapist}"
    return {
        "day_sheet": [sheet, sheet + "&format=pdf"],
        "api:availability": [f"?therapist={therapist}&date={tomorrow}&duration_minutes=45"],
    }


def paths(records: dict | None = None) -> tuple[list[str], dict[str, str]]:
    """Every URL to visit, and the named routes it could not fill, with why."""
    from django.contrib import admin
    from django.urls import get_resolver, reverse

    records = records or _records()
    found, skipped, queries = [], {}, _queries(records)
    for name, params, view in _routes(get_resolver().url_patterns):
        kwargs, reasons = {}, []
        for param in params:
            kwargs[param], reason = _value(name, param, view, records)
            reasons += [reason] if kwargs[param] is None else []
        if reasons:
            skipped[name] = "; ".join(reasons)
            continue
        url = reverse(name, kwargs=kwargs)
        found += [url + query for query in queries.get(name, [""])]
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


def _callers(records: dict) -> list[tuple[str, dict]]:
    """Who asks: the four staff roles by session cookie, and the central patient
    signed in to the portal (its pages by session, its API by token)."""
    from bench.memory_tokens import patient_headers

    staff = [(u.username, {"Cookie": _session_cookie(u)}) for u in records["users"] if u]
    return staff + [("patient", patient_headers(records["patient"]))]


def _get(url: str, headers: dict) -> tuple[int, str]:
    """The status, after redirects (a page's sign-in, followed as a browser would),
    and the address it ended at when redirected."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
            return answer.status, "" if answer.url == url else answer.url
    except urllib.error.HTTPError as error:  # 403, 404, 405: served all the same
        return error.code, "" if error.url == url else error.url


def measure(base_url: str, master_pid: int, log=print) -> dict:
    """GET every path as each role from a gunicorn of one worker; its memory after."""
    records = _records()
    urls, skipped = paths(records)
    callers = _callers(records)
    statuses: dict[int, int] = {}
    redirected = 0  # of the 200s: after a redirect (the admin's sign-in, a role's home)
    grew: dict[str, float] = {}  # the resident set's growth over each request, by path
    began = _worker_status(master_pid)
    answers = []  # every answer, for a reader: var/bench/memory-answers.tsv
    for who, headers in callers:
        for path in urls:
            before = _worker_status(master_pid)["rss_mb"]
            status, landed = _get(base_url + path, headers)
            grew[path] = grew.get(path, 0) + _worker_status(master_pid)["rss_mb"] - before
            statuses[status] = statuses.get(status, 0) + 1
            redirected += bool(landed) and status == 200
            answers.append(f"{status}\t{who}\t{path}\t{landed.removeprefix(base_url)}")
            if status in (404, 500):
                log(f"  {status} {path} as {who}")
    (ROOT / "var" / "bench" / "memory-answers.tsv").write_text("\n".join(answers) + "\n")
    after = _worker_status(master_pid)
    log(f"{len(urls)} paths x {len(callers)} roles; statuses {dict(sorted(statuses.items()))}")
    for name, reason in skipped.items():
        log(f"  not visited: {name} ({reason})")
    top = sorted(grew.items(), key=lambda item: -item[1])[:8]
    log("grew the worker most: " + ", ".join(f"{path} {mb:+.1f} MB" for path, mb in top))
    return {
        "paths": len(urls),
        "roles": len(callers),
        "statuses": dict(sorted(statuses.items())),
        "redirected": redirected,
        "skipped": skipped,
        "started_mb": began["rss_mb"],
        "peak_mb": after["peak_mb"],
        "rss_mb": after["rss_mb"],
        "grew": top,
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
    by_reason: dict[str, list[str]] = {}
    for name, why in found["skipped"].items():
        by_reason.setdefault(why, []).append(name)
    skipped = "; ".join(f"{why}: {', '.join(names)}" for why, names in by_reason.items())
    return [
        "## Memory of a worker",
        "",
        f"One gunicorn worker (sync, `DEBUG=0`) after GETting each of {found['paths']} paths"
        f" (every page, API endpoint and admin list) as each of {found['roles']} roles"
        " (`bench/memory.py`; the roles: a doctor, a therapist, the front desk, a manager"
        " and a patient signed in to the portal):",
        "",
        f"- resident when it had started: {found['started_mb']:.0f} MB",
        f"- peak resident (VmHWM): **{found['peak_mb']:.0f} MB**, {verdict} the"
        f" {TARGET_MB} MB target; resident at the end: {found['rss_mb']:.0f} MB",
        f"- answers: {', '.join(f'{n} x {s}' for s, n in found['statuses'].items())}"
        f" ({found.get('redirected', 0)} of the 200s after a redirect: a sign-in page, a"
        " role's home);"
        f" not visited (nothing to fill them): {skipped or 'none'}",
        "",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/clinic_bench_memory"
    )
    # Redis as production has it: the cache (the write limit) and the broker load its client
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench import run

    run.configure(
        argparse.Namespace(
            database_url=args.database_url, redis_url=args.redis_url, conn_max_age=60
        )
    )
    # the uploaded scans and printed copies, beside the bench's other files (gunicorn
    # inherits it), as fresh as the database
    os.environ.setdefault("DOCUMENTS_DIR", str(run.OUT / "documents"))
    shutil.rmtree(os.environ["DOCUMENTS_DIR"], ignore_errors=True)
    run.ensure_database(args.database_url, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.memory_records import add_missing_records

    run.log("migrating; collecting the static files (DEBUG=0 pages name them by hash)")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("buildschema", verbosity=0)  # as the Dockerfile builds it
    run.log("seeding the demo clinic, and one of each record it lacks")
    call_command("seed_demo", "--force", verbosity=0)
    add_missing_records(log=run.log)
    found = measure_app(log=run.log)
    if args.json:
        Path(args.json).write_text(json.dumps(found))
    print("\n".join(section(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
