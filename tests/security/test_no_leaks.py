"""No leaks across roles, on every URL of the app (pages and API).

Every URL pattern is resolved and filled in with the ids of Dr. Dana Doyle's
patient's records; then someone who must not see them asks — a second doctor,
a second therapist, and the front desk (for clinical content). Nothing outside
their scope may come back, and nothing may change."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from billing.charging import sign_note_and_charge
from billing.models import Authorization, Charge, Claim, Coverage, Payer, Payment
from billing.note_services import log_session_with_services
from clinic.models import AuditEvent
from documents.services import upload_document
from referrals.models import OutsidePhysician, Precaution, ReferralStatus
from scheduling.models import Location, Room, WaitlistEntry, WaitlistOffer
from sessions_log.models import Addendum, OutcomeMeasurement, ProgressReport, SessionNote
from tests.factories import AppointmentFactory, ReferralFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db

# Clinical text only Dana, Theo and the manager may read.
PRECAUTION = "Precaution-mark-7731"
NOTE = "Note-mark-5521"
ADDENDUM = "Addendum-mark-9911"
FINDING = "Finding-mark-4410"
REPORT = "Report-mark-6602"
DOCUMENT = "Document-mark-3307"  # inside the scanned prescription's bytes
DIAGNOSIS = "Cervicalgia"  # M54.2's description
CLINICAL_MARKS = [PRECAUTION, NOTE, ADDENDUM, FINDING, REPORT, DOCUMENT, DIAGNOSIS]
PATIENT_NAME = "Zyxwparker"  # the patient's own name: not even that for another therapist

SKIPPED_PREFIXES = ("admin/", "api/v1/schema", "api/v1/docs", "calendar/", "visit/", "sign/", "p/")


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
def record(doctor, therapist, private_documents):
    """Pat's whole record: referral, plan, visits, a signed note with an addendum,
    a measurement, a precaution, a progress report, the referral's scan."""
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
    # --- billing helper: the note is billed (a charge, a claim, a payment)
    coverage = Coverage.objects.create(
        patient=referral.patient, payer=Payer.objects.create(
            name="Acme Health", kind="commercial", payer_id="ACME1"),
        priority="primary", member_id="M1", valid_from=timezone.localdate(),
    )  # fmt: skip
    authorization = Authorization.objects.create(
        coverage=coverage, number="A1", visits=5, units=20, valid_from=timezone.localdate(),
        valid_until=timezone.localdate(),
    )  # fmt: skip
    note = log_session_with_services(
        therapist=therapist,
        appointment=visit,
        data={"pain_before": 6, "pain_after": 3, "response": "improved", "subjective": NOTE,
              "areas": [{"region": "neck", "side": "left", "minutes": 20,
                         "modalities": ["trigger_point"]}]},
    )  # fmt: skip
    note = sign_note_and_charge(note=note, by=therapist)
    charge = Charge.objects.get(note=note)
    claim = Claim.objects.create(payer=coverage.payer, coverage=coverage, number=1, total=1)
    claim.charges.set([charge])
    payment = Payment.objects.create(
        patient=referral.patient, amount=5, method="cash", received_by=therapist
    )
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
    document = upload_document(
        by=therapist, patient=referral.patient, referral=referral, kind="prescription",
        file=SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + DOCUMENT.encode()),
    )  # fmt: skip
    return {
        "document": document,
        "physician": OutsidePhysician.objects.create(
            first_name="Ada", last_name="Outside", npi="1234567893", created_by=doctor
        ),
        "patient": referral.patient, "referral": referral, "plan": plan, "appointment": upcoming,
        "visit": visit, "note": note, "measurement": measurement, "precaution": precaution,
        "report": report, "audit": AuditEvent.objects.first(), "coverage": coverage,
        "authorization": authorization, "charge": charge, "claim": claim, "payment": payment,
        "payer": coverage.payer,
        # rooms helper: the clinic's places, read by all staff
        "location": (location := Location.objects.create(name="Main St", address="1 Main St")),
        "room": Room.objects.create(location=location, name="Room 1"),
        # Pat waits for an earlier visit, and has been offered one
        "waitlist_entry": (entry := WaitlistEntry.objects.create(
            patient=referral.patient, plan=plan, earliest=timezone.localdate(),
            latest=timezone.localdate() + timedelta(days=30), weekdays=["MO"],
            from_time="08:00", to_time="18:00", created_by=therapist)),
        "waitlist_offer": WaitlistOffer.objects.create(
            entry=entry, freed=upcoming, therapist=therapist, start=upcoming.start,
            end=upcoming.end),
    }  # fmt: skip


# which of Pat's records a URL parameter names, by parameter or by API route
BY_PARAMETER = {
    "patient_id": "patient", "referral_id": "referral", "plan_id": "plan",
    "appointment_id": "appointment", "note_id": "note", "report_id": "report",
    "precaution_id": "precaution", "document_id": "document",
    "charge_id": "charge", "claim_id": "claim",
    # consent documents are the clinic's, no patient's: any id that names none will do
    "consent_id": "appointment",
    "questionnaire_id": "plan",  # a patient's questionnaire is named by its plan
    "home_exercise_id": "plan",  # any id that names none of Quinn's will do
    "paper_id": "charge",  # Pat's superbill
}  # fmt: skip
BY_API_ROUTE = {
    "patients": "patient", "referrals": "referral", "treatment-plans": "plan",
    "appointments": "appointment", "session-notes": "note", "measurements": "measurement",
    "audit-events": "audit", "appointment-series": "appointment", "staff": "patient",
    "progress-reports": "report", "precautions": "precaution", "documents": "document",
    "physicians": "physician",
    # billing helper
    "coverages": "coverage", "authorizations": "authorization", "charges": "charge",
    "claims": "claim", "payments": "payment", "payers": "payer", "service-codes": "service_code",
    "portal": "appointment", "exercises": "plan",
    # rooms helper
    "locations": "location", "rooms": "room",
    "waitlist": "waitlist_entry", "waitlist-offers": "waitlist_offer",
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
        filled = _fill(url, {p: str(_pk(record, kind)) for p in parameters})
        yield path + filled, kind


def _pk(record, kind):
    return "97140" if kind == "service_code" else record[kind].pk


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
        # the clinic's directories: patients for doctors, outside physicians for all
        directory = (outsider == "other_doctor" and kind == "patient") or kind == "physician"
        directory |= kind in ("payer", "service_code")  # the catalog every role reads
        directory |= kind in ("location", "room")  # the clinic's places: all staff read them
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
    assert {"patient", "referral", "plan", "appointment", "note", "report", "document"} <= kinds
    assert record["referral"].status == ReferralStatus.SIGNED


def test_the_referring_doctor_does_see_the_marks_so_the_walk_can_find_leaks(doctor, record):
    # given the same URLs, the record's own doctor reads its clinical content
    client = client_for(doctor)
    seen = set()
    for url, _ in urls_for(record):
        text = body(client.get(url))
        seen |= {m for m in CLINICAL_MARKS if m in text}
    assert {PRECAUTION, NOTE, ADDENDUM, DOCUMENT, DIAGNOSIS} <= seen


# --- billing helper: the biller ------------------------------------------------------------

BILLING_KINDS = {"coverage", "authorization", "charge", "claim", "payment"}


def test_the_biller_never_receives_a_note_precaution_finding_or_report_on_any_url(biller, record):
    # given the biller, who reads the billing with its diagnosis codes, and nothing clinical
    client = client_for(biller)
    before = snapshot(record)
    marks = [PRECAUTION, NOTE, ADDENDUM, FINDING, REPORT]
    leaks, seen = [], set()
    # when the biller reads every URL, and the lists with the patient's filter
    for url, kind in urls_for(record):
        read = client.get(url)
        text = body(read)
        leaks += [f"GET {url}: {m}" for m in marks if m in text]
        if kind in BILLING_KINDS and read.status_code == 200:
            seen.add(kind)
        if kind in ("note", "report", "precaution", "measurement") and read.status_code == 200:
            leaks.append(f"GET {url}: {read.status_code}")
    lists = ["session-notes/", "measurements/", "precautions/", "progress-reports/",
             f"referrals/?patient={record['patient'].pk}"]  # fmt: skip
    for url in ("/api/v1/" + path for path in lists):
        leaks += [f"GET {url}: {m}" for m in marks if m in body(client.get(url))]
    # then nothing clinical came back, the billing did, and nothing changed
    assert leaks == []
    assert seen == BILLING_KINDS  # the positive control: the walk reached the billing
    assert snapshot(record) == before


def test_the_walk_reaches_every_kind_of_billing_record(record):
    assert {kind for _, kind in urls_for(record)} >= BILLING_KINDS


def test_the_biller_is_refused_every_clinical_and_schedule_record(biller, record):
    # given the biller and Pat's billed record
    client = client_for(biller)
    pk = record["patient"].pk
    clinical = [
        "referrals/", f"referrals/{record['referral'].pk}/", "treatment-plans/",
        f"treatment-plans/{record['plan'].pk}/progress/", "session-notes/",
        f"session-notes/{record['note'].pk}/", "measurements/", "precautions/",
        "progress-reports/", "appointments/", f"appointments/{record['visit'].pk}/",
        "appointment-series/", "audit-events/", "break-glass/", f"patients/{pk}/fhir/",
        f"patients/{pk}/episodes/", "diagnoses/?search=neck",
    ]  # fmt: skip
    # when the biller asks for anything clinical or the schedule
    answers = {path: client.get("/api/v1/" + path).status_code for path in clinical}
    # then every one is refused for the role, whatever the record
    assert answers == dict.fromkeys(clinical, 403)
    # and the pages too: the note, the referral, the plan and the calendar
    for page in (f"/notes/{record['note'].pk}/", f"/referrals/{record['referral'].pk}/",
                 f"/plans/{record['plan'].pk}/", "/week/", "/today/"):  # fmt: skip
        assert client.get(page).status_code == 403, page


def test_the_biller_reads_the_claim_with_the_diagnosis_codes_it_needs(biller, record):
    # given the biller
    client = client_for(biller)
    # when the biller reads Pat's charge, claim and ledger
    charge = client.get(f"/api/v1/charges/{record['charge'].pk}/")
    claim = client.get(f"/api/v1/claims/{record['claim'].pk}/")
    ledger = client.get(f"/api/v1/patients/{record['patient'].pk}/ledger/")
    # then the claim's diagnosis (code and letter) is there, and the ledger
    assert charge.status_code == claim.status_code == ledger.status_code == 200
    assert "M54.2" in [d["code"] for d in charge.json()["diagnoses"]]
    assert charge.json()["lines"][0]["diagnosis_pointers"] == ["A"]
    assert ledger.json()["balance"] is not None
