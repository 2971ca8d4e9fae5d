"""Two beats (one per machine), one leader: the second stands by until the
first one's lock connection is gone, then leads."""

import pytest

from ops import leader
from tests.conftest import requires_postgres
from tests.production import wait_for

pytestmark = [requires_postgres, pytest.mark.django_db]


def test_a_second_beat_waits_until_the_leader_is_gone():
    # given a beat that leads
    first, second = leader.lock_connection(), leader.lock_connection()
    try:
        assert leader.try_lead(first)
        # when a second beat starts, it may not lead
        assert not leader.try_lead(second)
        # then, once the leader's connection is gone (its machine died), it leads
        # (as soon as the server has noticed: a standby retries)
        first.close()
        wait_for(lambda: leader.try_lead(second), timeout=10, what="the lock to pass")
    finally:
        first.close()
        second.close()


def test_the_leader_stops_when_its_lock_connection_is_lost():
    lock = leader.lock_connection()
    lost = []
    assert leader.try_lead(lock)
    watcher = leader.watch(lock, every=0.05, on_lost=lambda: lost.append(True))
    watcher.join(timeout=0.3)  # several checks of a live connection: it still leads
    assert lost == []
    lock.close()  # the connection drops, and the lock with it
    watcher.join(timeout=5)
    assert lost == [True]
