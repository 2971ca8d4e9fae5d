"""The in-process parts of the benchmark (Django set up by bench/run.py):
restoring the seeded state between runs, the load generator's fixture, query
counts and EXPLAIN plans of the endpoints, the profile of the slowest one, and
the reminder scan against a plain loop."""

import json
import random
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.dataset import LAST_NAMES, seeded_at, token_key
from bench.pages import pages_of_the_mix, session_cookie
from billing.models import NoteService
from clinic.models import IdempotencyKey, User
from referrals.models import PlanArea, TreatmentPlan
from scheduling.models import Appointment, AppointmentSeries, Reminder
from sessions_log.models import Addendum, NoteArea, SessionNote

SEARCHES = ["neck", "low back", "shoulder pain", "headache", "M54", "myalgia", "M62.83"]
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
SERIES_COUNT = 6  # visits per booked series: Mon+Thu (or Tue+Fri) for 3 weeks
SERIES_CELLS = 20  # a therapist's free (weekday pair, hour) cells in 3 weeks


def local_midnight(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE))


# --- back to the seeded state ---------------------------------------------------------------


@transaction.atomic
def reset() -> dict:
    """Undo what a load run wrote (notes, series, idempotency keys), so every
    run starts from the same clinic. Audit events stay: they are append-only."""
    since = seeded_at()
    notes = SessionNote.objects.filter(created_at__gt=since)
    logged = list(notes.values_list("appointment_id", flat=True))
    NoteService.objects.filter(note__in=notes).delete()  # derived by billing as it logged
    NoteArea.modalities.through.objects.filter(notearea__note__in=notes).delete()
    NoteArea.objects.filter(note__in=notes).delete()
    Addendum.objects.filter(note__in=notes).delete()
    removed_notes = notes.delete()[0]
    Appointment.objects.filter(pk__in=logged).update(
        status="booked", status_changed_at=None, version=1
    )
    booked = Appointment.objects.filter(created_at__gt=since)
    Reminder.objects.filter(appointment__in=booked).delete()
    removed_visits = booked.delete()[0]
    AppointmentSeries.objects.filter(created_at__gt=since).delete()
    IdempotencyKey.objects.all().delete()
    return {"notes": removed_notes, "appointments": removed_visits}


# --- what the load generator needs ----------------------------------------------------------------


def _token(username: str) -> str:
    return token_key(username)


def _plan_areas() -> dict:
    areas = {}
    for area in PlanArea.objects.prefetch_related("modalities"):
        areas.setdefault(
            str(area.plan_id),
            [area.region, area.side, sorted(m.code for m in area.modalities.all())],
        )
    return areas


def _note_pools(therapists) -> dict:
    """Each therapist's backlog: past visits still booked, no note; oldest first
    (the load generator pops the newest)."""
    areas = _plan_areas()
    pools = {str(t.pk): [] for t in therapists}
    backlog = (
        Appointment.objects.filter(status="booked", start__lt=timezone.now())
        .filter(session_note__isnull=True, therapist__in=therapists)
        .order_by("start")
        .values_list("pk", "therapist_id", "plan_id")
    )
    for pk, therapist_id, plan_id in backlog:
        region, side, modalities = areas[str(plan_id)]
        pools[str(therapist_id)].append([str(pk), region, side, modalities])
    return pools


def _bookings(therapists) -> list[dict]:
    """One free six-visit series per plan, after the seeded year: therapist
    by therapist, each (weekday pair, hour) cell of a 3-week block used once, so
    no booking clashes with the seed or with another booking of the run."""
    last = Appointment.objects.order_by("-start").values_list("start", flat=True).first()
    last_day = timezone.localtime(last).date()
    base = last_day + timedelta(days=7 - last_day.weekday() + 7)  # a Monday, a week clear
    plans = {}
    for pk, therapist_id in TreatmentPlan.objects.filter(
        therapist__in=therapists, status="approved"
    ).values_list("pk", "therapist_id"):
        plans.setdefault(str(therapist_id), []).append(str(pk))
    bookings = []
    for therapist_id, own in plans.items():
        for n, plan in enumerate(sorted(own)):
            block, cell = divmod(n, SERIES_CELLS)
            tuesday, hour = divmod(cell, SERIES_CELLS // 2)
            day = base + timedelta(weeks=3 * block, days=tuesday)
            start = local_midnight(day) + timedelta(hours=8 + hour)
            bookings.append(
                {
                    "n": n,
                    "plan": plan,
                    "therapist": therapist_id,
                    "start": start.isoformat(),
                    "duration_minutes": 45,
                    "rrule": f"FREQ=WEEKLY;BYDAY={'TU,FR' if tuesday else 'MO,TH'};"
                    f"COUNT={SERIES_COUNT}",
                }
            )
    # Round-robin over therapists, so consecutive bookings touch different rows.
    bookings.sort(key=lambda b: (b.pop("n"), b["therapist"]))
    return bookings


def fixture() -> dict:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    therapists = list(User.objects.filter(username__startswith="bench_therapist_"))
    pools = _note_pools(therapists)
    rng = random.Random(7)
    doctors = []
    for doctor in User.objects.filter(username__startswith="bench_doctor_"):
        plans = list(
            TreatmentPlan.objects.filter(referral__doctor=doctor).values_list("pk", flat=True)
        )
        chosen = rng.sample(plans, min(200, len(plans)))
        doctors.append(
            {
                "token": _token(doctor.username),
                "cookie": session_cookie(doctor),
                "plans": [str(p) for p in chosen],
            }
        )
    desks = User.objects.filter(username__startswith="bench_front_desk_")
    return {
        "today": {
            "start": local_midnight(today).isoformat(),
            "end": local_midnight(today + timedelta(days=1)).isoformat(),
        },
        "week": {
            "start": local_midnight(monday).isoformat(),
            "end": local_midnight(monday + timedelta(days=7)).isoformat(),
        },
        "therapists": [
            {
                "id": str(t.pk),
                "token": _token(t.username),
                "cookie": session_cookie(t),
                "pool": pools[str(t.pk)],
            }
            for t in therapists
        ],
        "front_desk": [{"token": _token(d.username), "cookie": session_cookie(d)} for d in desks],
        "doctors": doctors,
        "bookings": _bookings(therapists),
        "searches": SEARCHES,
        "last_names": LAST_NAMES[:30],
        "floor_token": _token(desks[0].username),
    }


def write_fixture(path) -> dict:
    data = fixture()
    path.write_text(json.dumps(data))
    return data


# --- the endpoints in process: queries, plans, profile ------------------------------------------


def client(token: str | None = None) -> Client:
    """A client with an API token, or with a page's session cookie (`name=key`)."""
    if token and "=" in token:
        signed_in = Client(SERVER_NAME="127.0.0.1")
        name, key = token.split("=", 1)
        signed_in.cookies[name] = key
        return signed_in
    extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return Client(SERVER_NAME="127.0.0.1", **extra)


def requests_of_the_mix(fx: dict, n: int = 0) -> dict:
    """Each endpoint of the mix as (token, method, path, query or body, status);
    `n` picks another therapist, backlog visit, doctor's plan and free slot."""
    therapists = fx["therapists"]
    therapist = therapists[n % len(therapists)]
    doctor = fx["doctors"][n % len(fx["doctors"])]
    appointment, region, side, modalities = therapist["pool"][-1 - n // len(therapists)]
    note = {
        "appointment": appointment,
        "pain_before": 6,
        "pain_after": 4,
        "areas": [{"region": region, "side": side, "modalities": modalities, "minutes": 40}],
        "response": "improved",
    }
    booking = fx["bookings"][n]
    return {
        "therapist: today's appointments": (
            therapist["token"],
            "get",
            "/api/v1/appointments/",
            {"therapist": therapist["id"], **_window(fx["today"])},
            200,
        ),
        "therapist: log session note": (
            therapist["token"],
            "post",
            "/api/v1/session-notes/",
            note,
            201,
        ),
        "front desk: week calendar": (
            fx["front_desk"][0]["token"],
            "get",
            "/api/v1/appointments/",
            _window(fx["week"]),
            200,
        ),
        "front desk: book series": (
            fx["front_desk"][0]["token"],
            "post",
            "/api/v1/appointment-series/",
            booking,
            201,
        ),
        "doctor: plan progress": (
            doctor["token"],
            "get",
            f"/api/v1/treatment-plans/{doctor['plans'][n % len(doctor['plans'])]}/progress/",
            {},
            200,
        ),
        "doctor: patient list": (doctor["token"], "get", "/api/v1/patients/", {}, 200),
        "doctor: diagnosis search": (
            doctor["token"],
            "get",
            "/api/v1/diagnoses/",
            {"search": "neck"},
            200,
        ),
        **pages_of_the_mix(fx, n),
        "floor 1: plain view": (None, "get", "/bench/plain/", {}, 200),
        "floor 2: SELECT 1": (None, "get", "/bench/select1/", {}, 200),
        "floor 3: /api/v1/me/": (fx["floor_token"], "get", "/api/v1/me/", {}, 200),
    }


def _window(window: dict) -> dict:
    return {"start_after": window["start"], "start_before": window["end"]}


def call(request):
    token, method, path, data, expected = request
    if method == "get":
        response = client(token).get(path, data)
    else:
        response = client(token).post(path, json.dumps(data), content_type="application/json")
    return response, expected


def query_counts(fx: dict) -> dict:
    """Queries per request of each endpoint (the writes are undone by reset())."""
    counts = {}
    for name, request in requests_of_the_mix(fx).items():
        with CaptureQueriesContext(connection) as queries:
            response, expected = call(request)
        statements = [q["sql"] for q in queries.captured_queries]
        counts[name] = {
            "queries": sum(1 for sql in statements if not sql.startswith(TRANSACTION_CONTROL)),
            "status": response.status_code,
            "ok": response.status_code == expected,
            "body": "" if response.status_code == expected else response.content[:300].decode(),
        }
    return counts


# the sign-in's own reads (token, session, its user), left out of the plans
SIGN_IN_READS = re.compile(
    r'knox_authtoken|django_session|FROM "clinic_user" WHERE "clinic_user"."id" ='
)
EXPLAINED = (
    "therapist: today's appointments",
    "page: week calendar, all therapists",
    "front desk: week calendar",
    "doctor: patient list",
    "doctor: plan progress",
)


def service_times(fx: dict, *, repeat: int = 30) -> dict:
    """Each endpoint's cost in process, free of the load generator and of the
    queue: the median wall time, and the mean CPU time of this process (the
    app's Python; PostgreSQL's work and disk waits are not in it), which other
    processes on a shared machine barely disturb. Writes are undone by reset()."""
    times: dict = {}
    for n in range(repeat + 1):
        for name, request in requests_of_the_mix(fx, n + 1).items():
            wall, cpu = time.perf_counter(), time.process_time()
            call(request)
            if n:  # the first round warms caches and connections
                entry = times.setdefault(name, {"wall": [], "cpu": []})
                entry["wall"].append((time.perf_counter() - wall) * 1000)
                entry["cpu"].append((time.process_time() - cpu) * 1000)
    return {
        name: {"wall_p50": sorted(t["wall"])[len(t["wall"]) // 2], "cpu": sum(t["cpu"]) / repeat}
        for name, t in times.items()
    }


def explain(fx: dict, names=EXPLAINED) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the SELECTs behind the today list, the week
    calendar, the patient list and a plan's progress (or the endpoints `names`),
    captured from the real requests (the sign-in's own reads left out)."""
    mix = requests_of_the_mix(fx)
    plans = {}
    for name in names:
        with CaptureQueriesContext(connection) as queries:
            call(mix[name])
        plans[name] = []
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or SIGN_IN_READS.search(sql):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                text = "\n".join(row[0] for row in cursor.fetchall())
            plans[name].append({"sql": sql, "plan": text})
    return plans


def profile(fx: dict, name: str, *, repeat: int = 200, budget: float = 20.0):
    """Where the time of one endpoint goes, by pyinstrument over up to `repeat`
    calls or `budget` seconds; the writes of a POST are undone by reset()."""
    from pyinstrument import Profiler

    call(requests_of_the_mix(fx)[name])  # warm: imports, caches, the first connection
    profiler = Profiler(interval=0.0005)
    began, done = time.perf_counter(), 0
    profiler.start()
    while done < repeat and time.perf_counter() - began < budget:
        done += 1
        call(requests_of_the_mix(fx, done)[name])  # a POST needs a new visit or slot
    profiler.stop()
    per_call = (time.perf_counter() - began) / done * 1000
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return per_call, done, text, profiler.output_html()


# --- the reminder scan ------------------------------------------------------------------------


class DueReminders:
    """10,000 pending reminders of future visits made due now; everything else
    that happens to be due is leased away so the scan sees exactly these."""

    def __init__(self, count: int):
        self.count = count
        self.chosen: list[tuple] = []
        self.leased: list = []

    def __enter__(self):
        now = timezone.now()
        candidates = (
            Reminder.objects.filter(
                status="pending",
                channel="email",
                due_at__gt=now,
                appointment__status="booked",
                appointment__start__gt=now + timedelta(hours=2),
            )
            .order_by("due_at")
            .values_list("pk", "due_at")[: self.count]
        )
        self.chosen = list(candidates)
        if len(self.chosen) < self.count:
            raise RuntimeError(f"only {len(self.chosen)} future email reminders to make due")
        ids = [pk for pk, _ in self.chosen]
        self.made_due_at = now - timedelta(seconds=1)
        with transaction.atomic():
            Reminder.objects.filter(pk__in=ids).update(due_at=self.made_due_at)
            others = Reminder.objects.filter(status="pending", due_at__lte=now).exclude(pk__in=ids)
            self.leased = list(others.values_list("pk", flat=True))
            others.update(claimed_until=now + timedelta(days=1))
        return self

    def ids(self):
        return [pk for pk, _ in self.chosen]

    def sent(self) -> int:
        return Reminder.objects.filter(pk__in=self.ids(), status="sent").count()

    def left(self) -> int:
        """Still pending of the chosen (all made due at the same instant), cheaply:
        the scan's index, no list of 10,000 ids; polled while the worker runs, it
        must not slow it down."""
        return Reminder.objects.filter(status="pending", due_at=self.made_due_at).count()

    def __exit__(self, *exc):
        rows = list(Reminder.objects.filter(pk__in=self.ids()))
        due = dict(self.chosen)
        for row in rows:
            row.due_at, row.status, row.attempts = due[row.pk], "pending", 0
            row.sent_at, row.claimed_until, row.last_error = None, None, ""
        Reminder.objects.bulk_update(
            rows,
            ["due_at", "status", "attempts", "sent_at", "claimed_until", "last_error"],
            batch_size=2000,
        )
        Reminder.objects.filter(pk__in=self.leased).update(claimed_until=None)


def plain_loop(ids) -> float:
    """The floor of the reminder scan: the same messages, rendered and sent
    one after the other, with no claim, no task and no status writes."""
    from scheduling import reminders

    began = time.perf_counter()
    rows = list(
        Reminder.objects.select_related("appointment__patient", "appointment__therapist").filter(
            pk__in=ids
        )
    )
    for reminder in rows:
        reminders.send(reminder)
    return time.perf_counter() - began


def service_loop(count: int) -> float:
    """The worker's services without Celery: one claim, then `deliver` of the
    batch, in process. Worker minus this is the cost of the tasks."""
    from scheduling import reminder_delivery, reminders

    with DueReminders(count):
        began = time.perf_counter()
        reminder_delivery.deliver(reminders.claim_due(limit=count))
        return time.perf_counter() - began
