"""The API's stories reuse the cast of tests/conftest.py and add the visits
and notes that happen under Theo's plan for Pat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory, SessionNoteFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The cast's passwords hashed cheaply: PBKDF2 costs half a second a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def visit(plan):
    """Pat's visit with Theo tomorrow at 10:00 (booked)."""
    return AppointmentFactory(plan=plan)


@pytest.fixture
def started_visit(plan):
    """Pat's visit with Theo that began half an hour ago (checked in)."""
    start = timezone.now() - timedelta(minutes=30)
    return AppointmentFactory(
        plan=plan,
        start=start,
        end=start + timedelta(minutes=45),
        status=AppointmentStatus.CHECKED_IN,
    )


@pytest.fixture
def note(plan):
    """Theo's draft note of Pat's visit an hour ago."""
    start = timezone.now() - timedelta(hours=1)
    return SessionNoteFactory(
        appointment=AppointmentFactory(plan=plan, start=start, status=AppointmentStatus.COMPLETED)
    )


def at_local(days: int, hour: int, minute: int = 0):
    """A wall-clock time in the clinic's zone, `days` from today."""
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def world(
    doctor, other_doctor, therapist, other_therapist, front_desk, manager, patient, referral, plan
):
    """Every record the permission matrix points at, all around Pat:
    Dana's referrals (signed, draft), Theo's plans (approved, draft, proposed),
    visits (tomorrow, started, a two-visit series), notes (draft, signed), a
    measurement; and Quinn, a new patient waiting in the intake queue."""
    from referrals.models import Precaution
    from scheduling import series
    from sessions_log.models import OutcomeMeasurement, ProgressReport
    from tests.factories import PatientFactory, ReferralFactory, TreatmentPlanFactory

    started = timezone.now() - timedelta(minutes=30)
    w = {
        "patient": patient,
        "referral": referral,
        "plan": plan,
        "draft_referral": ReferralFactory(patient=patient, doctor=doctor, draft=True),
        "draft_plan": TreatmentPlanFactory(
            referral=ReferralFactory(patient=patient, doctor=doctor),
            therapist=therapist,
            status="draft",
        ),
        "proposed_plan": TreatmentPlanFactory(
            referral=ReferralFactory(patient=patient, doctor=doctor),
            therapist=therapist,
            status="proposed",
        ),
        "intake_referral": ReferralFactory(
            patient=PatientFactory(first_name="Quinn", last_name="Quill"), doctor=doctor
        ),
        "visit": AppointmentFactory(plan=plan),
        "started_visit": AppointmentFactory(
            plan=plan,
            start=started,
            end=started + timedelta(minutes=45),
            status=AppointmentStatus.CHECKED_IN,
        ),
    }
    w["note"] = SessionNoteFactory(
        appointment=AppointmentFactory(
            plan=plan,
            start=timezone.now() - timedelta(days=1),
            status=AppointmentStatus.COMPLETED,
        )
    )
    w["signed_note"] = SessionNoteFactory(
        appointment=AppointmentFactory(
            plan=plan,
            start=timezone.now() - timedelta(days=2),
            status=AppointmentStatus.COMPLETED,
        ),
        signed_at=timezone.now(),
    )
    w["series"] = series.book_series(
        plan=plan,
        therapist=therapist,
        first_start=at_local(3, 15),
        duration_minutes=45,
        rrule="FREQ=WEEKLY;COUNT=2",
        by=front_desk,
    ).series
    w["measurement"] = OutcomeMeasurement.objects.create(
        plan=plan, measure="nprs", score=5, taken_at=timezone.now(), recorded_by=therapist
    )
    # supervision (api2): a draft progress report, and a flag that only modifies
    # pressure, so it gates no visit of the table
    w["report"] = ProgressReport.objects.create(
        plan=plan, author=therapist, visits_covered=1, summary="s", recommendation="continue"
    )
    w["precaution"] = Precaution.objects.create(
        patient=patient, referral=referral, kind="osteoporosis", source="referral",
        raised_by=doctor,
    )  # fmt: skip
    return w
