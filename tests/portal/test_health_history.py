"""The health history gates care (API.md, The patient's side): the answers are
stored dated and signed; red flags raise precautions through the contraindication
rules: a stop (blood clot, fever) blocks the next session note until the doctor
clears it, an avoid names the area, a modify refuses firm pressure."""

from datetime import timedelta

import pytest

from clinic.models import AuditEvent
from portal.intake import QUESTIONS
from portal.models import HealthHistory
from referrals.contraindications import clear_precaution
from referrals.models import Precaution
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/portal/intake/"
ALL_NO = {q.id: False for q in QUESTIONS if q.kind == "yes_no"}


def answer(client, **changes):
    return client.post(INTAKE, {"answers": {**ALL_NO, **changes}}, format="json")


def test_the_form_lists_its_questions(patient, patient_api):
    body = patient_api(patient).get(INTAKE).json()
    kinds = {q["id"]: q["kind"] for q in body["questions"]}
    assert kinds["blood_clot"] == "yes_no" and kinds["surgery_region"] == "region"
    assert body["last_signed_at"] is None


def test_plain_answers_are_stored_dated_and_signed_and_raise_nothing(patient, patient_api, clock):
    answered = answer(patient_api(patient), medications="Ibuprofen when needed")
    assert answered.status_code == 201, answered.json()
    form = HealthHistory.objects.get()
    assert (form.signed_at, form.signed_name, form.entered_by) == (clock.now, "Pat Parker", None)
    assert form.answers["medications"] == "Ibuprofen when needed"
    assert not Precaution.objects.exists()
    assert AuditEvent.objects.filter(action="health_history.signed", patient=patient).exists()


def test_a_blood_clot_stops_the_next_note_until_the_doctor_clears_it(
    api, patient, patient_api, therapist, doctor, plan, clock
):
    # given Pat answers yes to the blood-clot question
    answered = answer(patient_api(patient), blood_clot=True)
    assert answered.json()["red_flags"] == ["dvt"]
    precaution = Precaution.objects.get()
    assert (precaution.source, precaution.raised_by, precaution.cleared_at) == (
        "intake",
        None,
        None,
    )
    # when Theo logs the next session
    start = clock.now - timedelta(minutes=10)
    visit = AppointmentFactory(plan=plan, start=start, end=start + timedelta(minutes=45))
    area = {"region": "neck", "side": "left", "minutes": 20, "modalities": ["trigger_point"]}
    note = {"appointment": str(visit.pk), "pain_before": 5, "pain_after": 3, "areas": [area],
            "response": "improved"}  # fmt: skip
    blocked = api.as_(therapist).post("/api/v1/session-notes/", note, format="json")
    # then it waits for the doctor's clearance; once she clears it, it goes in
    assert blocked.status_code == 409 and "DVT" in blocked.json()["detail"]
    clear_precaution(precaution=precaution, by=doctor, note="Duplex scan negative.")
    assert api.as_(therapist).post("/api/v1/session-notes/", note, format="json").status_code == 201


def test_the_doctor_is_asked_for_clearance_of_a_stop_flag(
    patient,
    patient_api,
    doctor,
    referral,
    django_capture_on_commit_callbacks,
    mailoutbox,
    eager_tasks,
):
    with django_capture_on_commit_callbacks(execute=True):
        answer(patient_api(patient), fever=True)
    assert [m.to for m in mailoutbox] == [[doctor.email]]
    assert "Clearance needed" in mailoutbox[0].subject


def test_recent_surgery_names_the_area_to_avoid(patient, patient_api):
    client = patient_api(patient)
    missing = answer(client, recent_surgery=True)
    assert missing.status_code == 400 and "surgery_region" in missing.json()
    assert not HealthHistory.objects.exists()
    answered = answer(client, recent_surgery=True, surgery_region="knee", surgery_side="right")
    assert answered.status_code == 201
    precaution = Precaution.objects.get()
    assert (precaution.kind, precaution.region, precaution.side) == (
        "recent_surgery",
        "knee",
        "right",
    )


def test_blood_thinners_and_pregnancy_modify_pressure(patient, patient_api):
    answer(patient_api(patient), anticoagulants=True, pregnant=True)
    assert set(Precaution.objects.values_list("kind", flat=True)) == {"anticoagulants", "pregnancy"}


def test_answering_again_raises_no_second_precaution(patient, patient_api):
    client = patient_api(patient)
    answer(client, fever=True)
    answer(client, fever=True)
    assert HealthHistory.objects.count() == 2
    assert Precaution.objects.count() == 1


@pytest.mark.parametrize(
    "answers, field",
    [
        ({"fever": "maybe"}, "fever"),
        ({"nonsense": True}, "answers"),
        ({"surgery_region": "elbowish"}, "surgery_region"),
    ],
)
def test_a_bad_answer_is_a_400_naming_the_question(patient, patient_api, answers, field):
    answered = answer(patient_api(patient), **answers)
    assert answered.status_code == 400 and field in answered.json()
    assert not HealthHistory.objects.exists()


def test_unanswered_questions_are_each_named(patient, patient_api):
    answered = patient_api(patient).post(INTAKE, {"answers": {}}, format="json")
    assert answered.status_code == 400
    assert set(ALL_NO) <= set(answered.json())
    assert patient_api(patient).post(INTAKE, {"answers": []}, format="json").status_code == 400


def test_the_patient_answers_on_the_page(patient, patient_pages):
    client = patient_pages(patient)
    page = client.get("/portal/health-history/")
    assert b"blood clot" in page.content
    form = {q: "no" for q in ALL_NO} | {"fever": "yes", "confirm": "on", "full_name": "Pat Parker"}
    answered = client.post("/portal/health-history/", form)
    assert answered.status_code == 302
    assert Precaution.objects.get().kind == "fever"


def test_the_page_refuses_an_unsigned_form(patient, patient_pages):
    client = patient_pages(patient)
    answered = client.post("/portal/health-history/", {q: "no" for q in ALL_NO})
    assert answered.status_code == 400
    assert not HealthHistory.objects.exists()
