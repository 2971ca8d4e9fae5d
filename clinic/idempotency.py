"""`Idempotency-Key` on POST (API.md, General): a tablet retrying on bad Wi-Fi
gets the first response again instead of a second session note.

The key's row is inserted before the work runs, inside the request's
transaction: a concurrent retry blocks on the unique constraint until the first
request commits (then replays its response) or rolls back (then does the work
itself). Only successful responses are kept; a refused request rolls back with
its key, so the client may correct the body and retry under the same key."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from .api_errors import KeyReused
from .errors import Conflict
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(days=1)
MAX_KEY_LENGTH = 255


@dataclass
class Replay(Exception):
    """Raised instead of running the view: answer with the stored response."""

    status: int
    body: object
    etag: str = ""


def _plain_body(data):
    """A multipart body's fields as lists, each file as the SHA-256 of its bytes:
    the same upload repeated is the same request, another file is not."""
    if not hasattr(data, "getlist"):
        return data
    return {key: [_file_or_value(v) for v in data.getlist(key)] for key in data}


def _file_or_value(value):
    if not hasattr(value, "chunks"):
        return value
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return f"file sha256:{digest.hexdigest()}"


def fingerprint(request) -> str:
    """SHA-256 of the method, path and parsed body: the same JSON with other
    spacing is the same request."""
    body = json.dumps(_plain_body(request.data), sort_keys=True, cls=JSONEncoder)
    raw = f"{request.method}\n{request.get_full_path()}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or not request.user.is_authenticated:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [f"Send 1 to {MAX_KEY_LENGTH} characters."]})
    return key


def begin(request) -> IdempotencyKey | None:
    """Claim the request's key, or raise `Replay` (seen before) / `KeyReused` (422)."""
    key = _key_of(request)
    if key is None:
        return None
    print_ = fingerprint(request)
    claimed = _claim(user=request.user, key=key, request_fingerprint=print_)
    if claimed is not None:
        return claimed
    # the key was used; by now its first request has committed
    first = IdempotencyKey.objects.get(user=request.user, key=key)
    if first.request_fingerprint != print_:
        raise KeyReused()
    if first.response_status is None:
        raise Conflict("The first request with this Idempotency-Key is still running.")
    raise Replay(status=first.response_status, body=first.response_body, etag=first.response_etag)


def _claim(*, user, key: str, request_fingerprint: str) -> IdempotencyKey | None:
    """Insert the key's row, or take over the row of the same key older than a
    day (forgotten: the key starts afresh), in one statement; None when the key
    is in use. A concurrent first request holding the key makes this wait for
    its end, as a plain INSERT would. PostgreSQL and SQLite both speak it."""
    row = IdempotencyKey(user=user, key=key, request_fingerprint=request_fingerprint)
    row.created_at = timezone.now()
    meta, qn = IdempotencyKey._meta, connection.ops.quote_name
    fields = [meta.get_field(n) for n in ("user", "key", "request_fingerprint", "created_at")]
    table, (who, what, print_, born) = qn(meta.db_table), [qn(f.column) for f in fields]
    answer = [
        qn(meta.get_field(n).column) for n in ("response_status", "response_body", "response_etag")
    ]
    sql = (
        f"INSERT INTO {table} ({who}, {what}, {print_}, {born}, {answer[2]}) "
        f"VALUES (%s, %s, %s, %s, '') "
        f"ON CONFLICT ({who}, {what}) DO UPDATE SET {print_} = excluded.{print_}, "
        f"{born} = excluded.{born}, {answer[0]} = NULL, {answer[1]} = NULL, {answer[2]} = '' "
        f"WHERE {table}.{born} < %s RETURNING {qn(meta.pk.column)}"
    )
    params = [f.get_db_prep_value(getattr(row, f.attname), connection) for f in fields]
    stale = meta.get_field("created_at").get_db_prep_value(row.created_at - KEEP_FOR, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, stale])
        found = cursor.fetchone()
    if found is None:
        return None
    row.pk = found[0]
    return row


def finish(row: IdempotencyKey, response) -> None:
    """Keep a successful response for replay; the request's transaction commits it."""
    body = getattr(response, "data", None)
    row.response_status = response.status_code
    row.response_body = json.loads(JSONRenderer().render(body)) if body is not None else None
    row.response_etag = response.get("ETag", "")
    row.save(update_fields=["response_status", "response_body", "response_etag"])


def purge_idempotency_keys() -> int:
    """Delete the keys older than a day (a periodic task calls this)."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
