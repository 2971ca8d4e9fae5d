"""Idempotency keys expire after a day: an hourly task forgets the old ones."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from clinic.models import IdempotencyKey
from clinic.tasks import purge_idempotency_keys

pytestmark = pytest.mark.django_db


def test_the_hourly_task_forgets_keys_older_than_a_day(therapist):
    old = IdempotencyKey.objects.create(user=therapist, key="old", request_fingerprint="x")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = IdempotencyKey.objects.create(user=therapist, key="fresh", request_fingerprint="y")
    # when the task runs
    purge_idempotency_keys.apply()
    # then only the fresh key is left
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_purge_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]
    assert entry["task"] == "clinic.tasks.purge_idempotency_keys"
