"""The issue's targets against this run's figures, first in bench/RESULTS.md, and
the latest runs that take longer than `make bench`'s ten minutes (growth at 10x
data, two replicas through PgBouncer) copied in from their own files."""

import re
from pathlib import Path

from bench import memory

WRITES = ("therapist: log session note", "front desk: book series")
STAMP = re.compile(r"Written by `bench/run.py` \((.+)\)")


def _p99_ratio(stats: dict, name: str, floor: str) -> float | None:
    row, base = stats.get(name), stats.get(floor)
    if not row or not base or not float(base.get("99%") or 0):
        return None
    return float(row["99%"]) / float(base["99%"])


def _verdict(value: float | None, target: float, unit: str = "x") -> str:
    if value is None:
        return "not measured"
    shown = f"{value:.2f}{unit}" if unit == "x" else f"{value:.0f} {unit}"
    return f"{shown}: {'met' if value <= target else '**over**'}"


def _companion(path: Path, *, whole: bool) -> tuple[str, list[str]]:
    """(when it was written, what to copy), or ("", []) when it was never run:
    `whole`, everything above its plans; else its header and each loop's total."""
    if not path.exists():
        return "", []
    text = path.read_text().splitlines()
    stamp = next((m.group(1) for line in text if (m := STAMP.search(line))), "")
    body = text[next(i for i, line in enumerate(text) if STAMP.search(line)) + 1 :]
    if whole:
        return stamp, [line for line in body[: _index(body, "### ")]]
    header = [line for line in body[: _index(body, "## ")] if line.startswith("- ")]
    totals = [line for line in body if line.startswith("| **all**")]
    loops = ["| loop | requests | rps | p50 ms | p95 ms | p99 ms | | failures | |",
             "|---|---:|---:|---:|---:|---:|---|---:|---|"]  # fmt: skip
    named = [
        line.replace("**all**", name, 1)
        for line, name in zip(totals, ("closed", "open"), strict=False)
    ]
    return stamp, [*header, "", *loops, *named]


def _index(lines: list[str], prefix: str) -> int:
    return next((i for i, line in enumerate(lines) if line.startswith(prefix)), len(lines))


def _growth_worst(lines: list[str]) -> float | None:
    ratios = []
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if (
            len(cells) >= 4
            and re.fullmatch(r"[0-9.]+", cells[3])
            and not cells[0].startswith("floor")
        ):
            ratios.append(float(cells[3]))
    return max(ratios) if ratios else None


def section(
    load: dict, race: dict | None, worker_memory: dict, floor: str, root: Path
) -> list[str]:
    opened = load["open"]
    pages = [n for n in opened if n.startswith("page:")]
    endpoints = [n for n in opened if n != "Aggregated" and not n.startswith(("floor", "_"))]
    worst = lambda names: max(  # noqa: E731 - a one-line helper for the rows below
        (r for n in names if (r := _p99_ratio(opened, n, floor)) is not None), default=None
    )
    growth_at, growth = _companion(root / "bench" / "RESULTS-growth.md", whole=True)
    bouncer_at, bouncer = _companion(root / "bench" / "RESULTS-pgbouncer.md", whole=False)
    failures = int(opened.get("Aggregated", {}).get("Failure Count") or 0)
    rows = [
        ("Reminders: a real worker over the bare loop, 10,000 reminders", "2x",
         _verdict(race["ratio"], 2) if race else "not run (--reminders 0)"),
        ("Writes: logging a note, booking a series (open loop p99 / floor's)", "3x",
         _verdict(worst(WRITES), 3)),
        ("Pages in the mix (open loop p99 / floor's, the worst)", "3x", _verdict(worst(pages), 3)),
        ("Every endpoint and page (open loop p99 / floor's, the worst)", "3x",
         _verdict(worst(endpoints), 3)),
        ("A worker's peak resident memory after every path", f"{memory.TARGET_MB} MB",
         _verdict(worker_memory["peak_mb"], memory.TARGET_MB, "MB")),
        ("Growth x1 to x10: the worst endpoint's ratio of p50s", "1.5x",
         _verdict(_growth_worst(growth), 1.5) + (f" (run of {growth_at})" if growth_at else "")),
        ("Failed requests in the open loop", "0", str(failures)),
    ]  # fmt: skip
    lines = [
        "## Targets (issue 17)",
        "",
        "| target | at most | this run |",
        "|---|---:|---|",
        *(f"| {what} | {limit} | {found} |" for what, limit, found in rows),
        "",
        "A ratio over its target is read in bench/ANALYSIS.md (the machine's own load"
        " shows in the floor's p99).",
        "",
    ]
    for title, stamp, body, command in (
        ("Growth at 10x data", growth_at, growth, "--growth 1,10"),
        ("Two replicas through PgBouncer", bouncer_at, bouncer, "--replicas 2 --pgbouncer"),
    ):
        if body:
            lines += [
                f"### {title} (its own run, {stamp}: `bench/run.py {command}`)",
                "",
                *body,
                "",
            ]
    return lines
