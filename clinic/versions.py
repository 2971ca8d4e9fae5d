"""A record's `version` (its ETag, API.md General) moves only when the record
changes: an empty or no-op edit keeps it, so every other client's `If-Match`
stays good and nothing is audited as changed."""

from collections.abc import Callable
from contextlib import nullcontext

from django.db import transaction

try:  # the test command's N+1 detector (NPLUSONE_CHECKS): the record is read twice
    # on purpose, before and after the write, which is not an N+1 of a list
    from zeal import zeal_ignore as _read_twice_on_purpose
except ImportError:  # production installs no test tools
    _read_twice_on_purpose = nullcontext


class _Unchanged(Exception):
    pass


def write_if_changed(*, content: Callable[[], object], write: Callable[[], None]) -> bool:
    """Run `write()` in a savepoint and undo it when `content()` reads the same
    after as before. True when something changed.

    Comparing what the record reads as, rather than the request's fields, also
    catches a list sent again in another spelling (`m54.2` for `M54.2`)."""
    with _read_twice_on_purpose():
        before = content()
    try:
        with transaction.atomic():
            write()
            with _read_twice_on_purpose():
                after = content()
            if after == before:
                raise _Unchanged
    except _Unchanged:
        return False
    return True
