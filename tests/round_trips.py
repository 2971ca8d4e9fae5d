"""Counting round trips where a database splits one statement in several.

SQLite takes at most 999 parameters a statement, so Django splits a large
bulk INSERT into consecutive INSERTs into the same table and columns. Those are
still one statement's worth of work for the code under test: counted here as
one. PostgreSQL never splits, and its count stays exact."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _insert_head(sql: str) -> str | None:
    """`INSERT INTO "t" ("a", "b") ` for an INSERT, else None."""
    if not sql.lstrip().upper().startswith("INSERT INTO"):
        return None
    head, values, _ = sql.partition(" VALUES ")
    return head if values else None


def round_trips(queries) -> int:
    """The statements run, a split bulk INSERT (SQLite only) counted once."""
    count, previous = 0, None
    for query in queries:
        head = _insert_head(query["sql"]) if connection.vendor == "sqlite" else None
        if head is None or head != previous:
            count += 1
        previous = head
    return count


@contextmanager
def assert_round_trips(expected: int | None = None, *, at_most: int | None = None):
    """Like django_assert_num_queries (or ..._max_...), counting round trips;
    yields the capture (its `round_trips` is set on exit)."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    captured.round_trips = round_trips(captured.captured_queries)
    listing = "\n".join(q["sql"][:200] for q in captured.captured_queries)
    if expected is not None:
        assert captured.round_trips == expected, f"{captured.round_trips} != {expected}:\n{listing}"
    if at_most is not None:
        assert captured.round_trips <= at_most, f"{captured.round_trips} > {at_most}:\n{listing}"
