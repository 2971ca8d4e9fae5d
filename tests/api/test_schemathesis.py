"""The API against its own OpenAPI schema (schemathesis): for each role's token,
a bounded number of generated requests per operation, valid and invalid, must
never meet a 5xx and every answer must match the schema's status codes, content
type and body."""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clinic.models import AuditEvent
from clinic.tokens import issue_token
from clinic.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# a detail URL points at a real record half the time the generator picks an id,
# so lifecycles and 409s are exercised, not only 404s
RECORD_OF = {
    "patients": "patient",
    "referrals": "draft_referral",
    "treatment-plans": "draft_plan",
    "appointments": "visit",
    "appointment-series": "series",
    "session-notes": "note",
    "measurements": "measurement",
    "progress-reports": "report",
    "precautions": "precaution",
}


def _load_schema():
    """The schema the app serves, generated in-process (no request, no database)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application  # calls go through the WSGI app, in-process
    loaded.config.generation.update(max_examples=8, deterministic=True, database="none")
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    # the real WSGI app closes the database connection after each request, which
    # would end the test's transaction; the test client does the same as this
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world, doctor, therapist, front_desk, manager):
    """One token per role; every generated request is sent with each of them."""
    return [issue_token(user=u)[0] for u in (doctor, therapist, front_desk, manager)]


def _point_at_a_record(case, world):
    resource = case.path.split("/")[3]
    record = world.get(RECORD_OF.get(resource, ""))
    if record is None and resource == "audit-events":
        record = AuditEvent.objects.first()
    drawn = str((case.path_parameters or {}).get("id", ""))
    # hypothesis draws the id; an even first character means "a real one"
    if drawn and record is not None and drawn[:1] in "02468acegikmoqsuwy":
        case.path_parameters["id"] = str(record.pk)


@pytest.mark.django_db
@schema.parametrize()
# the records are shared by the examples of one operation on purpose: a lifecycle
# step taken by one example is a 409 for the next, which is worth checking too
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_request_meets_a_server_error_and_every_answer_fits_the_schema(case, tokens, world):
    # given a generated request (pointed at a real record at times)
    _point_at_a_record(case, world)

    # when each role sends it; then no 5xx, and status, content type and body fit
    for token in tokens:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
