"""No leaks across roles, on every URL of the app (pages and API).

Every URL pattern is resolved and filled in with the ids of Dr. Dana Doyle's
patient's records; then someone who must not see them asks — a second doctor,
a second therapist, and the front desk (for clinical content). Nothing outside
their scope may come back, and nothing may change."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from clinic.models import AuditEvent
from referrals.models import Precaution, ReferralStatus
from sessions_log import services as note_services
from sessions_log.models import Addendum, OutcomeMeasurement, ProgressReport, SessionNote
from tests.factories import AppointmentFactory, ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db

# Clinical text only Dana, Theo and the manager may read.
PRECAUTION = "Precaution-mark-7731"
NOTE = "Note-mark-5521"
ADDENDUM = "Addendum-mark-9911"
FINDING = "Finding-mark-4410"
REPORT = "Report-mark-6602"
DIAGNOSIS = "Cervicalgia"  # M54.2's description
CLINICAL_MARKS = [PRECAUTION, NOTE, ADDENDUM, FINDING, REPORT, DIAGNOSIS]
PATIENT_NAME = "Zyxwparker"  # the patient's own name: not even that for another therapist

SKIPPED_PREFIXES = ("admin/", "api/v1/schema", "api/v1/docs", "calendar/", "visit/", "p/")


def every_pattern(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue  # the admin has its own tests; feeds and links are secret tokens
        if isinstance(entry, URLResolver):
            yield from every_pattern(entry, route)
        elif isinstance(entry, URLPattern) and "format" not in entry.pattern.regex.groupindex:
            yield route, entry


@pytest.fixture
def record(doctor, therapist):
    """Pat's whole record: referral, plan, visits, a signed note with an addendum,
    a measurement, a precaution, a progress report."""
    referral = ReferralFactory(
        patient__first_name="Pat",
        patient__last_name=PATIENT_NAME,
        patient__created_by=doctor,
        doctor=doctor,
        precautions=PRECAUTION,
    )
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist)
    start = timezone.now() - timedelta(hours=2)
    visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
    upcoming = AppointmentFactory(plan=plan)
    note = note_services.log_session(
        therapist=therapist,
        appointment=visit,
        data={"pain_before": 6, "pain_after": 3, "response": "improved", "subjective": NOTE,
              "areas": [{"region": "neck", "side": "left", "minutes": 20, "modalities": []}]},
    )  # fmt: skip
    note = note_services.sign_session_note(note=note, by=therapist)
    Addendum.objects.create(note=note, author=therapist, text=ADDENDUM)
    measurement = OutcomeMeasurement.objects.create(
        plan=plan, measure="nprs", score=5, taken_at=timezone.now(), recorded_by=therapist
    )
    precaution = Precaution.objects.create(
        patient=referral.patient, referral=referral, kind="fever", source="finding",
        note=FINDING, raised_by=therapist,
    )  # fmt: skip
    report = ProgressReport.objects.create(
        plan=plan, author=therapist, visits_covered=1, summary=REPORT, recommendation="continue"
    )
    return {
        "patient": referral.patient, "referral": referral, "plan": plan, "appointment": upcoming,
        "visit": visit, "note": note, "measurement": measurement, "precaution": precaution,
        "report": report, "audit": AuditEvent.objects.first(),
    }  # fmt: skip


# which of Pat's records a URL parameter names, by parameter or by API route
BY_PARAMETER = {
    "patient_id": "patient", "referral_id": "referral", "plan_id": "plan",
    "appointment_id": "appointment", "note_id": "note", "report_id": "report",
    "precaution_id": "precaution",
    # consent documents are the clinic's, no patient's: any id that names none will do
    "document_id": "appointment",
    "questionnaire_id": "plan",  # a patient's questionnaire is named by its plan
    "home_exercise_id": "plan",  # any id that names none of Quinn's will do
}  # fmt: skip
BY_API_ROUTE = {
    "patients": "patient", "referrals": "referral", "treatment-plans": "plan",
    "appointments": "appointment", "session-notes": "note", "measurements": "measurement",
    "audit-events": "audit", "appointment-series": "appointment", "staff": "patient",
    "progress-reports": "report", "precautions": "precaution", "portal": "appointment",
    "exercises": "plan",
}  # fmt: skip


def record_for(route: str, parameter: str) -> str:
    if parameter in BY_PARAMETER:
        return BY_PARAMETER[parameter]
    collection = route.removeprefix("api/v1/").lstrip("^").split("/")[0]
    return BY_API_ROUTE[collection]


def urls_for(record):
    """(url, the record it names or None) for every pattern, ids filled in."""
    for route, entry in every_pattern():
        parameters = list(entry.pattern.regex.groupindex)
        if not parameters:
            yield "/" + route.replace("^", "").replace("$", ""), None
            continue
        kind = record_for(route, parameters[0])
        url = entry.pattern.regex.pattern
        path = "/" + route[: len(route) - len(str(entry.pattern))]
        filled = _fill(url, {p: str(record[kind].pk) for p in parameters})
        yield path + filled, kind


def _fill(regex: str, values: dict) -> str:
    import re

    from django.urls.resolvers import RoutePattern  # noqa: F401 - documents the two syntaxes

    text = regex.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], text)


def body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else (
        response.content.decode(errors="replace")
    )  # fmt: skip


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def snapshot(record):
    return (
        record["referral"].__class__.objects.get(pk=record["referral"].pk).status,
        record["plan"].__class__.objects.get(pk=record["plan"].pk).status,
        record["appointment"].__class__.objects.get(pk=record["appointment"].pk).status,
        SessionNote.objects.get(pk=record["note"].pk).version,
        Addendum.objects.count(),
        ProgressReport.objects.get(pk=record["report"].pk).status,
        Precaution.objects.get(pk=record["precaution"].pk).cleared_at,
    )


@pytest.mark.parametrize("outsider", ["other_doctor", "other_therapist"])
def test_an_outsider_gets_nothing_of_anothers_patient_on_any_url(request, record, outsider):
    user = request.getfixturevalue(outsider)
    client = client_for(user)
    before = snapshot(record)
    leaks, changes = [], []
    for url, kind in urls_for(record):
        # when the outsider reads the URL, and then posts to it
        read = client.get(url)
        text = body(read)
        marks = CLINICAL_MARKS + ([PATIENT_NAME] if outsider == "other_therapist" else [])
        leaks += [f"GET {url}: {m}" for m in marks if m in text]
        directory = outsider == "other_doctor" and kind == "patient"
        if kind and not directory and read.status_code not in (403, 404, 405):
            leaks.append(f"GET {url}: {read.status_code}")
        if kind and not directory and url != "/logout/":
            wrote = client.post(url, {}, content_type="application/json")
            if wrote.status_code not in (400, 403, 404, 405):
                changes.append(f"POST {url}: {wrote.status_code}")
    # then nothing came back, and nothing changed
    assert leaks == []
    assert changes == []
    assert snapshot(record) == before


def test_the_front_desk_never_receives_clinical_content_on_any_url(front_desk, record):
    client = client_for(front_desk)
    leaks = []
    for url, _ in urls_for(record):
        text = body(client.get(url))
        leaks += [f"GET {url}: {m}" for m in CLINICAL_MARKS if m in text]
    # the lists too, with the patient's own filter
    for url in (
        f"/api/v1/referrals/?patient={record['patient'].pk}",
        f"/api/v1/treatment-plans/?patient={record['patient'].pk}",
        f"/api/v1/appointments/?patient={record['patient'].pk}",
        "/api/v1/session-notes/",
        "/api/v1/measurements/",
    ):
        text = body(client.get(url))
        leaks += [f"GET {url}: {m}" for m in CLINICAL_MARKS if m in text]
    assert leaks == []


def test_the_walk_covers_every_kind_of_record(record):
    kinds = {kind for _, kind in urls_for(record)}
    assert {"patient", "referral", "plan", "appointment", "note", "report"} <= kinds
    assert record["referral"].status == ReferralStatus.SIGNED


def test_the_referring_doctor_does_see_the_marks_so_the_walk_can_find_leaks(doctor, record):
    # given the same URLs, the record's own doctor reads its clinical content
    client = client_for(doctor)
    seen = set()
    for url, _ in urls_for(record):
        text = body(client.get(url))
        seen |= {m for m in CLINICAL_MARKS if m in text}
    assert {PRECAUTION, NOTE, ADDENDUM, DIAGNOSIS} <= seen
