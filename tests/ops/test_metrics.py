"""/metrics: Prometheus's text for the token only, with the reminder outbox's
gauges next to django-prometheus's request counters."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Reminder, ReminderStatus
from tests.factories import AppointmentFactory

TOKEN = "m" * 32
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client):
    return client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})


def value(text: str, name: str) -> float:
    return float(re.search(rf"^{name} (\S+)$", text, re.MULTILINE).group(1))


def reminder(due_in: timedelta, status=ReminderStatus.PENDING):
    visit = AppointmentFactory(plan=None)
    due_at = timezone.now() + due_in
    return Reminder.objects.create(
        appointment=visit, kind="2h", channel="email", due_at=due_at, status=status
    )


def test_without_the_token_there_are_no_metrics(client):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {'x' * 32}"})
    assert wrong.status_code == 401


def test_with_no_token_configured_nobody_gets_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_the_reminder_gauges_count_the_outbox(client, django_assert_max_num_queries):
    # given one reminder late by ten minutes, one due later, one failed, one sent
    reminder(timedelta(minutes=-10))
    reminder(timedelta(hours=3))
    reminder(timedelta(hours=-1), status=ReminderStatus.FAILED)
    reminder(timedelta(hours=-2), status=ReminderStatus.SENT)
    # when Prometheus scrapes
    with django_assert_max_num_queries(5):  # four for the reminders, one for the charges
        response = scrape(client)
    # then the gauges say so
    assert response.status_code == 200
    text = response.content.decode()
    assert value(text, "clinic_reminders_pending") == 2
    assert value(text, "clinic_reminders_overdue") == 1
    assert value(text, "clinic_reminders_failed") == 1
    assert 590 <= value(text, "clinic_reminder_oldest_unsent_age_seconds") <= 700


def test_django_prometheus_counts_requests(client):
    client.get("/")
    text = scrape(client).content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert value(text, "clinic_reminder_oldest_unsent_age_seconds") == 0


def test_the_charge_gauges_show_the_billers_queue(client, clock, patient, therapist):
    from decimal import Decimal

    from billing.models import Charge, Claim, Payer
    from tests.billing.conftest import cover

    payer = Payer.objects.create(name="Acme Health", kind="commercial", payer_id="ACME1")

    def charge(total, **fields):
        return Charge.objects.create(
            patient=patient, payer=payer, therapist=therapist, kind="no_show_fee",
            service_date=timezone.localdate(), total=Decimal(total), **fields,
        )  # fmt: skip

    # given a charge waiting for three hours, one of an hour, one already claimed
    oldest = charge("85.00")
    clock.shift(timedelta(hours=2))
    charge("42.50")
    claimed = charge("40.00", status="claimed")
    claim = Claim.objects.create(
        payer=payer, coverage=cover(patient, payer), number=1, status="submitted"
    )
    claim.charges.add(claimed)
    clock.shift(timedelta(hours=1))
    # and a void one, which nobody will ever claim
    charge("99.00", status="void", void_reason="Waived: a family emergency")

    text = scrape(client).content.decode()

    assert value(text, "clinic_charges_unclaimed") == 2
    assert value(text, "clinic_charges_unclaimed_amount") == 127.5
    age = (timezone.now() - oldest.created_at).total_seconds()
    assert value(text, "clinic_charge_oldest_unclaimed_age_seconds") == pytest.approx(age, abs=5)
    assert age >= 3 * 3600 - 5
