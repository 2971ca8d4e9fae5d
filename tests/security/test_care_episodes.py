"""Care-episode scope (API.md, Roles; issue 11's findings): a referral opens an
episode; its doctor reads its records, and so do the therapists who hold its
plans or give its visits. A second doctor's draft opens nothing; the intake
queue opens the waiting referral alone; the FHIR bundle holds exactly what the
caller may read."""

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling import visits
from tests.factories import (
    AppointmentFactory,
    ReferralFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
)

pytestmark = pytest.mark.django_db
V = "/api/v1/"


@pytest.fixture
def record(plan):
    """Dana's episode of Pat: the referral, Theo's plan, a note and a measurement."""
    from django.utils import timezone

    from sessions_log.models import OutcomeMeasurement

    note = SessionNoteFactory(appointment__plan=plan)
    measurement = OutcomeMeasurement.objects.create(
        plan=plan, measure="nprs", score=5, taken_at=timezone.now(), recorded_by=plan.therapist
    )
    return {"patient": plan.patient, "referral": plan.referral, "plan": plan, "note": note,
            "measurement": measurement}  # fmt: skip


def clinical_urls(r):
    return [
        f"{V}referrals/{r['referral'].pk}/",
        f"{V}treatment-plans/{r['plan'].pk}/",
        f"{V}treatment-plans/{r['plan'].pk}/progress/",
        f"{V}session-notes/{r['note'].pk}/",
        f"{V}measurements/{r['measurement'].pk}/",
        f"{V}patients/{r['patient'].pk}/fhir/",
    ]


def _draft_body(patient):
    return {
        "patient": str(patient.pk),
        "diagnoses": [{"code": "M54.2"}],
        "target_areas": [{"region": "neck", "side": "left"}],
        "visits_prescribed": 4,
        "frequency_per_week": 1,
        "valid_until": "2999-01-01",
    }


def test_a_second_doctors_draft_referral_opens_nothing_but_the_draft(api, other_doctor, record):
    # given Otto, who never treated Pat, drafts a referral for Pat
    client = api.as_(other_doctor)
    draft = client.post(f"{V}referrals/", _draft_body(record["patient"]), format="json")
    assert draft.status_code == 201

    # when he asks for the rest of Pat's record
    answers = {url: client.get(url).status_code for url in clinical_urls(record)}

    # then his draft is his, and nothing else of Pat opens
    assert client.get(f"{V}referrals/{draft.data['id']}/").status_code == 200
    assert answers == {url: 404 for url in clinical_urls(record)}
    listed = client.get(f"{V}session-notes/").data["results"]
    assert listed == []


def test_a_second_doctors_signed_referral_opens_only_its_own_episode(api, other_doctor, record):
    # given Otto refers Pat too, and signs it
    ReferralFactory(patient=record["patient"], doctor=other_doctor)

    # when he asks for Dana's episode
    answers = {url: api.as_(other_doctor).get(url).status_code for url in clinical_urls(record)}

    # then it stays closed (FHIR answers: with his own episode only, tested below)
    fhir = f"{V}patients/{record['patient'].pk}/fhir/"
    assert {u: c for u, c in answers.items() if u != fhir} == {
        u: 404 for u in clinical_urls(record) if u != fhir
    }


def test_the_intake_queue_opens_the_waiting_referral_and_nothing_else(
    api, other_therapist, record, doctor
):
    # given Pat, in therapy with Theo, gets a new referral that waits for a plan
    waiting = ReferralFactory(patient=record["patient"], doctor=doctor)
    client = api.as_(other_therapist)

    # when Tess, who never treated Pat, looks
    referral = client.get(f"{V}referrals/{waiting.pk}/")
    others = {url: client.get(url).status_code for url in clinical_urls(record)}
    patient = client.get(f"{V}patients/{record['patient'].pk}/")

    # then she reads the waiting referral, and nothing else of Pat
    assert referral.status_code == 200
    assert others == {url: 404 for url in clinical_urls(record)}
    assert patient.status_code == 404


def test_the_intake_queue_page_lists_the_referral_but_the_patient_page_stays_closed(
    client, other_therapist, doctor, record
):
    # given a waiting referral of Pat
    waiting = ReferralFactory(patient=record["patient"], doctor=doctor)
    client.force_login(other_therapist)

    # when Tess opens the queue, the referral, and Pat's page
    queue = client.get(reverse("intake_queue"))
    detail = client.get(reverse("referral_detail", args=[waiting.pk]))
    patient = client.get(reverse("patient_detail", args=[record["patient"].pk]))

    # then the referral opens, Pat's page does not
    assert str(waiting.pk) in queue.content.decode()
    assert detail.status_code == 200
    assert patient.status_code == 404


def test_a_substitute_therapist_reads_the_episode_of_the_visit_they_give(
    api, other_therapist, record
):
    # given Tess gives one visit of Theo's plan
    AppointmentFactory(plan=record["plan"], therapist=other_therapist)

    # when she opens the plan and its referral
    client = api.as_(other_therapist)

    # then the episode is open to her
    assert client.get(f"{V}treatment-plans/{record['plan'].pk}/").status_code == 200
    assert client.get(f"{V}referrals/{record['referral'].pk}/").status_code == 200


# --- the FHIR export holds exactly what the caller may read ---------------------------


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_fhir_bundle_holds_only_the_callers_episodes(
    api, doctor, other_doctor, other_therapist, record
):
    # given a second episode of Pat: Otto's referral, Tess's plan and note
    second = TreatmentPlanFactory(
        referral=ReferralFactory(patient=record["patient"], doctor=other_doctor),
        therapist=other_therapist,
    )
    second_note = SessionNoteFactory(appointment__plan=second)

    # when Dana exports Pat
    bundle = api.as_(doctor).get(f"{V}patients/{record['patient'].pk}/fhir/").json()

    # then her episode is in it, Otto's is not
    requests = {r["id"] for r in _resources(bundle, "ServiceRequest")}
    plans = {r["id"] for r in _resources(bundle, "CarePlan")}
    observations = {r["id"] for r in _resources(bundle, "Observation")}
    appointments = {r["id"] for r in _resources(bundle, "Appointment")}
    assert requests == {str(record["referral"].pk)}
    assert plans == {str(record["plan"].pk)}
    assert str(second_note.appointment.pk) not in appointments
    assert str(record["note"].appointment.pk) in appointments
    assert not any(str(second_note.pk) in str(o) for o in observations)
    assert str(other_therapist.pk) not in {r["id"] for r in _resources(bundle, "Practitioner")}


def test_the_scoped_fhir_bundle_still_validates(api, doctor, other_doctor, record):
    from fhir.resources.R4B.bundle import Bundle

    # given a second doctor's episode on the same patient
    ReferralFactory(patient=record["patient"], doctor=other_doctor)
    # when Dana exports; then a FHIR R4 validator accepts it
    bundle = api.as_(doctor).get(f"{V}patients/{record['patient'].pk}/fhir/").json()
    Bundle.model_validate(bundle)


# --- pages refuse what the API refuses ----------------------------------------------------


CONTACT = {"first_name": "Pat", "last_name": "Parker", "date_of_birth": "1980-01-01",
           "reminder_channel": "email", "reminder_consent": "on"}  # fmt: skip


@pytest.mark.parametrize("who", ["doctor", "other_doctor", "manager"])
def test_only_the_front_desk_changes_a_patients_email_on_the_pages(client, request, who, patient):
    # given a doctor or the manager
    client.force_login(request.getfixturevalue(who))
    data = {**CONTACT, "email": "attacker@example.com"}

    # when they post the contact form
    response = client.post(reverse("patient_edit", args=[patient.pk]), data)

    # then it is refused, and the reminder links still go to the patient
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.email != "attacker@example.com"


def test_the_front_desk_changes_a_patients_email_on_the_pages(client, front_desk, patient):
    client.force_login(front_desk)
    data = {**CONTACT, "email": "pat@example.com"}
    response = client.post(reverse("patient_edit", args=[patient.pk]), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "pat@example.com"


@pytest.mark.parametrize(
    "page, data",
    [
        ("appointment_move", {"day": "2999-01-01", "at": "10:00", "duration_minutes": 45}),
        ("appointment_cancel", {"reason": "x", "scope": "one"}),
        ("appointment_no_show", {}),
        ("appointment_check_in", {}),
    ],
)
def test_the_manager_books_moves_cancels_and_marks_nothing_on_the_pages(
    client, manager, plan, page, data
):
    # given a booked visit
    visit = AppointmentFactory(plan=plan)
    client.force_login(manager)

    # when the manager posts the visit's action
    response = client.post(reverse(page, args=[visit.pk]), data)

    # then it is refused and the visit is unchanged
    assert response.status_code == 403
    visit.refresh_from_db()
    assert (visit.status, visit.version) == ("booked", 1)


def test_the_manager_books_no_series_on_the_pages(client, manager, plan):
    client.force_login(manager)
    assert client.get(reverse("series_new", args=[plan.pk])).status_code == 403
    assert client.post(reverse("series_preview", args=[plan.pk]), {}).status_code == 403
    assert not plan.appointments.exists()


def test_the_services_refuse_the_manager_a_booking(manager, plan):
    from clinic.errors import NotAllowed

    visit = AppointmentFactory(plan=plan)
    with pytest.raises(NotAllowed):
        visits.cancel_appointment(appointment=visit, by=manager, reason="x")
    with pytest.raises(NotAllowed):
        visits.check_in(appointment=visit, by=manager)


def test_a_therapist_checks_in_only_the_visits_they_give(api, other_therapist, plan):
    from clinic.errors import NotAllowed

    visit = AppointmentFactory(plan=plan)
    with pytest.raises(NotAllowed):
        visits.check_in(appointment=visit, by=other_therapist)


def test_reading_an_episode_leaves_the_audit_trail(api, doctor, record):
    api.as_(doctor).get(f"{V}measurements/")
    assert AuditEvent.objects.filter(
        actor=doctor, action="measurement.read", target_id=str(record["measurement"].pk)
    ).exists()
