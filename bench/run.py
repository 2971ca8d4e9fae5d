"""`make bench`: seed the bench clinic into PostgreSQL, serve it with gunicorn
as production would, drive it with locust (closed loop, then a fixed rate),
race the reminder worker against a plain loop, and write bench/RESULTS.md.

    .venv/bin/python bench/run.py            # the whole benchmark (< 10 minutes)
    .venv/bin/python bench/run.py --ladder   # size gunicorn from the floor ladder
    .venv/bin/python bench/run.py --replicas 2   # two app processes, round-robin
    .venv/bin/python bench/run.py --only reminders   # the reminder race alone
"""

import argparse
import contextlib
import csv
import json
import os
import platform
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# locust from another environment (BENCH_LOCUST=/path/to/locust), else beside this Python
LOCUST = os.environ.get("BENCH_LOCUST") or str(BIN / "locust")
OUT = ROOT / "var" / "bench"
FIXTURE = OUT / "fixture.json"
RESULTS = ROOT / "bench" / "RESULTS.md"
ANALYSIS = ROOT / "bench" / "ANALYSIS.md"
# The open loop's rate, as a share of the closed loop's throughput: loaded, not
# saturated (on a machine shared with other work, capacity moves under the run).
OPEN_SHARE = 0.5
FLOOR = "floor 3: /api/v1/me/"

# Until `--ladder` has measured this machine (bench/LADDER.md, bench/ladder.json).
DEFAULT_SIZING = {"workers": 4, "threads": 1, "conn_max_age": 60}
# `--quick`: the code path on a shared machine in about a minute. The 40 therapists
# stay (the week calendar draws them all); 600 patients, 7,200 visits over 6 weeks.
QUICK = {"therapists": 40, "doctors": 4, "front_desk": 2, "patients_per_therapist": 15,
         "weeks_past": 4, "weeks_ahead": 2, "notes": 3_200}  # fmt: skip


def sizing() -> dict:
    chosen = ROOT / "bench" / "ladder.json"
    return json.loads(chosen.read_text()) if chosen.exists() else DEFAULT_SIZING


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def configure(args) -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "k" * 40,
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_URL": "memorymail://",
            "REDIS_URL": args.redis_url,
            "LOG_LEVEL": "WARNING",
            # the pages' stylesheet and scripts, by hashed name, as production serves them
            "STATIC_ROOT": str(OUT / "staticfiles"),
            "CONN_MAX_AGE": str(args.conn_max_age),
            # the bench measures capacity: its few users write for a whole clinic
            "API_WRITE_RATE": "1000000/min",
        }
    )


# --- the database ---------------------------------------------------------------------------


def admin_sql(url: str, *statements: str) -> None:
    import psycopg2

    base = url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(base)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    connection.close()


def ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    if fresh:
        log(f"dropping database {name} (a fresh seed)")
        admin_sql(
            url,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
            "AND pid <> pg_backend_pid()",
            f'DROP DATABASE IF EXISTS "{name}"',
        )
    try:
        psycopg2.connect(url).close()
    except psycopg2.OperationalError:
        log(f"creating database {name}")
        admin_sql(url, f'CREATE DATABASE "{name}"')


def prepare_database(args) -> None:
    import django

    ensure_database(args.database_url, fresh=args.reseed)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench import dataset

    log("migrating; collecting the static files (DEBUG=0 pages name them by hash)")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("buildschema", verbosity=0)  # as the Dockerfile builds it
    since = dataset.seeded_at()
    if since and timezone.localtime(since).date() != timezone.localdate():
        # "today" moved on: the backlog and the week would no longer fit the seed.
        log(f"the seed is from {timezone.localtime(since).date()}; seeding again for today")
        connection.close()
        ensure_database(args.database_url, fresh=True)
        call_command("migrate", verbosity=0, interactive=False)
    dataset.seed(scale_of(args), log=lambda line: log(line.strip()))


def scale_of(args):
    from bench.dataset import FULL, Scale
    from bench.growth import scaled

    scale = Scale(**QUICK) if getattr(args, "quick", False) else FULL
    return scaled(scale, getattr(args, "growth_one", 0) or 1)


# --- processes ------------------------------------------------------------------------------------


class App:
    """One gunicorn master with its workers, as production runs it."""

    def __init__(self, port: int, workers: int, threads: int, env: dict | None = None):
        self.port, self.workers, self.threads = port, workers, threads
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        self.env = env or {}  # over the bench's environment (PgBouncer's DATABASE_URL)

    def command(self) -> list[str]:
        return [
            str(BIN / "gunicorn"),
            "clinic.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            f"--worker-class={'gthread' if self.threads > 1 else 'sync'}",
            "--backlog=2048",
            # Longer than any client or balancer idles a connection: a server that
            # closes a kept-alive connection as the client reuses it fails a POST.
            "--keep-alive=75",
            "--timeout=60",
            "--log-level=warning",
            f"--error-logfile={OUT / f'gunicorn-{self.port}.log'}",
        ]

    def start(self) -> "App":
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env={**os.environ, **self.env}, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/bench/plain/", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn on {self.url} did not answer; see {OUT}")

    def peak_rss_mb(self) -> list[float]:
        """VmHWM of each worker: the kernel's own peak of its resident set."""
        import psutil

        peaks = []
        for child in psutil.Process(self.process.pid).children():
            status = Path(f"/proc/{child.pid}/status").read_text()
            kb = next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")
            )
            peaks.append(kb / 1024)
        return peaks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # our own master, by pid; it stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def read_stats(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open() as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def run_locust(label: str, hosts: list[str], *, users: int, seconds: int, rate: float = 0) -> dict:
    """One headless locust run; prints its progress; returns its stats by name."""
    prefix = OUT / label
    for old in OUT.glob(f"{label}_*.csv"):
        old.unlink()
    env = {
        **os.environ,
        "BENCH_FIXTURE": str(FIXTURE),
        "BENCH_HOSTS": ",".join(hosts) if len(hosts) > 1 else "",
        "BENCH_RATE": str(rate),
    }
    classes = ["OpenLoop"] if rate else ["ClinicUser"]
    command = [
        LOCUST,
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        f"--users={1 if rate else users}",
        f"--spawn-rate={max(users, 1)}",
        f"--run-time={seconds}s",
        f"--host={hosts[0]}",
        f"--csv={prefix}",
        "--stop-timeout=10",
        "--loglevel=WARNING",
        *classes,
    ]
    import psutil

    began = time.monotonic()
    output = (OUT / f"{label}.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    watched, cpu = psutil.Process(process.pid), 0.0
    while process.poll() is None:
        for _ in range(10):
            time.sleep(1)
            try:
                times = watched.cpu_times()
                cpu = times.user + times.system
            except psutil.Error:
                break
        total = read_stats(Path(f"{prefix}_stats.csv")).get("Aggregated")
        if total and process.poll() is None:
            log(
                f"  {label}: {time.monotonic() - began:4.0f}/{seconds}s  "
                f"{int(total['Request Count']):>7,} requests  "
                f"{float(total['Requests/s']):6.1f}/s  {total['Failure Count']} failures"
            )
    output.close()
    stats = read_stats(Path(f"{prefix}_stats.csv"))
    # The load generator's own share of the 2 cores, as a fraction of one core.
    stats["_locust_cpu"] = cpu / max(time.monotonic() - began, 1)
    return stats


class CpuSampler(threading.Thread):
    """The machine's CPU use while a run goes: other processes show here."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.running = True

    def run(self):
        import psutil

        psutil.cpu_percent()
        while self.running:
            time.sleep(1)
            self.samples.append(psutil.cpu_percent())

    def stop(self) -> float:
        self.running = False
        return sum(self.samples) / len(self.samples) if self.samples else 0.0


# --- the phases ---------------------------------------------------------------------------


def reset_and_fixture() -> dict:
    from bench import harness

    undone = harness.reset()
    if any(undone.values()):
        log(f"  back to the seed: removed {undone['notes']} notes, {undone['appointments']} visits")
    return harness.write_fixture(FIXTURE)


def load_runs(args, apps: list[App]) -> dict:
    hosts = [app.url for app in apps]
    loadavg = os.getloadavg()[0]
    reset_and_fixture()
    log("warming up (5 s, not counted)")
    run_locust("warmup", hosts, users=10, seconds=5)
    reset_and_fixture()
    log(f"closed loop: {args.users} users, no think time, {args.seconds} s")
    cpu = CpuSampler()
    cpu.start()
    closed = run_locust("closed", hosts, users=args.users, seconds=args.seconds)
    closed_cpu = cpu.stop()
    capacity = float(closed.get("Aggregated", {}).get("Requests/s", 0) or 0)
    rate = args.rate or round(capacity * OPEN_SHARE, 1) or 50
    reset_and_fixture()
    share = f"{OPEN_SHARE:.0%} of the closed loop's throughput"
    log(f"open loop: a fixed {rate}/s ({share}), {args.seconds} s")
    cpu = CpuSampler()
    cpu.start()
    opened = run_locust("open", hosts, users=1, seconds=args.seconds, rate=rate)
    open_cpu = cpu.stop()
    peaks = [mb for app in apps for mb in app.peak_rss_mb()]
    return {
        "loadavg": loadavg,
        "closed": closed,
        "open": opened,
        "rate": rate,
        "cpu": {"closed": closed_cpu, "open": open_cpu},
        "peak_rss": peaks,
    }


def wait_for_worker(celery_app, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if celery_app.control.ping(timeout=1):
            return
    raise RuntimeError(f"the Celery worker did not answer; see {OUT / 'worker.log'}")


def reminder_race(args) -> dict:
    """10,000 due reminders through the real worker against a plain loop."""
    from bench import harness
    from clinic.celery import app as celery_app
    from scheduling.tasks import scan_reminders

    count = args.reminders
    log(f"reminders: {count:,} due, a real Celery worker (2 processes, Redis, locmem mail)")
    worker_log = (OUT / "worker.log").open("w")
    command = [
        str(BIN / "celery"),
        "-A",
        "clinic",
        "worker",
        "--concurrency=2",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    celery_app.control.purge()  # leftovers of an interrupted run
    # A full batch queues the next scan at once, so what is timed is the
    # worker's delivery, not beat's one-scan-a-minute schedule.
    batch = args.reminder_batch or harness.settings.REMINDER_BATCH_SIZE
    env = {**os.environ, "REMINDER_BATCH_SIZE": str(batch)}
    worker = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log, start_new_session=True
    )
    try:
        wait_for_worker(celery_app)
        with harness.DueReminders(count) as due:
            scans = -(-count // batch)
            began = time.perf_counter()
            scan_reminders.delay()
            sent, last_print = 0, began
            while sent < count and time.perf_counter() - began < args.reminder_timeout:
                time.sleep(0.2)
                sent = count - due.left()
                if time.perf_counter() - last_print > 10:
                    log(f"  worker: {sent:,}/{count:,} sent")
                    last_print = time.perf_counter()
            worker_seconds = time.perf_counter() - began
            sent = due.sent()
            log(f"  worker: {sent:,} sent in {worker_seconds:.1f}s; now the plain loop")
            loop_seconds = harness.plain_loop(due.ids())
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        worker_log.close()
    sample = min(count, 1000)
    log(f"  the same services in process, no Celery: {sample:,} reminders")
    services = harness.service_loop(sample) / sample * count
    # A worker stopped by the timeout is judged on the rate it reached.
    worker_full = worker_seconds * count / sent if sent else float("inf")
    return {
        "count": count,
        "sent": sent,
        "worker": worker_seconds,
        "worker_full": worker_full,
        "loop": loop_seconds,
        "services": services,
        "ratio": worker_full / loop_seconds if loop_seconds else float("nan"),
        "scans": scans,
        "batch": batch,
    }


# --- the report ---------------------------------------------------------------------------


def commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + (" (with uncommitted changes in the tree)" if dirty else "")


def ms(row: dict, key: str) -> float:
    return float(row.get(key) or 0)


def table(stats: dict, queries: dict) -> list[str]:
    floor = stats.get(FLOOR, {})
    floor_p99 = ms(floor, "99%") or 1
    lines = [
        "| endpoint | requests | rps | p50 ms | p95 ms | p99 ms | p99 / me | failures | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(stats):
        if name == "Aggregated" or name.startswith("_"):
            continue
        row = stats[name]
        ratio = ms(row, "99%") / floor_p99
        mark = "" if name.startswith("floor") or ratio <= 3 else " **over 3x**"
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {float(row['Requests/s']):.1f} | "
            f"{ms(row, '50%'):.0f} | {ms(row, '95%'):.0f} | {ms(row, '99%'):.0f} | "
            f"{ratio:.2f}{mark} | {row['Failure Count']} | "
            f"{queries.get(name, {}).get('queries', '')} |"
        )
    total = stats.get("Aggregated")
    if total:
        lines.append(
            f"| **all** | {int(total['Request Count']):,} | {float(total['Requests/s']):.1f} | "
            f"{ms(total, '50%'):.0f} | {ms(total, '95%'):.0f} | {ms(total, '99%'):.0f} | | "
            f"{total['Failure Count']} | |"
        )
    return lines


def ladder_lines(stats: dict) -> list[str]:
    rungs = ["floor 1: plain view", "floor 2: SELECT 1", FLOOR]
    lines = []
    below = None
    for rung in rungs:
        p50, p99 = ms(stats.get(rung, {}), "50%"), ms(stats.get(rung, {}), "99%")
        note = f" ({p99 / below:.2f}x the rung below)" if below else ""
        lines.append(f"- {rung}: p50 {p50:.0f} ms, p99 {p99:.0f} ms{note}")
        below = p99 or None
    return lines


def plan_summary(plan: str) -> str:
    keep = [
        line.strip()
        for line in plan.splitlines()
        if any(k in line for k in ("Scan", "Execution Time", "Sort", "Limit", "Aggregate"))
    ]
    return "; ".join(keep)


def header(args, load: dict) -> list[str]:
    peaks, scale = load["peak_rss"], scale_of(args)
    return [
        f"- commit: {commit()}",
        f"- machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; load generator, app, PostgreSQL and Redis share it",
        f"- app: gunicorn, {len(args.apps)} process(es) x {args.apps[0].workers} workers x "
        f"{args.threads} thread(s) ({'gthread' if args.threads > 1 else 'sync'}), "
        f"DEBUG=0, "
        + (
            "through PgBouncer (transaction mode, pool 20, PGBOUNCER=1, CONN_MAX_AGE=0)"
            if getattr(args, "pgbouncer", False)
            else f"CONN_MAX_AGE={args.conn_max_age}"
        )
        + " (sizing: bench/LADDER.md)",
        f"- data: {scale.therapists} therapists, {scale.doctors} doctors, {scale.patients:,} "
        f"patients, {scale.appointments:,} appointments over "
        f"{scale.weeks_past + scale.weeks_ahead} weeks, {scale.notes:,} signed notes "
        f"(bench/dataset.py{', `--quick`' if args.quick else ''})",
        f"- mean CPU of the whole machine: {load['cpu']['closed']:.0f}% in the closed loop, "
        f"{load['cpu']['open']:.0f}% in the open loop; locust itself used "
        f"{load['closed'].get('_locust_cpu', 0) * 100:.0f}% and "
        f"{load['open'].get('_locust_cpu', 0) * 100:.0f}% of one core. Load average before "
        f"the run: {load['loadavg']:.1f}. Other helpers' processes (tests, browsers) may have "
        "been running on the same 2 cores.",
        f"- peak RSS of a worker (VmHWM): {max(peaks):.0f} MB (all: "
        f"{', '.join(f'{p:.0f}' for p in peaks)} MB)",
    ]


def load_sections(args, load: dict, queries: dict) -> list[str]:
    return [
        f"## Closed loop: {args.users} users, no think time, {args.seconds} s",
        "",
        "Every user sends its next request as soon as the last one answers: the",
        "throughput ceiling, and the latency of a saturated server (queueing dominates).",
        "",
        *table(load["closed"], queries),
        "",
        *ladder_lines(load["closed"]),
        "",
        f"## Open loop: a fixed {load['rate']} requests/s (Poisson), {args.seconds} s",
        "",
        f"Requests leave on schedule whatever the answers take ({OPEN_SHARE:.0%} of the closed",
        "loop's throughput), so service time, not a closed loop's queue, shows in the tail.",
        "",
        *table(load["open"], queries),
        "",
        *ladder_lines(load["open"]),
        "",
        "`queries`: SQL statements of one request, counted in process, BEGIN/COMMIT and",
        "savepoints left out. `p99 / me`: the endpoint's p99 over `/api/v1/me/`'s (target 3).",
        "",
    ]


def service_section(service: dict, repeat: int = 30) -> list[str]:
    floor = service.get(FLOOR, {})
    lines = [
        "## Service time in process (no load generator, no queue)",
        "",
        f"{repeat} calls of each endpoint through Django's test client with the production",
        "settings: the median wall time, and the mean CPU time of the app's Python (PostgreSQL",
        "and disk waits are not in it). CPU time is the figure a shared machine disturbs least.",
        "",
        "| endpoint | wall p50 ms | CPU ms | CPU / me |",
        "|---|---:|---:|---:|",
    ]
    for name in sorted(service):
        row = service[name]
        ratio = row["cpu"] / floor["cpu"] if floor.get("cpu") else float("nan")
        lines.append(f"| {name} | {row['wall_p50']:.1f} | {row['cpu']:.2f} | {ratio:.1f} |")
    return lines


def race_section(race: dict) -> list[str]:
    return [
        "## Reminder scan",
        "",
        f"{race['count']:,} due reminders: a real Celery worker (2 prefork processes, Redis "
        f"broker, locmem email) sent {race['sent']:,} in {race['worker']:.1f} s; a plain loop "
        f"rendering and sending the same messages took {race['loop']:.1f} s. "
        f"**Ratio {race['ratio']:.2f}** (target: at most 2)."
        + (
            ""
            if race["sent"] == race["count"]
            else f" The worker was stopped by the timeout; at its rate all {race['count']:,} "
            f"would take {race['worker_full']:.0f} s, which the ratio uses."
        ),
        "",
        "Per reminder: plain loop "
        f"{race['loop'] / race['count'] * 1000:.2f} ms; the services without Celery (one "
        f"claim, then `reminder_delivery.deliver` of the batch: one SELECT, each message sent "
        f"and noted in the Redis journal, one UPDATE of all outcomes) "
        f"{race['services'] / race['count'] * 1000:.2f} ms; the worker "
        f"{race['worker_full'] / race['count'] * 1000:.2f} ms of wall time with 2 processes.",
        "",
        f"The worker ran with REMINDER_BATCH_SIZE={race['batch']}: {race['scans']} scans "
        "(`scheduling.tasks.scan_reminders`), each claiming a batch, queueing one "
        "`send_reminders` for it and, the batch being full, the next scan at once; the two "
        "processes take whichever task comes. The plain loop is one process.",
        "",
    ]


def plan_section(plans: dict) -> list[str]:
    lines = ["## Query plans at the bench size (EXPLAIN ANALYZE)", ""]
    for name, found in plans.items():
        lines += [f"### {name}", ""]
        lines += [f"- `{plan_summary(item['plan'])}`" for item in found]
        lines += ["", "<details><summary>plans</summary>", ""]
        for item in found:
            lines += ["```", item["sql"], "", item["plan"], "```", ""]
        lines += ["</details>", ""]
    return lines


def profile_section(prof: dict) -> list[str]:
    return [
        f"## Profile of the slowest endpoint: {prof['name']}",
        "",
        f"pyinstrument over {prof['repeat']} in-process requests ({prof['per_call']:.1f} ms "
        "each, under the profiler); the full tree is var/bench/profile.html.",
        "",
        "```",
        *prof["text"].splitlines()[:90],
        "```",
        "",
    ]


def write_results(path: Path, title: str, sections: list[list[str]]) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# {title}", "", f"Written by `bench/run.py` ({stamp}).", ""]
    for section in sections:
        lines += [*section, ""]
    text = "\n".join(lines).rstrip() + "\n"
    path.write_text(text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="each load run")
    parser.add_argument("--rate", type=float, default=0, help="open loop rate (default: 50%%)")
    parser.add_argument("--workers", type=int, default=sizing()["workers"])
    parser.add_argument("--threads", type=int, default=sizing()["threads"])
    parser.add_argument("--conn-max-age", type=int, default=sizing()["conn_max_age"])
    parser.add_argument("--replicas", type=int, default=1, help="app processes, round-robin")
    parser.add_argument(
        "--pgbouncer", action="store_true", help="the apps through PgBouncer (transaction mode)"
    )
    parser.add_argument("--port", type=int, default=8101, help="the first app process's port")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--reminder-timeout", type=int, default=120)
    parser.add_argument(
        "--reminder-batch", type=int, default=0, help="REMINDER_BATCH_SIZE (0: as configured)"
    )
    parser.add_argument("--ladder", action="store_true", help="size gunicorn (bench/LADDER.md)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small clinic (its own database, clinic_bench_quick), 10 users, 15 s runs,\n"
        "5 in-process calls each; no profile, memory or reminder race: the code path\n"
        "on a shared machine in about a minute (bench/RESULTS-quick.md)",
    )
    parser.add_argument(
        "--only", choices=["reminders"], help="one part alone, written to RESULTS-<part>.md"
    )
    parser.add_argument(
        "--growth",
        metavar="K1,K2",
        help="growth: the mix in process at two data sizes (k times the patients,\n"
        "visits and notes; databases <database>_x<k>), the ratio of p50s per endpoint\n"
        "and the plans of the slowest five (bench/RESULTS-growth.md; bench/growth.py)",
    )
    parser.add_argument("--growth-one", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        quick_defaults(args, argv or sys.argv[1:])
    began = time.monotonic()
    if args.growth:
        configure(args)
        from bench.growth import run_growth

        path = run_growth(args, ROOT, OUT, log)
        print(path.read_text())
        log(f"done in {time.monotonic() - began:.0f}s; wrote {path.relative_to(ROOT)}")
        return 0
    if args.growth_one:  # one size of --growth, in its own database
        args.database_url = f"{args.database_url}_x{args.growth_one}"
    configure(args)
    prepare_database(args)
    if args.growth_one:
        from bench.growth import measure_one

        measure_one(args, OUT / f"growth-x{args.growth_one}.json", log)
        return 0
    if args.ladder:
        from bench.ladder import run_ladder

        run_ladder(args)
        return 0
    if args.only == "reminders":
        return reminders_only(args, began)

    from bench import harness

    fx = reset_and_fixture()
    log("query counts and EXPLAIN plans, in process")
    queries = harness.query_counts(fx)
    for name, found in queries.items():
        if not found["ok"]:
            log(f"  {name}: {found['status']} {found['body']}")
    plans = harness.explain(fx)
    repeat = 5 if args.quick else 30
    log(f"service time of each endpoint, in process ({repeat} calls each)")
    service = harness.service_times(fx, repeat=repeat)
    # Scaling out: the same workers split over several app processes (ports).
    per_app = max(1, round(args.workers / args.replicas))
    with contextlib.ExitStack() as stack:
        env = {}
        if args.pgbouncer:
            from bench.pgbouncer import PgBouncer

            env = stack.enter_context(PgBouncer(args.database_url)).app_env()
            log(f"PgBouncer in transaction mode in front of PostgreSQL: {env['DATABASE_URL']}")
        args.apps = [App(args.port + i, per_app, args.threads, env) for i in range(args.replicas)]
        log(f"starting {args.replicas} gunicorn(s): {per_app} workers x {args.threads} threads")
        try:
            for app in args.apps:
                app.start()
            load = load_runs(args, args.apps)
        finally:
            for app in args.apps:
                app.stop()
    sections = [header(args, load), service_section(service, repeat)]
    sections.append(load_sections(args, load, queries))
    if args.pgbouncer:
        path = RESULTS.with_name("RESULTS-pgbouncer.md")
        title = f"{args.replicas} app process(es), round-robin, through PgBouncer"
    elif args.replicas > 1:
        path, title = RESULTS.with_name("RESULTS-replicas.md"), "Two app processes, round-robin"
    elif args.quick:
        path, title = RESULTS.with_name("RESULTS-quick.md"), "Quick benchmark (a small clinic)"
        sections.append(plan_section(plans))
    else:
        path, title = RESULTS, "Benchmark results"
        reset_and_fixture()
        name = max(service, key=lambda n: service[n]["wall_p50"])  # the least noisy figure
        log(f"profiling the slowest endpoint: {name}")
        per_call, repeat, text, html = harness.profile(fx, name)
        (OUT / "profile.html").write_text(html)
        prof = {"name": name, "repeat": repeat, "per_call": per_call, "text": text}
        reset_and_fixture()
        from bench import memory

        log("memory of one worker after every page and endpoint (bench/memory.py)")
        worker_memory = memory_pass(args)
        race = reminder_race(args) if args.reminders else None
        from bench import targets

        sections.insert(1, targets.section(load, race, worker_memory, FLOOR, ROOT))
        sections += [race_section(race) if race else [], plan_section(plans)]
        sections.append(profile_section(prof))
        sections.append(memory.section(worker_memory))
        if ANALYSIS.exists():  # the hand-written reading of these figures
            sections.append(ANALYSIS.read_text().splitlines())
    text = write_results(path, title, sections)
    reset_and_fixture()
    print()
    print("\n".join(line for line in text.splitlines() if line.startswith(("|", "- ", "**"))))
    log(f"done in {time.monotonic() - began:.0f}s; wrote {path.relative_to(ROOT)}")
    return 0


def memory_pass(args) -> dict:
    """bench/memory.py on the demo clinic with one record of every kind, in a database
    of its own: the bench's clinic lacks claims, documents, reports and the waitlist."""
    out = OUT / "memory.json"
    url = args.database_url.rsplit("/", 1)[0] + "/clinic_bench_memory"
    command = [sys.executable, str(ROOT / "bench" / "memory.py"), f"--database-url={url}"]
    subprocess.run([*command, f"--redis-url={args.redis_url}", f"--json={out}"], check=True)
    return json.loads(out.read_text())


def quick_defaults(args, given: list[str]) -> None:
    """`--quick` sizes what the command line left at its default."""

    def default(flag: str) -> bool:
        return not any(a == flag or a.startswith(flag + "=") for a in given)

    if default("--database-url") and "BENCH_DATABASE_URL" not in os.environ:
        args.database_url = args.database_url.rsplit("/", 1)[0] + "/clinic_bench_quick"
    if default("--users"):
        args.users = 10
    if default("--seconds"):
        args.seconds = 15
    if default("--reminders"):
        args.reminders = 0


def reminders_only(args, began: float) -> int:
    """The reminder race alone (minutes, not the whole bench), in its own file."""
    loadavg = os.getloadavg()[0]
    race = reminder_race(args)
    stamp = [
        f"- commit: {commit()}",
        f"- machine: {os.cpu_count()} cores, load average before the run "
        f"{loadavg:.1f}; other helpers' processes share it",
    ]
    path = RESULTS.with_name("RESULTS-reminders.md")
    text = write_results(path, "Reminder scan alone", [stamp, race_section(race)])
    print(text)
    log(f"done in {time.monotonic() - began:.0f}s; wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
