"""One request id per request, in every log line it causes, in the response's
X-Request-ID header, and in the Celery tasks it queues (a task header), so a
reminder's failure can be traced back to the booking that made it.

The id is the caller's X-Request-ID when it looks like an id (a proxy's or a
load balancer's), else a new one: a header is never copied into logs as is."""

import contextlib
import logging
import re
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

current_request = ContextVar("request_id", default="")
current_task = ContextVar("task_id", default="")
SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
HEADER = "X-Request-ID"


def new_or_given(given: str | None) -> str:
    return given if given and SANE.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = new_or_given(request.headers.get(HEADER))
        token = current_request.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or task's) id on every record."""

    def filter(self, record):
        record.request_id = current_request.get()
        record.task_id = current_task.get()
        return True


class OneLineJsonFormatter(JsonFormatter):
    """A JSON object per line: time, level, logger, message, request_id, and
    the exception's traceback as one string field when there is one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
            *args,
            **kwargs,
        )


# --- carried into Celery tasks -----------------------------------------------------------


def stamp_task(headers=None, **kwargs):
    """before_task_publish: the queuing request's id travels as a header."""
    if headers is not None and current_request.get():
        headers.setdefault("request_id", current_request.get())


def enter_task(task_id=None, task=None, **kwargs):
    """task_prerun: the worker logs under the id that queued the task."""
    given = getattr(task.request, "request_id", None) if task else None
    task.request.ops_tokens = (
        current_request.set(given or current_request.get() or uuid.uuid4().hex),
        current_task.set(task_id or ""),
    )


def leave_task(task=None, **kwargs):
    tokens = getattr(task.request, "ops_tokens", None) if task else None
    if tokens:
        task.request.ops_tokens = None
        for var, token in zip((current_request, current_task), tokens, strict=True):
            # set in another context (ValueError): nothing of ours to undo
            with contextlib.suppress(ValueError):
                var.reset(token)


def connect_signals():
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(stamp_task, weak=False, dispatch_uid="ops.logs.stamp")
    task_prerun.connect(enter_task, weak=False, dispatch_uid="ops.logs.enter")
    task_postrun.connect(leave_task, weak=False, dispatch_uid="ops.logs.leave")
