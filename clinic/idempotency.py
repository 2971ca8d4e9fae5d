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

from django.db import IntegrityError, transaction
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


def fingerprint(request) -> str:
    """SHA-256 of the method, path and parsed body: the same JSON with other
    spacing is the same request."""
    body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder)
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
    stale = timezone.now() - KEEP_FOR
    # a key older than a day is forgotten: the same key now starts afresh
    IdempotencyKey.objects.filter(user=request.user, key=key, created_at__lt=stale).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=request.user, key=key, request_fingerprint=print_
            )
    except IntegrityError:
        pass  # the key was used; by now its first request has committed
    first = IdempotencyKey.objects.get(user=request.user, key=key)
    if first.request_fingerprint != print_:
        raise KeyReused()
    if first.response_status is None:
        raise Conflict("The first request with this Idempotency-Key is still running.")
    raise Replay(status=first.response_status, body=first.response_body, etag=first.response_etag)


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
