"""The clinic's load: therapists open today's list and log notes, the front
desk opens the week and books series, doctors open progress, the patient list
and the diagnosis search, through the API and as pages (bench/pages.py); the
floor ladder runs in the same mix, under the same load, so each endpoint is
reported as a ratio to it.

Two shapes (bench/run.py picks one by class name):
- `ClinicUser`: closed loop, each user sends its next request when the last
  one answers (no think time: the highest pressure 50 users can make);
- `OpenLoop`: one dispatcher sends requests at a fixed Poisson rate whatever
  the answers take, so a slow server shows as latency, not as fewer requests
  (a closed loop hides tail latency under overload by slowing its clients).

Everything a request needs (tokens, ids, free slots) comes from the fixture
file bench/run.py writes after seeding (BENCH_FIXTURE)."""

import itertools
import json
import os
import random
import time
import uuid
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant, task

FIXTURE = json.loads(open(os.environ["BENCH_FIXTURE"]).read())  # noqa: SIM115
# Several app processes (the scaling-out run): requests go round-robin.
HOSTS = itertools.cycle([h for h in os.environ.get("BENCH_HOSTS", "").split(",") if h] or [""])
BOOKINGS = list(FIXTURE["bookings"])  # each free slot is booked once per run
NOTE_POOLS = {t["id"]: list(t["pool"]) for t in FIXTURE["therapists"]}
NOTE_BODY = {
    "pain_before": 6,
    "pain_after": 4,
    "subjective": "Stiff after a long drive.",
    "objective": "Taut band, upper trapezius; full range with end-range pain.",
    "assessment": "Responding to trigger point work.",
    "plan_text": "Continue twice weekly; add stretches.",
    "response": "improved",
    "adverse_reaction": "",
}


def auth(token: str) -> dict:
    return {"Authorization": f"Token {token}", "Accept": "application/json"}


def url(path: str, **query) -> str:
    return next(HOSTS) + path + ("?" + urlencode(query) if query else "")


def expect(response, status: int) -> None:
    if response.status_code != status:
        response.failure(f"{response.status_code}: {(response.text or '')[:200]}")


def get(client, name, path, token, status=200, **query):
    with client.get(url(path, **query), headers=auth(token), name=name, catch_response=True) as r:
        expect(r, status)


def post(client, name, path, token, body, status=201):
    headers = {**auth(token), "Idempotency-Key": str(uuid.uuid4())}
    with client.post(url(path), json=body, headers=headers, name=name, catch_response=True) as r:
        expect(r, status)


# --- the requests of the mix ------------------------------------------------------------------


def therapist_today(client):
    therapist = random.choice(FIXTURE["therapists"])
    day = FIXTURE["today"]
    get(
        client,
        "therapist: today's appointments",
        "/api/v1/appointments/",
        therapist["token"],
        therapist=therapist["id"],
        start_after=day["start"],
        start_before=day["end"],
    )


def therapist_logs_note(client):
    therapist = random.choice(FIXTURE["therapists"])
    pool = NOTE_POOLS[therapist["id"]]
    if not pool:  # this therapist's backlog is logged: open the day instead
        return therapist_today(client)
    appointment, region, side, modalities = pool.pop()
    areas = [{"region": region, "side": side, "modalities": modalities, "minutes": 40}]
    body = {**NOTE_BODY, "appointment": appointment, "areas": areas}
    post(client, "therapist: log session note", "/api/v1/session-notes/", therapist["token"], body)


def front_desk_week(client):
    desk = random.choice(FIXTURE["front_desk"])
    week = FIXTURE["week"]
    get(
        client,
        "front desk: week calendar",
        "/api/v1/appointments/",
        desk["token"],
        start_after=week["start"],
        start_before=week["end"],
    )


def front_desk_books_series(client):
    if not BOOKINGS:
        return front_desk_week(client)
    desk = random.choice(FIXTURE["front_desk"])
    body = BOOKINGS.pop(0)
    post(client, "front desk: book series", "/api/v1/appointment-series/", desk["token"], body)


def doctor_progress(client):
    doctor = random.choice(FIXTURE["doctors"])
    plan = random.choice(doctor["plans"])
    path = f"/api/v1/treatment-plans/{plan}/progress/"
    get(client, "doctor: plan progress", path, doctor["token"])


def doctor_patients(client):
    doctor = random.choice(FIXTURE["doctors"])
    if random.random() < 0.5:
        get(client, "doctor: patient list", "/api/v1/patients/", doctor["token"])
    else:
        name = random.choice(FIXTURE["last_names"])
        get(client, "doctor: patient list", "/api/v1/patients/", doctor["token"], search=name)


def diagnosis_search(client):
    doctor = random.choice(FIXTURE["doctors"])
    term = random.choice(FIXTURE["searches"])
    get(client, "doctor: diagnosis search", "/api/v1/diagnoses/", doctor["token"], search=term)


# --- the pages (issue 17, item 4): signed in by session cookie, as a browser is ------------


def page(client, name, path, cookie, **query):
    headers = {"Cookie": cookie, "Accept": "text/html"}
    with client.get(url(path, **query), headers=headers, name=name, catch_response=True) as r:
        expect(r, 200)


def therapist_today_page(client):
    therapist = random.choice(FIXTURE["therapists"])
    page(client, "page: therapist's today", "/today/", therapist["cookie"])


def therapist_note_form(client):
    therapist = random.choice(FIXTURE["therapists"])
    if not therapist["pool"]:
        return therapist_today_page(client)
    visit = therapist["pool"][0][0]  # the oldest backlog visit: logged last
    page(client, "page: note form", f"/visits/{visit}/note/", therapist["cookie"])


def front_desk_week_page(client):
    desk = random.choice(FIXTURE["front_desk"])
    monday = FIXTURE["week"]["start"][:10]
    name = "page: week calendar, all therapists"
    page(client, name, "/week/", desk["cookie"], view="week", date=monday)


def doctor_my_patients_page(client):
    doctor = random.choice(FIXTURE["doctors"])
    page(client, "page: doctor's my patients", "/my-patients/", doctor["cookie"])


def doctor_progress_page(client):
    doctor = random.choice(FIXTURE["doctors"])
    plan = random.choice(doctor["plans"])
    page(client, "page: plan progress", f"/plans/{plan}/progress/", doctor["cookie"])


def floor_plain(client):
    client.get(url("/bench/plain/"), name="floor 1: plain view")


def floor_select1(client):
    client.get(url("/bench/select1/"), name="floor 2: SELECT 1")


def floor_me(client):
    get(client, "floor 3: /api/v1/me/", "/api/v1/me/", FIXTURE["floor_token"])


# (request, weight): a therapist opens the day far more often than anything else.
MIX = [
    (therapist_today, 24),
    (therapist_logs_note, 8),
    (front_desk_week, 12),
    (front_desk_books_series, 3),
    (doctor_progress, 12),
    (doctor_patients, 12),
    (diagnosis_search, 8),
    (therapist_today_page, 6),
    (therapist_note_form, 4),
    (front_desk_week_page, 4),
    (doctor_my_patients_page, 4),
    (doctor_progress_page, 4),
    (floor_plain, 7),
    (floor_select1, 7),
    (floor_me, 7),
]
# BENCH_MIX=floor_plain,floor_me,... keeps only those requests (the sizing ladder).
if os.environ.get("BENCH_MIX"):
    MIX = [(a, w) for a, w in MIX if a.__name__ in os.environ["BENCH_MIX"].split(",")]


class ClinicUser(FastHttpUser):
    """Closed loop: one request at a time, the next as soon as it answers."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 30.0

    @task
    def one_request(self):
        action = random.choices([a for a, _ in MIX], weights=[w for _, w in MIX])[0]
        action(self.client)


class OpenLoop(FastHttpUser):
    """Open loop: requests leave at BENCH_RATE per second (Poisson arrivals),
    each in its own greenlet, however long the earlier ones take."""

    fixed_count = 1
    wait_time = constant(0)
    concurrency = 500  # connections the dispatcher may hold open at once
    network_timeout = 30.0
    connection_timeout = 30.0

    @task
    def dispatch(self):
        rate = float(os.environ.get("BENCH_RATE", "100"))
        actions = [a for a, _ in MIX]
        weights = [w for _, w in MIX]
        due = time.perf_counter()
        while True:
            due += random.expovariate(rate)
            delay = due - time.perf_counter()
            if delay > 0:
                gevent.sleep(delay)
            action = random.choices(actions, weights=weights)[0]
            gevent.spawn(action, self.client)
