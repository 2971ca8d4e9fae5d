"""Every request has an id: the caller's if it looks like one, else a new
one; it is echoed, stamped on each log line (JSON, one line per record) and
carried into the Celery tasks the request queues."""

import json
import logging
from types import SimpleNamespace

import pytest

from ops import logs

pytestmark = pytest.mark.django_db


def test_a_sane_request_id_is_kept_and_echoed(client):
    response = client.get("/", headers={"X-Request-ID": "lb-7f3a9c01-42"})
    assert response["X-Request-ID"] == "lb-7f3a9c01-42"


@pytest.mark.parametrize("given", ["", "short", "a b c d e f g h", "x" * 65, "id\nforged: log"])
def test_an_odd_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/", headers={"X-Request-ID": given})
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_each_log_record_is_one_line_of_json_with_the_request_id():
    # given a record logged while a request with an id is served
    token = logs.current_request.set("req-12345678")
    try:
        record = logging.LogRecord("clinic", logging.ERROR, __file__, 1, "bad\nthing", (), None)
        logs.RequestIdFilter().filter(record)
    finally:
        logs.current_request.reset(token)
    # when the JSON formatter writes it
    line = logs.OneLineJsonFormatter().format(record)
    # then it is one line, and a JSON object with the id
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["request_id"] == "req-12345678"
    assert parsed["level"] == "ERROR" and parsed["message"] == "bad\nthing"


def test_a_task_queued_by_a_request_logs_under_that_request_id():
    # given a request queuing a task: its id goes into the message headers
    headers = {}
    token = logs.current_request.set("req-abcdef01")
    logs.stamp_task(headers=headers)
    logs.current_request.reset(token)
    assert headers == {"request_id": "req-abcdef01"}
    # when the worker starts the task, whose request carries the headers
    task = SimpleNamespace(request=SimpleNamespace(**headers))
    logs.enter_task(task_id="task-1", task=task)
    # then its log lines carry the request's id and the task's, until it ends
    record = logging.LogRecord("clinic", logging.INFO, __file__, 1, "sent", (), None)
    logs.RequestIdFilter().filter(record)
    assert (record.request_id, record.task_id) == ("req-abcdef01", "task-1")
    logs.leave_task(task=task)
    assert logs.current_request.get() == "" and logs.current_task.get() == ""


def test_a_task_from_beat_gets_an_id_of_its_own():
    task = SimpleNamespace(request=SimpleNamespace())
    logs.enter_task(task_id="task-2", task=task)
    assert len(logs.current_request.get()) == 32
    logs.leave_task(task=task)
