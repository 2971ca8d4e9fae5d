"""Page tests: the cast signs in through Django's test client."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory, SessionNoteFactory


@pytest.fixture
def as_(db):
    """`as_(user)` gives a test client signed in as that person."""

    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def visit(plan, clock):
    """Theo's visit with Pat today, started twenty minutes ago (at midnight if
    the day is younger: Today lists today's visits) and checked in."""
    start = max(clock.at(0, 0), timezone.now() - timedelta(minutes=20))
    return AppointmentFactory(
        plan=plan,
        start=start,
        end=start + timedelta(minutes=45),
        status=AppointmentStatus.CHECKED_IN,
    )


@pytest.fixture
def note(plan):
    """A draft session note under Pat's plan."""
    return SessionNoteFactory(appointment__plan=plan)
