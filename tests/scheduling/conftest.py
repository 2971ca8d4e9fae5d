"""Helpers for the scheduling stories: the clinic runs on New York time, and
visits are booked on days found relative to today so the tests never age."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from scheduling.models import WorkingHours
from tests.factories import ReferralFactory, TreatmentPlanFactory

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def clinic_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.REMINDER_OFFSETS = [timedelta(hours=24), timedelta(hours=2)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "clinic.sms.FileSmsBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast cast
    settings.ROOT_URLCONF = "tests.scheduling.urls"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=NEW_YORK)


def next_weekday(weekday: int, *, after: date | None = None) -> date:
    """The first `weekday` (0 = Monday) strictly after `after` (default today)."""
    day = (after or timezone.localdate()) + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def next_dst_change(*, forward: bool) -> date:
    """The next day New York's clocks spring forward (or fall back)."""
    day = timezone.localdate() + timedelta(days=1)
    while True:
        before = local(day - timedelta(days=1), 12).utcoffset()
        after = local(day, 12).utcoffset()
        if before != after and (after > before) == forward:
            return day
        day += timedelta(days=1)


@pytest.fixture
def long_plan(patient, doctor, therapist):
    """An approved plan of 40 visits under a referral valid for a year."""
    referral = ReferralFactory(
        patient=patient,
        doctor=doctor,
        visits_prescribed=40,
        valid_until=timezone.localdate() + timedelta(days=366),
    )
    return TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=40)


@pytest.fixture
def office_hours(therapist):
    """Theo works Monday to Friday, 09:00-17:00."""
    for weekday in range(5):
        WorkingHours.objects.create(
            therapist=therapist, weekday=weekday, start_time=time(9), end_time=time(17)
        )


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in the test's process: `.delay()` calls the task at once."""
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
