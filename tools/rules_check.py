"""`make rules-check`: each clinic rule of tools/rules.toml is proved by its tests.

For every rule, the named code is disabled in a throwaway copy of the project
(one exact piece of text replaced by another: a small mutation), and the named
tests run against that copy. The rule is proved when they fail. The check
fails when a rule's tests still pass without it, when they fail even with it,
or when its code is no longer where the table says (then update the table).

    .venv/bin/python tools/rules_check.py            # every rule
    .venv/bin/python tools/rules_check.py -k visit   # rules whose name has "visit"
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tools" / "rules.toml"
# What the copy leaves out: the venv, local data, caches.
SKIP = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.egg-info", "node_modules")


@dataclass
class Rule:
    name: str
    enforced_in: str  # path of the file, relative to the project root
    find: str  # text that occurs exactly once in that file
    replace: str  # what it becomes with the rule disabled
    tests: list[str]  # pytest node ids that must fail without the rule


def load_rules(path: Path = TABLE) -> list[Rule]:
    with path.open("rb") as table:
        return [Rule(**row) for row in tomllib.load(table)["rule"]]


def disable(rule: Rule, copy: Path) -> None:
    """Apply the rule's mutation to the copy; the text must be there exactly once."""
    target = copy / rule.enforced_in
    text = target.read_text()
    found = text.count(rule.find)
    if found != 1:
        raise LookupError(
            f"{rule.name}: {rule.enforced_in} has the rule's text {found} times, not once; "
            "update tools/rules.toml where the code moved"
        )
    target.write_text(text.replace(rule.find, rule.replace))


def run_tests(copy: Path, tests: list[str], database: Path) -> int:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CLINIC_TEST_NOW")
    }
    env["TEST_DATABASE_NAME"] = str(database)
    # --reuse-db: the first run migrates the test database, the mutants reuse it
    command = [sys.executable, "-m", "pytest", "-q", "-x", "--reuse-db", "-p", "no:cacheprovider"]
    command += tests
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    return done.returncode


def fresh_copy(base: Path) -> Path:
    copy = base / "project"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(ROOT, copy, ignore=SKIP)
    return copy


def check(rules: list[Rule]) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory(prefix="rules-check-") as tmp:
        base = Path(tmp)
        database = base / "test.sqlite3"
        every_test = sorted({t for rule in rules for t in rule.tests})
        print(f"== with every rule: {len(every_test)} tests must pass", flush=True)
        if run_tests(fresh_copy(base), every_test, database) != 0:
            return ["the named tests fail with every rule in place; fix them first"]
        for rule in rules:
            started = time.monotonic()
            copy = fresh_copy(base)
            try:
                disable(rule, copy)
            except LookupError as error:
                problems.append(str(error))
                print(f"MOVED   {rule.name}", flush=True)
                continue
            code = run_tests(copy, rule.tests, database)
            took = time.monotonic() - started
            if code == 1:  # pytest: tests ran and some failed
                print(f"proved  {rule.name} ({took:.0f} s)", flush=True)
            elif code == 0:
                problems.append(f"{rule.name}: its tests pass without it ({', '.join(rule.tests)})")
                print(f"SURVIVES {rule.name}", flush=True)
            else:
                problems.append(f"{rule.name}: pytest exited {code} with the rule disabled")
                print(f"BROKEN  {rule.name} (pytest exit {code})", flush=True)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only the rules whose name contains this")
    args = parser.parse_args()
    rules = [r for r in load_rules() if args.k.lower() in r.name.lower()]
    if not rules:
        print(f"no rule matches {args.k!r}")
        return 2
    problems = check(rules)
    for problem in problems:
        print(f"FAIL: {problem}")
    print(f"rules-check: {len(rules) - len(problems)} of {len(rules)} rules proved by their tests")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
