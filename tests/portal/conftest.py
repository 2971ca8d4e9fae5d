"""The patient's side: Pat Parker signs in by link. "Now" is pinned (`clock`):
every test here runs at NOW, moved on only by `clock.advance(...)`."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portal import sign_in
from portal.models import PatientSessionKind
from tests.factories import AppointmentFactory

NOW = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)  # a Monday morning


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def token_of(url: str) -> str:
    return url.rsplit("/p/", 1)[1]


@pytest.fixture
def link_for(clock):
    """`link_for(patient)`: a fresh sign-in link's token, as the front desk sends it."""

    def issue(patient):
        return token_of(sign_in.issue_link(patient=patient, by=None))

    return issue


@pytest.fixture
def patient_api(link_for):
    """`patient_api(patient)`: an API client holding that patient's token."""

    def client_for(patient):
        session, secret = sign_in.redeem(
            token=link_for(patient),
            date_of_birth=patient.date_of_birth,
            kind=PatientSessionKind.API,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return client_for


@pytest.fixture
def patient_pages(link_for):
    """`patient_pages(patient)`: a browser client signed in on the patient pages."""

    def client_for(patient):
        client = Client()
        response = client.post(
            f"/p/{link_for(patient)}", {"date_of_birth": patient.date_of_birth.isoformat()}
        )
        assert response.status_code == 302, response.content
        return client

    return client_for


@pytest.fixture
def upcoming(clock, plan):
    """Pat's visit with Theo in three days, 10:00."""
    start = NOW + timedelta(days=3, hours=2)
    return AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))


@pytest.fixture
def tomorrow(clock, plan):
    """Pat's visit tomorrow morning: inside the late-cancel window (24 h)."""
    start = NOW + timedelta(hours=20)
    return AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))


@pytest.fixture
def eager_tasks():
    """The clearance email goes through Celery; run its task in-process."""
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
