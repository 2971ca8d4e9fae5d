"""API.md, Schema, proven as an integrator would: a client generated from the
app's own OpenAPI document by a third-party generator (openapi-python-client)
runs the clinic's story against the live server, and every answer parses into
the generated, typed classes.

The client is generated once per test session from the schema built in process
(no network), into a temporary folder put on `sys.path`."""

import importlib
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from .conftest import at_local

PACKAGE = "clinic_client"
PASSWORD = "correct-horse-battery"  # tests/factories.py


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """The generated package's `api` and `models`, and its client classes."""
    folder = tmp_path_factory.mktemp("generated")
    schema = folder / "schema.json"
    built = SchemaGenerator().get_schema(request=None, public=True)
    schema.write_bytes(OpenApiJsonRenderer().render(built))
    config = folder / "config.json"
    # no formatting hooks: the code only has to run; the PDFs and scans are files,
    # which the generator takes as octet streams (README, Generating a client)
    files = dict.fromkeys(
        ["application/pdf", "image/jpeg", "image/png"], "application/octet-stream"
    )
    options = {"package_name_override": PACKAGE, "post_hooks": [], "content_type_overrides": files}
    config.write_text(json.dumps(options))
    command = [sys.executable, "-m", "openapi_python_client", "generate"]
    command += ["--path", str(schema), "--config", str(config), "--meta", "none"]
    command += ["--output-path", str(folder / PACKAGE), "--fail-on-warning"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield Generated()
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


class Generated:
    def __init__(self):
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.client = importlib.import_module(f"{PACKAGE}.client")

    def op(self, name: str):
        """An operation's module, e.g. `referrals.referrals_create`."""
        return importlib.import_module(f"{PACKAGE}.api.{name}")


@pytest.fixture
def opened():
    """The clients a test opens, closed after it: a kept-alive connection would keep
    a live-server thread, and its database session, past the test."""
    clients = []
    yield clients
    for client in clients:
        client.__exit__()


def _sign_in(generated, base_url, user, opened):
    m = generated.models
    with generated.client.Client(base_url=base_url) as anonymous:
        body = m.TokenRequestRequest(username=user.username, password=PASSWORD)
        token = generated.op("auth.auth_token_create").sync(client=anonymous, body=body)
    assert isinstance(token, m.Token)
    signed_in = generated.client.AuthenticatedClient(
        base_url=base_url, token=token.token, prefix="Token"
    )
    opened.append(signed_in)
    return signed_in


def _referral_body(m, patient):
    neck = m.AreaRequest(region=m.RegionEnum.NECK, side=m.SideEnum.BILATERAL)
    return m.ReferralWriteRequest(
        patient=patient.pk,
        diagnoses=[m.DiagnosisRequest(code="M54.2")],
        target_areas=[neck],
        visits_prescribed=10,
        frequency_per_week=2,
        valid_until=timezone.localdate() + timedelta(days=60),
    )


def _plan_body(m, referral):
    area = m.PlanAreaRequest(
        region=m.RegionEnum.NECK, side=m.SideEnum.BILATERAL, modalities=["trigger_point"]
    )
    goal = m.GoalRequest(
        description="Turn the head without pain",
        measure=m.MeasureEnum.NPRS,
        baseline="6",
        target="2",
    )
    return m.TreatmentPlanWriteRequest(
        referral=referral.id,
        areas=[area],
        goals=[goal],
        frequency_per_week=2,
        planned_visits=8,
        start_date=timezone.localdate(),
    )


def _note_body(m, visit):
    area = m.NoteAreaRequest(
        region=m.RegionEnum.NECK, side=m.SideEnum.LEFT, modalities=["trigger_point"], minutes=20
    )
    return m.BilledNoteWriteRequest(
        appointment=visit.id,
        pain_before=6,
        pain_after=3,
        areas=[area],
        response=m.ResponseEnum.IMPROVED,
    )


def test_a_generated_client_runs_the_clinic_story_with_typed_answers(
    live_server, generated, opened, doctor, therapist, front_desk, patient
):
    m, op, url = generated.models, generated.op, live_server.url
    # given Dana, Theo and Fran signed in through the generated client
    dana, theo, fran = (
        _sign_in(generated, url, u, opened) for u in (doctor, therapist, front_desk)
    )

    # when Dana refers Pat and signs the referral
    referral = op("referrals.referrals_create").sync(client=dana, body=_referral_body(m, patient))
    assert isinstance(referral, m.Referral) and referral.status == m.ReferralStatusEnum.DRAFT
    signed = op("referrals.referrals_sign_create").sync(client=dana, id=referral.id)
    # then a typed referral, signed; the front desk reads its status fields only
    assert signed.status == m.ReferralStatusEnum.SIGNED and signed.signed_at is not None
    assert [d.code for d in signed.diagnoses] == ["M54.2"]
    as_desk = op("referrals.referrals_retrieve").sync(client=fran, id=referral.id)
    assert isinstance(as_desk, m.ReferralStatus) and as_desk.visits_remaining == 10

    # when Theo writes and proposes a plan, and Dana approves it
    plan = op("treatment_plans.treatment_plans_create").sync(
        client=theo, body=_plan_body(m, signed)
    )
    assert isinstance(plan, m.TreatmentPlan) and plan.status == m.TreatmentPlanStatusEnum.DRAFT
    proposed = op("treatment_plans.treatment_plans_propose_create").sync(client=theo, id=plan.id)
    assert proposed.status == m.TreatmentPlanStatusEnum.PROPOSED
    approve = op("treatment_plans.treatment_plans_approve_create")
    approved = approve.sync(client=dana, id=plan.id, body=m.ApproveRequest())
    assert approved.status == m.TreatmentPlanStatusEnum.APPROVED

    # when Fran books tomorrow 10:00, then a weekly series starting at the same time
    start = at_local(1, 10)
    visit = op("appointments.appointments_create").sync(
        client=fran,
        body=m.AppointmentCreateRequest(
            patient=patient.pk,
            therapist=therapist.pk,
            plan=plan.id,
            start=start,
            end=start + timedelta(minutes=45),
        ),
    )
    assert isinstance(visit, m.Appointment) and visit.status == m.AppointmentStatusEnum.BOOKED
    series = op("appointment_series.appointment_series_create").sync_detailed(
        client=fran,
        body=m.SeriesCreateRequest(
            plan=plan.id,
            therapist=therapist.pk,
            start=start,
            duration_minutes=45,
            rrule="FREQ=WEEKLY;COUNT=2",
        ),
    )
    # then a typed 409 naming the visit it clashes with, by its UUID
    assert series.status_code == 409 and isinstance(series.parsed, m.ConflictError)
    assert series.parsed.code == m.CodeEnum.CONFLICT
    assert visit.id in {clash.appointment for clash in series.parsed.conflicts}

    # when Theo's tablet sends the note of today's visit twice under one key
    now = timezone.now().replace(second=0, microsecond=0)  # still today, already begun
    today = op("appointments.appointments_create").sync(
        client=fran,
        body=m.AppointmentCreateRequest(
            patient=patient.pk, therapist=therapist.pk, plan=plan.id, start=now,
            end=now + timedelta(minutes=45),
        ),
    )  # fmt: skip
    log = op("session_notes.session_notes_create")
    first = log.sync_detailed(client=theo, body=_note_body(m, today), idempotency_key="tablet-7")
    again = log.sync_detailed(client=theo, body=_note_body(m, today), idempotency_key="tablet-7")
    # then one note, the same answer twice, with its ETag
    assert first.status_code == again.status_code == 201
    assert isinstance(again.parsed, m.BilledNote) and again.parsed.id == first.parsed.id
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"]

    # then the plan's progress parses into its typed parts
    progress = op("treatment_plans.treatment_plans_progress_retrieve").sync(client=dana, id=plan.id)
    assert isinstance(progress, m.Progress) and progress.visits_completed == 1
    assert [s.response for s in progress.sessions] == [m.ResponseEnum.IMPROVED]
    assert [(g.measure, g.latest, g.met) for g in progress.goals] == [
        (m.MeasureEnum.NPRS, 6, False)
    ]

    # when Theo corrects it with the ETag he read, then a PATCH holds a stale one
    patch = op("session_notes.session_notes_partial_update")
    note_id, read = first.parsed.id, first.headers["ETag"]
    edit = m.PatchedBilledNoteUpdateRequest(subjective="Less stiff on waking.")
    fresh = patch.sync_detailed(client=theo, id=note_id, body=edit, if_match=read)
    assert fresh.status_code == 200 and fresh.parsed.subjective == "Less stiff on waking."
    stale = patch.sync_detailed(client=theo, id=note_id, body=edit, if_match=read)
    # then the stale one is a typed 412, and an empty PATCH changes no version
    assert stale.status_code == 412 and isinstance(stale.parsed, m.PreconditionFailedError)
    empty = patch.sync_detailed(client=theo, id=note_id, body=m.PatchedBilledNoteUpdateRequest())
    assert empty.status_code == 200 and empty.headers["ETag"] == fresh.headers["ETag"]

    # when Theo signs the note, then it is charged: the front desk reads the charge
    # as its own type, without diagnoses, and a doctor's client with them
    op("session_notes.session_notes_sign_create").sync(client=theo, id=note_id)
    charges = op("charges.charges_list")
    assert [type(c) for c in charges.sync(client=fran).results] == [m.Charge]
    as_doctor = charges.sync(client=dana).results
    assert [d.code for c in as_doctor for d in c.diagnoses] == ["M54.2"]
