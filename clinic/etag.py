"""ETags from a row's `version` column, and `If-Match` as compare-and-set
(API.md, General): a PATCH whose If-Match no longer matches is a 412 and
changes nothing, even when two clients race."""

import hashlib
import json
import re

from django.db.models import F
from rest_framework.utils.encoders import JSONEncoder

from .api_errors import PreconditionFailed

_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def etag_of(obj) -> str:
    version = getattr(obj, "version", None)
    if isinstance(version, int):
        return f'"{version}"'
    # rows without a version (series, measurements) never change through the
    # API; their last change stands in for it
    stamp = getattr(obj, "updated_at", None) or getattr(obj, "at", "")
    digest = hashlib.sha256(f"{obj.pk}:{stamp}".encode()).hexdigest()[:16]
    return f'"{digest}"'


def etag_of_answer(data) -> str:
    """A weak ETag of an answer computed from many rows (a plan's progress, a FHIR
    bundle's entries): it changes when the answer does. Weak, since a computed
    answer has no version to compare with If-Match; it tells a client whether
    what it holds is still current."""
    body = json.dumps(data, sort_keys=True, cls=JSONEncoder)
    return f'W/"{hashlib.sha256(body.encode()).hexdigest()[:16]}"'


def _versions(header: str) -> list[int]:
    return [int(tag) for tag in _TAG.findall(header) if tag.isdigit() and len(tag) < 10]


def claim_version(obj, request) -> None:
    """Lock `obj` at the version the client read, or raise 412.

    One `UPDATE ... WHERE version IN (...)` with a row-count check: the row stays
    locked until the request's transaction ends, so nobody can slip a change in
    between this check and the service's write (no check-then-save)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return
    versions = _versions(header)
    claimed = (
        type(obj).objects.filter(pk=obj.pk, version__in=versions).update(version=F("version"))
        if versions
        else 0
    )
    if claimed != 1:
        raise PreconditionFailed()
