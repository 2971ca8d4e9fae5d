"""The cast of the clinic's stories:

- Dr. Dana Doyle (`doctor`) refers her patient Pat Parker (`patient`);
- Dr. Otto Olsen (`other_doctor`) must see none of Dana's clinical records;
- Theo Tran (`therapist`) treats Pat under an approved plan (`plan`);
- Tess Ives (`other_therapist`) has nothing to do with Pat;
- Fran Desk (`front_desk`) books and checks patients in, never reads notes;
- Mia Manager (`manager`) administers and reads.
"""

import importlib
import os
import uuid
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient

from clinic.vocabulary import Role
from tests.clock import Clock, pinned_now
from tests.factories import (
    PatientFactory,
    ReferralFactory,
    TreatmentPlanFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def clock(request, time_machine):
    """Every test starts at the same instant of clinic time (tests/clock.py),
    before any other fixture makes a record; time runs on from there."""
    from django.conf import settings

    start = pinned_now(settings.TIME_ZONE)
    if request.node.get_closest_marker("real_clock"):
        return None
    the_clock = Clock(start=start, traveller=time_machine)
    the_clock.move_to(start)
    # Every test now starts at the same instant, so what an earlier test left in
    # the cache (the write throttle's history) would still be "a second ago".
    for cache in caches.all(initialized_only=True):
        cache.clear()
    return the_clock


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with PBKDF2's full cost makes every sign-in in the suite slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def generous_write_limit(settings):
    """The suite writes faster than any front desk (and signs in from one address);
    the tests of API_WRITE_RATE set their own."""
    settings.API_WRITE_RATE = "100000/min"


@pytest.fixture(autouse=True)
def no_built_schema(settings, tmp_path_factory):
    """The schema as the code generates it: a file `manage.py buildschema` left in
    var/ (the bench, `make run`) is not what a test of the schema reads."""
    settings.API_SCHEMA_DIR = str(tmp_path_factory.getbasetemp() / "openapi")


@pytest.fixture
def fresh_write_counters(settings):
    """An empty cache of its own, so the write counters of earlier tests (and of
    earlier runs, in Redis) count nothing here."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_audit_trigger():
    """PostgreSQL refuses TRUNCATE of the audit trail (migration 0009), and a
    transactional test ends with a flush that truncates every table. The flush
    runs in one transaction: there, and only there, the tests' superuser lifts
    the triggers with session_replication_role, as no application role can."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def modality_catalog(request):
    """A transactional test ends by flushing every table, the data migration's
    modality catalog with it; put the catalog back for the next one."""
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")
        from referrals.models import Modality

        seed = importlib.import_module("referrals.migrations.0002_seed_modality_catalog")
        for code, name, description in seed.CATALOG:
            Modality.objects.get_or_create(
                code=code, defaults={"name": name, "description": description}
            )
        # --- billing helper: the service codes, their mapping and the self-pay payer
        from django.apps import apps

        importlib.import_module("billing.migrations.0002_seed_service_codes").seed(apps, None)


@pytest.fixture
def private_documents(settings, tmp_path):
    """The documents' storage in a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    return tmp_path / "documents"


@contextmanager
def rewriting_history():
    """Test setup that ages a record already signed (a referral signed long ago
    that is about to expire): lifts PostgreSQL's locks on signed records for
    the statements inside, as only a superuser could. No-op elsewhere."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def doctor(db):
    return UserFactory(username="dana", first_name="Dana", last_name="Doyle", role=Role.DOCTOR)


@pytest.fixture
def other_doctor(db):
    return UserFactory(username="otto", first_name="Otto", last_name="Olsen", role=Role.DOCTOR)


@pytest.fixture
def therapist(db):
    return UserFactory(username="theo", first_name="Theo", last_name="Tran", role=Role.THERAPIST)


@pytest.fixture
def other_therapist(db):
    return UserFactory(username="tess", first_name="Tess", last_name="Ives", role=Role.THERAPIST)


@pytest.fixture
def front_desk(db):
    return UserFactory(username="fran", first_name="Fran", last_name="Desk", role=Role.FRONT_DESK)


@pytest.fixture
def biller(db):
    """Bill, the biller: reads the billing and the diagnosis codes a claim needs."""
    return UserFactory(username="bill", first_name="Bill", last_name="Ing", role=Role.BILLING)


@pytest.fixture
def manager(db):
    return UserFactory(
        username="mia", first_name="Mia", last_name="Manager", role=Role.MANAGER, is_staff=True
    )


@pytest.fixture
def patient(db, doctor):
    return PatientFactory(first_name="Pat", last_name="Parker", created_by=doctor)


@pytest.fixture
def referral(patient, doctor):
    return ReferralFactory(patient=patient, doctor=doctor)


@pytest.fixture
def plan(referral, therapist):
    return TreatmentPlanFactory(referral=referral, therapist=therapist)


@pytest.fixture
def api():
    """An API client; `api.as_(user)` authenticates it as that person."""

    client = APIClient()

    def as_(user):
        client.force_authenticate(user)
        return client

    client.as_ = as_
    return client


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
    reason="needs DATABASE_URL pointing at PostgreSQL (CI sets it)",
)
requires_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL", "").startswith("redis"),
    reason="needs REDIS_URL pointing at a real Redis (CI sets it)",
)
