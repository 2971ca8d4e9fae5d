"""A record's `version` (its ETag, API.md General) moves only when the record
changes: an empty or no-op edit keeps it, so every other client's `If-Match`
stays good and nothing is audited as changed."""

from collections.abc import Callable

from django.db import transaction


class _Unchanged(Exception):
    pass


def write_if_changed(*, content: Callable[[], object], write: Callable[[], None]) -> bool:
    """Run `write()` in a savepoint and undo it when `content()` reads the same
    after as before. True when something changed.

    Comparing what the record reads as, rather than the request's fields, also
    catches a list sent again in another spelling (`m54.2` for `M54.2`)."""
    before = content()
    try:
        with transaction.atomic():
            write()
            if content() == before:
                raise _Unchanged
    except _Unchanged:
        return False
    return True
