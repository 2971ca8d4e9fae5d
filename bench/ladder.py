"""Sizing gunicorn for 2 cores from the floor ladder (`bench/run.py --ladder`).

Each configuration serves the three rungs (a plain view, one SELECT 1,
/api/v1/me/) plus two common reads of the mix (a therapist's day, the patient
list) to 50 closed-loop users; the one with the most requests per second wins,
a lower p99 breaking near-ties (within 5%). Then persistent connections
(CONN_MAX_AGE=60) are compared with a connection per request (0). The figures
go to bench/LADDER.md, the choice to bench/ladder.json, which bench/run.py
reads."""

import json
import os
import time

from bench.run import FLOOR, OUT, ROOT, App, log, ms, reset_and_fixture, run_locust

CONFIGS = [(2, 1), (3, 1), (4, 1), (5, 1), (2, 4), (3, 2), (4, 2), (2, 8)]
RUNGS = ["floor 1: plain view", "floor 2: SELECT 1", FLOOR, "therapist: today's appointments"]
MIX = "floor_plain,floor_select1,floor_me,therapist_today,doctor_patients"
CHOICE = ROOT / "bench" / "ladder.json"
REPORT = ROOT / "bench" / "LADDER.md"


def measure(workers: int, threads: int, seconds: int, users: int) -> dict:
    app = App(8101, workers, threads).start()
    try:
        run_locust("ladder-warmup", [app.url], users=10, seconds=3)
        stats = run_locust("ladder", [app.url], users=users, seconds=seconds)
    finally:
        app.stop()
    total = stats.get("Aggregated", {})
    row = {
        "workers": workers,
        "threads": threads,
        "conn_max_age": int(os.environ["CONN_MAX_AGE"]),
        "rps": float(total.get("Requests/s") or 0),
        "p99": ms(total, "99%"),
        "failures": int(total.get("Failure Count") or 0),
        "rungs": {
            r: {"p50": ms(stats.get(r, {}), "50%"), "p99": ms(stats.get(r, {}), "99%")}
            for r in RUNGS
        },
    }
    log(
        f"  {workers} workers x {threads} threads, CONN_MAX_AGE={row['conn_max_age']}: "
        f"{row['rps']:.0f} req/s, p99 {row['p99']:.0f} ms, {row['failures']} failures"
    )
    return row


def best(rows: list[dict]) -> dict:
    top = max(r["rps"] for r in rows)
    near = [r for r in rows if r["rps"] >= 0.95 * top and not r["failures"]] or rows
    return min(near, key=lambda r: r["p99"])


def line(row: dict) -> str:
    rungs = " | ".join(f"{v['p50']:.0f} / {v['p99']:.0f}" for v in row["rungs"].values())
    return (
        f"| {row['workers']} x {row['threads']} "
        f"({'gthread' if row['threads'] > 1 else 'sync'}) | {row['conn_max_age']} | "
        f"{row['rps']:.0f} | {row['p99']:.0f} | {rungs} | {row['failures']} |"
    )


def run_ladder(args) -> dict:
    reset_and_fixture()
    os.environ["BENCH_MIX"] = MIX
    seconds = min(args.seconds, 20)
    try:
        log(f"ladder: {len(CONFIGS)} gunicorn configurations, {seconds} s each")
        rows = [measure(w, t, seconds, args.users) for w, t in CONFIGS]
        chosen = best(rows)
        other_age = 0 if args.conn_max_age else 60
        os.environ["CONN_MAX_AGE"] = str(other_age)
        log(f"ladder: the chosen configuration again with CONN_MAX_AGE={other_age}")
        compared = measure(chosen["workers"], chosen["threads"], seconds, args.users)
        os.environ["CONN_MAX_AGE"] = str(args.conn_max_age)
    finally:
        os.environ.pop("BENCH_MIX", None)
    ages = sorted([chosen, compared], key=lambda r: -r["rps"])
    choice = {
        "workers": chosen["workers"],
        "threads": chosen["threads"],
        "conn_max_age": ages[0]["conn_max_age"],
    }
    CHOICE.write_text(json.dumps(choice, indent=2) + "\n")
    header = " | ".join(f"{r} p50 / p99 ms" for r in RUNGS)
    REPORT.write_text(
        "\n".join(
            [
                "# Sizing gunicorn on the floor ladder",
                "",
                f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
                f"{os.cpu_count()} cores by `bench/run.py --ladder`: {args.users} closed-loop "
                f"users, {seconds} s per configuration, a mix of the three floor rungs, a "
                "therapist's day and the patient list. Load generator, PostgreSQL and the app "
                "share the machine; other processes may have been running.",
                "",
                f"| workers x threads | CONN_MAX_AGE | req/s | p99 ms | {header} | failures |",
                "|---|---:|---:|---:|" + "---:|" * len(RUNGS) + "---:|",
                *[line(r) for r in rows],
                line(compared),
                "",
                f"Chosen: **{choice['workers']} workers x {choice['threads']} thread(s), "
                f"CONN_MAX_AGE={choice['conn_max_age']}** (the most requests per second; a "
                "lower p99 breaks ties within 5%). bench/run.py reads bench/ladder.json.",
                "",
            ]
        )
    )
    log(f"ladder: chose {choice}; wrote {REPORT.relative_to(ROOT)}")
    return choice


__all__ = ["run_ladder", "OUT"]
