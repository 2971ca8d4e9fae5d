"""The one translation from the services' errors to the contract's (API.md,
Errors). Views never catch these themselves; DRF calls `exception_handler`."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError, transaction
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.fields import DateTimeField
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainConflict, Invalid, NotAllowed

log = logging.getLogger(__name__)

# PostgreSQL answers the loser of a race with these; each means "try again later",
# which for a client is the same as a conflict with the current state.
RACE_PGCODES = {"23P01", "40P01", "40001", "55P03"}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it (If-Match no longer matches)."
    default_code = "precondition_failed"


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


def _plain(value):
    """Datetimes in the conflict's extras rendered the way serializers render them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return DateTimeField().to_representation(value)
    return value


def conflict_response(code: str, detail: str, **extra) -> Response:
    body = {"detail": detail, "code": code, **_plain(extra)}
    return Response(body, status=status.HTTP_409_CONFLICT)


def _pgcode(error: Exception):
    return getattr(getattr(error, "__cause__", None), "pgcode", None)


def _translate(exc: Exception):
    """A domain or database error as a DRF exception, or a ready 409 Response."""
    if isinstance(exc, Invalid):
        return exceptions.ValidationError(exc.errors)
    if isinstance(exc, DomainConflict):
        return conflict_response(exc.code, exc.detail, **exc.extra)
    if isinstance(exc, NotAllowed):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, IntegrityError):
        return conflict_response("conflict", "The request clashes with an existing record.")
    if isinstance(exc, OperationalError) and _pgcode(exc) in RACE_PGCODES:
        return conflict_response("conflict", "Another request changed this at the same time.")
    if isinstance(exc, DataError | OverflowError | RecursionError):
        # a value the database or the calendar cannot hold (a year 9999 visit, a
        # 30-digit number): the client's input, not our failure
        return exceptions.ValidationError({"non_field_errors": ["A value is out of range."]})
    return exc


def _as_item_list(errors):
    """DRF keys a nested list's errors by position (`{"1": {...}}`); the services
    and the contract list them (`[{}, {...}]`), so clients parse one shape."""
    if isinstance(errors, dict):
        errors = {key: _as_item_list(value) for key, value in errors.items()}
        if errors and all(isinstance(k, str | int) and str(k).isdigit() for k in errors):
            items = [{} for _ in range(max(int(k) for k in errors) + 1)]
            for key, value in errors.items():
                items[int(key)] = value
            return items
    elif isinstance(errors, list):
        return [_as_item_list(item) for item in errors]
    return errors


def exception_handler(exc, context):
    translated = _translate(exc)
    if isinstance(translated, exceptions.ValidationError):
        translated.detail = _as_item_list(translated.detail)
    if isinstance(translated, Response):
        response = translated
    else:
        response = drf_exception_handler(translated, context)
    view = context.get("view")
    if response is not None and getattr(view, "atomic_request", False):
        # the request runs in one transaction (audit of reads, idempotency keys):
        # a refused request leaves nothing behind
        transaction.set_rollback(True)
    if response is not None and isinstance(exc, IntegrityError | OperationalError):
        log.info("race answered with 409: %s", exc)
    return response


def not_found(request, exception=None):
    """Django's own 404 (a path no route matches, e.g. an id with a dot) is JSON
    under /api/, like every other answer of the API; HTML for the pages."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
