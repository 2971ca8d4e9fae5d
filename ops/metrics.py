"""`/metrics` for Prometheus, behind METRICS_TOKEN (`Authorization: Bearer …`):
django-prometheus's request and response counters, plus the clinic's own
gauges read from the database at scrape time.

Under gunicorn each worker counts its own requests: set PROMETHEUS_MULTIPROC_DIR
(an empty folder shared by the workers, emptied at start) and every worker's
counts are summed into one answer (docker-compose.yml does)."""

import os
from datetime import timedelta

import prometheus_client
from django.db.models import Count, Min, Sum
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from billing.models import Charge
from scheduling.models import Reminder, ReminderStatus

# A scan runs every minute and a batch drains in seconds: five minutes due is late.
OVERDUE_AFTER = timedelta(minutes=5)


def reminder_gauges(now):
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING)
    due = pending.filter(due_at__lte=now)
    oldest = due.aggregate(oldest=Min("due_at"))["oldest"]
    age = (now - oldest).total_seconds() if oldest else 0.0
    yield GaugeMetricFamily(
        "clinic_reminders_pending", "Reminders not yet sent, due or not", pending.count()
    )
    late = due.filter(due_at__lte=now - OVERDUE_AFTER)
    yield GaugeMetricFamily(
        "clinic_reminders_overdue", "Reminders due over 5 minutes ago, still unsent", late.count()
    )
    yield GaugeMetricFamily(
        "clinic_reminders_failed",
        "Reminders given up after their last try",
        Reminder.objects.filter(status=ReminderStatus.FAILED).count(),
    )
    yield GaugeMetricFamily(
        "clinic_reminder_oldest_unsent_age_seconds",
        "How long the oldest due, unsent reminder has waited (0 when none)",
        age,
    )


def charge_gauges(now):
    """The biller's queue (billing's `Charge.objects.unclaimed()`): open charges in no
    live claim, what they come to, and how long the oldest has waited; one query."""
    queue = Charge.objects.unclaimed().aggregate(
        count=Count("pk"), amount=Sum("total"), oldest=Min("created_at")
    )
    yield GaugeMetricFamily(
        "clinic_charges_unclaimed", "Open charges in no live claim", queue["count"]
    )
    yield GaugeMetricFamily(
        "clinic_charges_unclaimed_amount",
        "What the unclaimed charges come to, in the clinic's currency",
        float(queue["amount"] or 0),
    )
    oldest = queue["oldest"]
    yield GaugeMetricFamily(
        "clinic_charge_oldest_unclaimed_age_seconds",
        "How long the oldest unclaimed charge has waited for a claim (0 when none)",
        (now - oldest).total_seconds() if oldest else 0.0,
    )


# The clinic's gauges, each a function of "now" yielding metric families.
CLINIC_GAUGES = (reminder_gauges, charge_gauges)


class ClinicCollector:
    def collect(self):
        now = timezone.now()
        for gauges in CLINIC_GAUGES:
            yield from gauges(now)


def django_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def metrics(request):
    from ops.health import has_metrics_token

    if not has_metrics_token(request):
        response = HttpResponse("A metrics token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    clinic = prometheus_client.CollectorRegistry(auto_describe=False)
    clinic.register(ClinicCollector())
    body = prometheus_client.generate_latest(django_registry())
    body += prometheus_client.generate_latest(clinic)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
