"""The suite's own tools can fail: the pinned clock is the one the code reads,
and `nothing_written()` sees a write."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.clock import pinned_now
from tests.factories import PatientFactory
from tests.writes import nothing_written

pytestmark = pytest.mark.django_db


def test_the_code_reads_the_pinned_instant_in_clinic_time(clock, settings):
    # given the instant the suite is pinned to (CLINIC_TEST_NOW or the default)
    pinned = pinned_now(settings.TIME_ZONE)
    # then Django's clock reads it, on the clinic's calendar
    assert clock.start == pinned
    assert timedelta(0) <= timezone.now() - pinned < timedelta(minutes=1)
    assert timezone.localdate() == pinned.date()


def test_time_runs_on_from_the_pin(clock):
    before = timezone.now()
    time.sleep(0.01)  # the only wait here: it is the thing tested
    assert timezone.now() > before


def test_the_clock_moves_when_a_test_says_so(clock):
    clock.move_to(clock.at(3, 9))
    assert timezone.localtime().date() == clock.today + timedelta(days=3)
    assert timezone.localtime().hour == 9


def test_nothing_written_sees_a_new_row():
    with pytest.raises(AssertionError, match="clinic.Patient"), nothing_written():
        PatientFactory()
