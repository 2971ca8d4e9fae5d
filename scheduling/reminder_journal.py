"""The reminder journal: which reminders of a claimed batch have gone out, kept
outside the database until the batch's one write records them (see
scheduling/reminder_delivery.py for why). In Redis when REDIS_URL is set,
shared by every worker and outliving a killed one; otherwise in this process's
memory, enough for one process (development, tests), surviving nothing.

A note is written without waiting for Redis's answer: once the command is in
the kernel's socket buffer, a worker killed with SIGKILL still delivers it (the
kernel sends what was written before it closes the socket), and the batch does
not wait a round trip per message, which on a busy machine cost more than
rendering the message. The answers are read in bulk."""

import functools
import logging

import redis
from django.conf import settings

log = logging.getLogger(__name__)

NOTE_SECONDS = 2 * 24 * 3600  # longer than any lease and the scans that follow it
DRAIN_EVERY = 500  # answers read at a time, so they never pile up in the socket


def key(reminder_id) -> str:
    return f"clinic:reminder-sent:{reminder_id}"


def open_journal():
    url = settings.REDIS_URL
    return RedisJournal(_client(url)) if url else MemoryJournal()


@functools.cache
def _client(url: str) -> redis.Redis:
    # a journal that does not answer in seconds is down: the batch stops, rows wait
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


class MemoryJournal:
    notes: dict[str, str] = {}  # the process's own, shared by its batches

    def noted(self, reminder_ids) -> dict[str, str]:
        """{reminder id: its note (when it went out, the provider's id)} for
        the ids already sent."""
        return {str(pk): self.notes[key(pk)] for pk in reminder_ids if key(pk) in self.notes}

    def note(self, reminder_id, sent_at: str) -> None:
        self.notes[key(reminder_id)] = sent_at

    def close(self) -> None:
        pass

    def forget(self, reminder_ids) -> None:
        for pk in reminder_ids:
            self.notes.pop(key(pk), None)


class RedisJournal:
    def __init__(self, client: redis.Redis):
        self.client = client
        self.connection = None  # one connection for the batch's notes
        self.unread = 0

    def noted(self, reminder_ids) -> dict[str, str]:
        ids = [str(pk) for pk in reminder_ids]
        values = self.client.mget([key(pk) for pk in ids]) if ids else []
        return {pk: value.decode() for pk, value in zip(ids, values, strict=True) if value}

    def note(self, reminder_id, sent_at: str) -> None:
        if self.connection is None:
            self.connection = self.client.connection_pool.get_connection()
        self.connection.send_command("SET", key(reminder_id), sent_at, "EX", NOTE_SECONDS)
        self.unread += 1
        if self.unread >= DRAIN_EVERY:
            self._drain()

    def _drain(self) -> None:
        while self.unread:
            self.connection.read_response()
            self.unread -= 1

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self._drain()
        except Exception:  # noqa: BLE001 - the batch is about to be recorded anyway
            log.warning("reminder journal: answers lost", exc_info=True)
            self.connection.disconnect()  # never hand back a connection with answers pending
        finally:
            self.client.connection_pool.release(self.connection)
            self.connection = None

    def forget(self, reminder_ids) -> None:
        if reminder_ids:
            self.client.delete(*(key(pk) for pk in reminder_ids))
