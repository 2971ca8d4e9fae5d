"""A claimed batch is delivered by one task and recorded in one statement; the
journal keeps a worker that dies mid-batch from sending its batch twice; a
journal or a mail server that fails makes reminders wait, never vanish."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from scheduling import reminder_delivery, reminder_journal, reminders, tasks
from scheduling.models import Reminder
from tests.factories import AppointmentFactory, PatientFactory


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no outcome is recorded."""


def due(count: int) -> list[str]:
    """`count` visits in 90 minutes, each with its reminder due now."""
    ids = []
    for _ in range(count):
        visit = AppointmentFactory(
            plan=None, patient=PatientFactory(), start=timezone.now() + timedelta(minutes=90)
        )
        ids += [str(r.pk) for r in reminders.create_for([visit])]
    return ids


def after_the_lease(settings):
    return timezone.now() + timedelta(seconds=settings.REMINDER_CLAIM_SECONDS + 1)


def sends_then(failure, *, after: int, monkeypatch):
    """`reminders.send` that sends `after` messages, then raises `failure`."""
    real = reminders.send
    calls = []

    def send(reminder, **kwargs):
        calls.append(reminder.pk)
        if len(calls) > after:
            raise failure
        real(reminder, **kwargs)

    monkeypatch.setattr(reminders, "send", send)
    return calls


def reminder_state():
    return sorted(Reminder.objects.values_list("status", "attempts", "claimed_until"))


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_next_claim_and_sends_nothing_twice(
    db, settings, monkeypatch
):
    # given a batch of 5 whose worker dies after sending 2
    ids = due(5)
    sends_then(WorkerKilled(), after=2, monkeypatch=monkeypatch)
    with pytest.raises(WorkerKilled):
        reminder_delivery.deliver(reminders.claim_due())
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(status="sent").count() == 0  # nothing recorded
    monkeypatch.undo()
    # when the lease runs out and the next scan claims the batch again
    later = after_the_lease(settings)
    results = reminder_delivery.deliver(reminders.claim_due(now=later), now=later)
    # then the 2 the journal noted are recorded as sent, the other 3 are sent now
    assert sorted(results.values()) == ["sent"] * 5
    assert sorted(m.extra_headers["X-Clinic-Reminder"] for m in mail.outbox) == sorted(ids)
    # and every row of the killed batch used up a try (a poison message cannot kill forever)
    assert reminder_state() == [("sent", 1, None)] * 2 + [("sent", 2, None)] * 3
    # and the journal's notes, recorded now, are gone
    assert reminder_journal.open_journal().noted(ids) == {}


def test_an_unreadable_journal_sends_nothing_and_the_reminders_wait(db, monkeypatch):
    # given the journal (Redis) is gone
    due(3)
    broken(monkeypatch, "noted")
    # when the batch is delivered
    results = reminder_delivery.deliver(reminders.claim_due())
    # then nothing went out, and the rows are free for the next scan, no try used
    assert sorted(results.values()) == ["released"] * 3
    assert mail.outbox == []
    assert reminder_state() == [("pending", 0, None)] * 3
    monkeypatch.undo()
    assert len(reminders.claim_due()) == 3


def test_an_unwritable_journal_stops_the_batch_after_the_message_just_sent(db, monkeypatch):
    due(3)
    broken(monkeypatch, "note")
    results = reminder_delivery.deliver(reminders.claim_due())
    assert sorted(results.values()) == ["released", "released", "sent"]
    assert len(mail.outbox) == 1
    assert reminder_state() == [("pending", 0, None)] * 2 + [("sent", 1, None)]


def test_a_mail_server_failing_three_times_in_a_row_is_not_asked_for_the_rest(db, monkeypatch):
    # given a mail server that refuses everything
    due(5)
    calls = sends_then(OSError("421 try later"), after=0, monkeypatch=monkeypatch)
    now = timezone.now()
    # when a batch of 5 is delivered
    results = reminder_delivery.deliver(reminders.claim_due(now=now), now=now)
    # then 3 were tried and wait a minute, the other 2 wait for the next scan untried
    assert len(calls) == 3
    assert sorted(results.values()) == ["released"] * 2 + ["retry"] * 3
    retried = Reminder.objects.filter(attempts=1)
    assert {(r.status, r.due_at, r.last_error) for r in retried} == {
        ("pending", now + timedelta(minutes=1), "OSError: 421 try later")
    }
    assert Reminder.objects.filter(attempts=0, due_at__lte=now, claimed_until=None).count() == 2


def test_a_batch_out_of_time_leaves_the_rest_and_queues_a_scan_at_once(db, monkeypatch):
    # given a batch that has no time left
    ids = due(3)
    monkeypatch.setattr(reminder_delivery, "BATCH_SECONDS", -1)
    scans = []
    monkeypatch.setattr(tasks.scan_reminders, "delay", lambda: scans.append(1))
    batch = reminders.claim_due()
    # when its task runs
    sent = tasks.send_reminders.apply(args=[list(batch.reminder_ids), batch.lease]).get()
    # then nothing was sent, the rows are free, and the next scan is queued now
    assert (sent, mail.outbox, len(scans)) == (0, [], 1)
    assert reminder_state() == [("pending", 0, None)] * len(ids)


def test_the_outcomes_of_a_batch_are_written_only_where_the_lease_is_still_ours(
    db, settings, monkeypatch
):
    # given a batch whose lease a later scan took over while it was sending
    due(2)
    first = reminders.claim_due()
    real = reminders.send
    taken = []

    def slow_send(reminder, **kwargs):
        real(reminder, **kwargs)
        if not taken:
            taken.append(reminders.claim_due(now=after_the_lease(settings)))

    monkeypatch.setattr(reminders, "send", slow_send)
    # when the first batch records its outcomes
    reminder_delivery.deliver(first)
    # then the rows still belong to the second claim, which sees both as sent
    second = taken[0]
    assert Reminder.objects.filter(claimed_until__isnull=False).count() == 2
    monkeypatch.undo()
    assert sorted(reminder_delivery.deliver(second).values()) == ["sent", "sent"]
    assert len(mail.outbox) == 2


def broken(monkeypatch, method: str) -> None:
    """The journal of every batch fails at `method` (Redis gone)."""
    journal = reminder_journal.open_journal()
    monkeypatch.setattr(journal, method, refuse(ConnectionError("journal down")))
    monkeypatch.setattr(reminder_journal, "open_journal", lambda: journal)


def refuse(error: Exception):
    def call(*args, **kwargs):
        raise error

    return call
