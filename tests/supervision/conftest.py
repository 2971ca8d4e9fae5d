"""The supervision stories: Theo treats Pat under Dana's approved plan, and Dana
follows how Pat responds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory, SessionNoteFactory


@pytest.fixture
def log_visits():
    """`log_visits(plan, [(pain_before, pain_after), ...])`: completed visits,
    one a day ending yesterday, each with its session note; oldest first."""

    def log(plan, pains, **note_fields):
        notes = []
        first_day = timezone.now() - timedelta(days=len(pains))
        for i, (before, after) in enumerate(pains):
            visit = AppointmentFactory(
                plan=plan, start=first_day + timedelta(days=i), status=AppointmentStatus.COMPLETED
            )
            notes.append(
                SessionNoteFactory(
                    appointment=visit, pain_before=before, pain_after=after, **note_fields
                )
            )
        return notes

    return log


@pytest.fixture(autouse=True)
def eager_tasks():
    """The emails of these stories go through Celery; run the tasks in-process."""
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
