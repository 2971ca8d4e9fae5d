"""Delivering a claimed batch of reminders: one task loads the batch in one
query, renders and sends every message over one mail connection, and records
every outcome in one statement at the end (`UPDATE ... FROM (VALUES ...)`),
conditional on the batch's lease like every write to a claimed row.

Why a journal as well: with one write per batch, a worker killed in the middle
of a batch would leave every message it had sent unrecorded, and the next claim
would send them all again. So each message, once sent, is noted in the journal
(scheduling/reminder_journal.py: Redis, no database round trip, no fsync). A
later claim of the same rows reads the journal first and records the noted
ones as sent without sending them. What can still go out twice is the
one message in flight when the worker died: sent, not yet noted. A journal that
cannot be read sends nothing, and one that cannot be written stops the batch
after the message just sent: reminders wait rather than go out twice."""

import logging
from datetime import datetime, time, timedelta
from time import monotonic

from django.core.mail import get_connection
from django.db import connection
from django.utils import timezone

from clinic.models import ReminderChannel

from . import reminder_journal, reminders
from .models import Appointment, AppointmentStatus, Reminder, ReminderStatus
from .recurrence import clinic_zone, next_local_time

log = logging.getLogger(__name__)

BATCH_SECONDS = 60  # a batch stops sending after this long (the task's soft limit is 75 s)
FAILURES_IN_A_ROW = 3  # a mail server failing this often in a row is down: stop asking it


QUIET_START = time(21, 0)  # no text messages from 21:00 ...
QUIET_END = time(8, 0)  # ... until 08:00, clinic time


def in_quiet_hours(moment: datetime) -> bool:
    local = timezone.localtime(moment, clinic_zone()).time()
    return local >= QUIET_START or local < QUIET_END


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failure, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def deliver(batch: reminders.Batch, *, now: datetime | None = None) -> dict[str, str]:
    """Send a claimed batch; returns what happened to each reminder: sent,
    skipped, held, retry, failed; lost when the claim is no longer ours;
    released (tried next scan: the mail server or the journal failed) or
    later (the batch ran out of time; queue a scan at once)."""
    now = now or timezone.now()
    lease = datetime.fromisoformat(batch.lease)
    rows = _load(batch, lease)
    results = {pk: "lost" for pk in batch.reminder_ids}
    journal = reminder_journal.open_journal()
    try:
        noted = journal.noted([row.pk for row in rows])
    except Exception:  # noqa: BLE001 - without the journal a resend could double
        log.warning("reminder journal unreadable; %s reminders wait", len(rows), exc_info=True)
        results |= {str(row.pk): _release(row, "released") for row in rows}
    else:
        outbox = [row for row in rows if not _settled(row, noted, now, results)]
        try:
            _send_all(outbox, journal, now=now, deadline=_deadline(lease, now), results=results)
        finally:
            journal.close()
    if _record(rows, lease) == len(rows):
        _forget(journal, [pk for pk, result in results.items() if result == "sent"])
    # else a later claim took rows over: it needs the notes, which expire on their own
    return results


def _load(batch: reminders.Batch, lease: datetime) -> list[Reminder]:
    return list(
        Reminder.objects.select_related(
            "appointment__patient", "appointment__therapist", "appointment__room__location"
        ).filter(pk__in=batch.reminder_ids, status=ReminderStatus.PENDING, claimed_until=lease)
    )


def _deadline(lease: datetime, now: datetime) -> float:
    """Stop sending well before the lease ends: after it, another scan may take the rows."""
    left = (lease - now).total_seconds() * 0.8
    return monotonic() + min(left, BATCH_SECONDS)


# --- what each row needs --------------------------------------------------------------------


def _not_sendable(appointment: Appointment, now: datetime) -> str:
    if appointment.status != AppointmentStatus.BOOKED:
        return f"The visit is {appointment.get_status_display().lower()}."
    patient = appointment.patient
    if not patient.reminder_consent or patient.reminder_channel == ReminderChannel.NONE:
        return "The patient no longer wants reminders."
    if appointment.start <= now:
        return "The visit has already started."
    # REMINDER_AFTER_CONFIRM=skip, and the visit was confirmed after the claim
    return reminders.confirmed_and_done(appointment)


def _settled(row: Reminder, noted: dict, now: datetime, results: dict) -> bool:
    """Decide a row that needs no sending (noted sent, skipped, held); False to send it.
    The claim counted an attempt (so a worker killed mid-send uses up a try);
    a row not tried gives it back."""
    pk = str(row.pk)
    if pk in noted:  # sent by a worker that died before recording it
        row.attempts -= 1
        row.status, row.last_error = ReminderStatus.SENT, ""
        sent_at, _, row.provider_id = noted[pk].partition(" ")
        row.sent_at = datetime.fromisoformat(sent_at)
        results[pk] = "sent"
        return True
    reason = _not_sendable(row.appointment, now)
    if reason:
        row.attempts -= 1
        row.status, row.last_error = ReminderStatus.SKIPPED, reason
        results[pk] = "skipped"
        return True
    if row.channel == ReminderChannel.SMS and in_quiet_hours(now):
        row.attempts -= 1
        row.due_at = next_local_time(now, QUIET_END)
        results[pk] = "held"
        return True
    return False


# --- sending ----------------------------------------------------------------------------------


def _send_all(outbox: list[Reminder], journal, *, now, deadline: float, results: dict) -> None:
    mail = get_connection()  # one connection for the batch, opened on the first email
    sms = None  # one text backend for the batch too, made on the first text
    failures = 0
    try:
        for index, row in enumerate(outbox):
            if monotonic() > deadline:
                _release_rest(outbox[index:], "later", results)
                return
            if failures >= FAILURES_IN_A_ROW:
                _release_rest(outbox[index:], "released", results)
                return
            try:
                if sms is None and row.channel == ReminderChannel.SMS:
                    sms = reminders.sms_backend()
                provider_id = reminders.send(row, mail_connection=mail, sms=sms)
            except Exception as error:  # noqa: BLE001 - any failure of a provider is retried
                failures += 1
                mail.close()  # a server that failed once is asked again on a new connection
                results[str(row.pk)] = _failed(row, error=error, now=now)
                continue
            failures = 0
            results[str(row.pk)] = "sent"
            row.status, row.sent_at, row.last_error = ReminderStatus.SENT, timezone.now(), ""
            row.provider_id = provider_id  # recorded with the rest: the status reports name it
            if not _note(journal, row):
                _release_rest(outbox[index + 1 :], "released", results)
                return
    finally:
        mail.close()


def _note(journal, row: Reminder) -> bool:
    try:
        # when it went out and the provider's id: a later claim records both
        journal.note(row.pk, f"{row.sent_at.isoformat()} {row.provider_id}".rstrip())
    except Exception:  # noqa: BLE001 - stop before a message that could not be noted
        log.warning("reminder journal unwritable; the batch stops after %s", row.pk, exc_info=True)
        return False
    return True


def _forget(journal, reminder_ids: list[str]) -> None:
    """Recorded in the database now: the journal's notes are no longer needed."""
    try:
        journal.forget(reminder_ids)
    except Exception:  # noqa: BLE001 - they expire on their own
        log.warning("reminder journal: %s notes left to expire", len(reminder_ids))


def _failed(row: Reminder, *, error: Exception, now: datetime) -> str:
    message = f"{type(error).__name__}: {error}"[:500]
    log.warning("reminder %s attempt %s failed: %s", row.pk, row.attempts, message)
    row.last_error = message
    if row.attempts >= reminders.setting("REMINDER_MAX_ATTEMPTS", 5):
        row.status = ReminderStatus.FAILED
        return "failed"
    row.due_at = now + backoff(row.attempts)
    return "retry"


def _release(row: Reminder, result: str) -> str:
    row.attempts -= 1  # not tried: the claim's attempt is given back
    return result


def _release_rest(rows: list[Reminder], result: str, results: dict) -> None:
    for row in rows:
        results[str(row.pk)] = _release(row, result)


# --- recording: one statement for the batch ------------------------------------------------

RESULT_FIELDS = ("status", "attempts", "due_at", "sent_at", "last_error", "provider_id")


def _record(rows: list[Reminder], lease: datetime) -> int:
    """Every row's outcome in one UPDATE ... FROM (VALUES ...), only where the
    lease is still ours; each row's lease ends with it (claimed_until NULL).
    SQLite splits a large batch by its limit on parameters."""
    meta = Reminder._meta
    fields = [meta.pk, meta.get_field("claimed_until"), *map(meta.get_field, RESULT_FIELDS)]
    size = connection.ops.bulk_batch_size(fields, rows) or 1
    return sum(
        _update_from_values(rows[start : start + size], fields, lease)
        for start in range(0, len(rows), size)
    )


def _update_from_values(rows: list[Reminder], fields, lease: datetime) -> int:
    if not rows:
        return 0
    qn = connection.ops.quote_name
    table, columns = qn(Reminder._meta.db_table), [qn(f.column) for f in fields]
    # PostgreSQL types a VALUES list from its text; SQLite compares text as stored.
    typed = connection.vendor == "postgresql"
    cell = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" if typed else "%s" for f in fields)
    values = ", ".join([f"({cell})"] * len(rows))
    key, claim = columns[:2]
    sets = ", ".join(f"{c} = outcome.{c}" for c in columns[2:])
    # Both name a VALUES list's columns column1, column2 ...; a leading WITH would
    # hide the row count from Python's sqlite3.
    named = ", ".join(f"column{n} AS {c}" for n, c in enumerate(columns, start=1))
    # The lease is a column of the list, not a constant: PostgreSQL expects
    # almost no row to hold a given lease and, compared with a constant, joined
    # the list to every row (a nested loop: 8 s for 3,000 reminders).
    sql = (
        f"UPDATE {table} SET {sets}, {claim} = NULL, {qn('updated_at')} = %s "
        f"FROM (SELECT {named} FROM (VALUES {values}) AS v) AS outcome "
        f"WHERE {table}.{key} = outcome.{key} AND {table}.{claim} = outcome.{claim}"
    )
    params = [_prep("updated_at", timezone.now())]
    for row in rows:
        row.claimed_until = lease  # the condition: still our claim
        params += [f.get_db_prep_value(getattr(row, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _prep(name: str, value):
    return Reminder._meta.get_field(name).get_db_prep_value(value, connection)
