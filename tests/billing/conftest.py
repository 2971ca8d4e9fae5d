"""The billing cast joins the clinic's (tests/conftest.py): Bill the biller, and
the payers of Pat's coverage — Acme Health (commercial, AMA units), Medicare
(CMS units, GP on every timed line), Harbor Auto (PIP) and State Fund (workers'
comp) — each with a fee schedule."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Coverage, Fee, Payer
from clinic.vocabulary import AppointmentStatus
from tests.factories import AppointmentFactory, SessionNoteFactory

FEES = {"97140": "42.50", "97124": "38.00", "97110": "40.00", "97112": "41.00", "97530": "45.00"}


def payer_with_fees(**fields) -> Payer:
    payer = Payer.objects.create(**fields)
    for code, amount in FEES.items():
        Fee.objects.create(payer=payer, service_code_id=code, per_unit=Decimal(amount))
    return payer


@pytest.fixture
def commercial(db):
    return payer_with_fees(name="Acme Health", kind="commercial", payer_id="ACME1", unit_rule="ama")


@pytest.fixture
def medicare(db):
    return payer_with_fees(
        name="Medicare", kind="medicare", payer_id="MCR01", unit_rule="cms", line_modifiers=["GP"]
    )


@pytest.fixture
def auto_insurer(db):
    return payer_with_fees(name="Harbor Auto", kind="auto", payer_id="HARB1", unit_rule="ama")


@pytest.fixture
def workers_comp(db):
    return payer_with_fees(
        name="State Fund", kind="workers_comp", payer_id="SFUND", unit_rule="ama",
        requires_authorization=True,
    )  # fmt: skip


def cover(patient, payer, **fields) -> Coverage:
    defaults = {
        "priority": "primary",
        "member_id": "XJ123456789",
        "valid_from": timezone.localdate() - timedelta(days=90),
    }
    if payer.kind in ("auto", "workers_comp"):
        defaults |= {"claim_number": "CLM-2026-0042", "date_of_injury": date(2026, 1, 15)}
    return Coverage.objects.create(patient=patient, payer=payer, **(defaults | fields))


@pytest.fixture
def coverage(patient, commercial):
    """Pat's commercial plan, primary, valid since three months ago."""
    return cover(patient, commercial)


@pytest.fixture
def draft_note(plan):
    """Theo's draft note of Pat's visit an hour ago, without services yet."""
    start = timezone.now() - timedelta(hours=1)
    return SessionNoteFactory(
        appointment=AppointmentFactory(plan=plan, start=start, status=AppointmentStatus.COMPLETED)
    )


def started_visit(plan, *, hours_ago=1):
    start = timezone.now() - timedelta(hours=hours_ago)
    return AppointmentFactory(
        plan=plan, start=start, end=start + timedelta(minutes=45),
        status=AppointmentStatus.CHECKED_IN,
    )  # fmt: skip


def note_data(**fields):
    return {"pain_before": 6, "pain_after": 3, "response": "improved", **fields}


@pytest.fixture
def patient_with_address(plan):
    patient = plan.patient
    patient.address_line, patient.city, patient.state = "1 Main Street", "Springfield", "IL"
    patient.postal_code, patient.sex = "62701-1234", "male"
    patient.save()
    return patient


@pytest.fixture
def therapist_with_npi(therapist):
    therapist.npi, therapist.taxonomy_code = "1245319599", "225700000X"
    therapist.save()
    return therapist
