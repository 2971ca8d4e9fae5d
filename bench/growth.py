"""How cost grows with data (issue 17, item 5): the same endpoints and pages
measured on the clinic at two sizes, and per endpoint the ratio of the larger
size's p50 to the smaller's (target at most 1.5: index-bound, not data-bound),
with the EXPLAIN plans of the five slowest at the larger size.

    .venv/bin/python bench/run.py --growth 1,10          # 5,000 and 50,000 patients
    .venv/bin/python bench/run.py --quick --growth 1,2   # a tiny pair: the code path

A size k multiplies the history, not the width of the clinic: the same 40
therapists (so a page of one therapist's day, or the week of all of them, shows
as much at every size), k times the patients, the weeks of visits and the
signed notes; at k=10 that is 50,000 patients and 600,000 visits. Each size is
its own database (`<database>_x<k>`, seeded once and kept) measured in its own
process; the p50 is the in-process service time (Django's test client with the
production settings, no load generator and no queue), so what grows is the
app's and PostgreSQL's work, not the queueing of a shared machine."""

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

TARGET = 1.5
SLOWEST = 5
PLANS_SHOWN = 3
EXECUTION = re.compile(r"Execution Time: ([0-9.]+) ms")


def scaled(scale, k: int):
    """`scale` with k times the patients, weeks and notes (the therapists kept)."""
    if k == 1:
        return scale
    weeks = (scale.weeks_past + scale.weeks_ahead) * k
    return replace(
        scale,
        patients_per_therapist=scale.patients_per_therapist * k,
        weeks_past=weeks - scale.weeks_ahead,
        notes=scale.notes * k,
    )


def measure_one(args, out: Path, log) -> dict:
    """In this process (the database of size args.growth_one set up already):
    the query counts and service times of the mix, and the plans of the slowest."""
    from bench import harness, run

    fx = run.reset_and_fixture()
    queries = harness.query_counts(fx)
    fx = run.reset_and_fixture()
    repeat = 5 if args.quick else 30
    log(f"  x{args.growth_one}: service time of each endpoint ({repeat} calls each)")
    service = harness.service_times(fx, repeat=repeat)
    fx = run.reset_and_fixture()
    measured = [n for n in service if not n.startswith("floor")]
    slowest = sorted(measured, key=lambda n: service[n]["wall_p50"], reverse=True)[:SLOWEST]
    plans = harness.explain(fx, names=slowest)
    run.reset_and_fixture()
    scale = run.scale_of(args)
    found = {
        "k": args.growth_one,
        "patients": scale.patients,
        "appointments": scale.appointments,
        "notes": scale.notes,
        "queries": {n: q["queries"] for n, q in queries.items()},
        "failed": {n: q["status"] for n, q in queries.items() if not q["ok"]},
        "service": service,
        "plans": plans,
    }
    out.write_text(json.dumps(found))
    return found


def run_growth(args, root: Path, out_dir: Path, log) -> Path:
    """One process per size, then the comparison, written beside RESULTS.md."""
    sizes = [int(k) for k in args.growth.split(",")]
    if len(sizes) != 2 or sizes[0] >= sizes[1]:
        raise SystemExit("--growth takes two sizes, the smaller first: e.g. 1,10")
    found = []
    for k in sizes:
        out = out_dir / f"growth-x{k}.json"
        command = [
            sys.executable,
            str(root / "bench" / "run.py"),
            f"--growth-one={k}",
            f"--database-url={args.database_url}",
            f"--redis-url={args.redis_url}",
            *(["--quick"] if args.quick else []),
        ]
        log(f"size x{k}: seeding if needed and measuring ({' '.join(command[2:])})")
        subprocess.run(command, check=True, cwd=root)
        found.append(json.loads(out.read_text()))
    name = "RESULTS-growth-quick.md" if args.quick else "RESULTS-growth.md"
    path = root / "bench" / name
    from bench import run

    title = "Growth: cost against data size"
    run.write_results(path, title, [[f"- commit: {run.commit()}"], section(*found)])
    return path


def section(small: dict, large: dict) -> list[str]:
    factor = large["k"] / small["k"]
    lines = [
        f"x{small['k']}: {small['patients']:,} patients, {small['appointments']:,} visits, "
        f"{small['notes']:,} signed notes; x{large['k']}: {large['patients']:,} patients, "
        f"{large['appointments']:,} visits, {large['notes']:,} signed notes ({factor:g} times "
        "the data, the same 40 therapists). p50: the median in-process service time "
        "(wall), on a machine shared with other work.",
        "",
        f"| endpoint | p50 ms x{small['k']} | p50 ms x{large['k']} | ratio | "
        f"queries x{small['k']} | queries x{large['k']} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(large["service"]):
        before = small["service"].get(name, {}).get("wall_p50")
        after = large["service"][name]["wall_p50"]
        ratio = after / before if before else float("nan")
        mark = "" if name.startswith("floor") or ratio <= TARGET else f" **over {TARGET}x**"
        lines.append(
            f"| {name} | {before or 0:.1f} | {after:.1f} | {ratio:.2f}{mark} | "
            f"{small['queries'].get(name, '')} | {large['queries'].get(name, '')} |"
        )
    failed = {**small["failed"], **large["failed"]}
    if failed:
        lines += ["", f"Requests that did not get their expected answer: {failed}"]
    lines += [
        "",
        f"### The {SLOWEST} slowest at x{large['k']}: EXPLAIN ANALYZE",
        "",
        f"Each endpoint's {PLANS_SHOWN} costliest statements by execution time; the full plans",
        f"are in var/bench/growth-x{large['k']}.json.",
        "",
    ]
    from bench.run import plan_summary

    for name, plans in large["plans"].items():
        lines += [f"- **{name}**"]
        costliest = sorted(plans, key=lambda p: execution_ms(p["plan"]), reverse=True)
        lines += [f"  - `{plan_summary(p['plan'])}`" for p in costliest[:PLANS_SHOWN]]
    return lines


def execution_ms(plan: str) -> float:
    found = EXECUTION.search(plan)
    return float(found.group(1)) if found else 0.0
