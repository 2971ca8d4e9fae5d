"""A prescription that arrives on paper (API.md, Outside physicians and documents):
the front desk files the fax, a therapist transcribes it next to its scan with
the outside physician instead of a staff doctor, and signing records that the
document is the signature. Then the episode runs as usual."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from clinic.models import AuditEvent
from documents import services
from referrals.models import OutsidePhysician, Referral
from tests.conftest import requires_postgres
from tests.factories import PatientFactory

from .conftest import PNG_BYTES, upload

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"


def _in(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def physician(front_desk):
    return OutsidePhysician.objects.create(
        first_name="Ada", last_name="Okafor", npi="1234567893", email="ada@practice.example",
        created_by=front_desk,
    )  # fmt: skip


@pytest.fixture
def fax(front_desk, doctor):
    """Ada's prescription for Quinn, a new patient in nobody's care yet, faxed in
    and filed by the front desk."""
    quinn = PatientFactory(first_name="Quinn", created_by=doctor)
    return services.upload_document(
        by=front_desk, patient=quinn, kind="prescription", file=upload()
    )


def _body(fax, physician, **extra):
    return {
        "outside_physician": str(physician.pk),
        "document": str(fax.pk),
        "diagnoses": [{"code": "M54.2"}],
        "target_areas": [{"region": "neck", "side": "bilateral"}],
        "recommended_modalities": ["trigger_point"],
        "visits_prescribed": 8,
        "frequency_per_week": 2,
        "valid_until": _in(60),
        **extra,
    }


def test_a_therapist_transcribes_the_paper_and_signs_for_the_document(
    api, therapist, fax, physician
):
    client = api.as_(therapist)
    # given the fax waiting in the paper intake, which every therapist may open
    listed = client.get("/api/v1/documents/").json()["results"]
    assert [row["id"] for row in listed] == [str(fax.pk)]
    assert client.get(f"/api/v1/documents/{fax.pk}/content/").status_code == 200
    # when Theo transcribes it next to the scan, then signs
    created = client.post(REFERRALS, _body(fax, physician), format="json")
    signed = client.post(f"{REFERRALS}{created.json()['id']}/sign/")
    # then the referral is the outside physician's, transcribed and signed by Theo
    assert created.status_code == 201, created.json()
    draft = created.json()
    assert draft["status"] == "draft" and draft["doctor"] is None
    assert draft["outside_physician"] == str(physician.pk)
    assert draft["source"] == "document" and draft["transcribed_by"] == str(therapist.pk)
    assert draft["patient"] == str(fax.patient_id)
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_by"] == str(therapist.pk)
    # and the scan is filed on the referral it became, every step in the audit trail
    fax.refresh_from_db()
    assert str(fax.referral_id) == draft["id"]
    actions = set(AuditEvent.objects.filter(actor=therapist).values_list("action", flat=True))
    assert {"referral.transcribe", "document.file", "referral.sign"} <= actions


def test_the_signed_transcription_runs_as_any_episode(api, therapist, fax, physician):
    client = api.as_(therapist)
    referral = client.post(REFERRALS, _body(fax, physician), format="json").json()
    client.post(f"{REFERRALS}{referral['id']}/sign/")
    # when Theo plans the treatment from it, as from any signed referral
    plan = client.post(
        "/api/v1/treatment-plans/",
        {"referral": referral["id"], "frequency_per_week": 2, "planned_visits": 8,
         "start_date": _in(1),
         "areas": [{"region": "neck", "side": "left", "modalities": ["trigger_point"]}],
         "goals": [{"description": "Turn the head", "measure": "nprs", "baseline": 6,
                    "target": 2}]},
        format="json",
    )  # fmt: skip
    # then the plan stands under the prescription's caps
    assert plan.status_code == 201, plan.json()
    too_many = client.post(
        "/api/v1/treatment-plans/",
        {**plan.json(), "referral": referral["id"], "planned_visits": 9, "start_date": _in(1)},
        format="json",
    )
    assert too_many.status_code == 400 and "planned_visits" in too_many.json()


@pytest.mark.parametrize("role", ["doctor", "front_desk", "manager"])
def test_only_a_therapist_transcribes(request, api, fax, physician, role):
    answer = api.as_(request.getfixturevalue(role)).post(
        REFERRALS, _body(fax, physician), format="json"
    )
    assert answer.status_code == 403
    assert not Referral.objects.filter(outside_physician=physician).exists()


def test_only_a_prescription_is_transcribed(api, therapist, front_desk, physician, patient, plan):
    # given an imaging report of a patient in Theo's care
    mri = services.upload_document(
        by=front_desk, patient=patient, kind="imaging", file=upload("mri.png", PNG_BYTES)
    )
    answer = api.as_(therapist).post(REFERRALS, _body(mri, physician), format="json")
    assert answer.status_code == 400 and "document" in answer.json()


def test_a_prescription_becomes_one_referral_only(api, therapist, other_therapist, fax, physician):
    assert (
        api.as_(therapist).post(REFERRALS, _body(fax, physician), format="json").status_code == 201
    )
    # when Tess transcribes the same scan again
    again = api.as_(other_therapist).post(REFERRALS, _body(fax, physician), format="json")
    # then the scan is no longer in the paper intake: outside her scope
    assert again.status_code == 400 and "document" in again.json()
    assert Referral.objects.count() == 1


def test_the_patient_if_given_must_be_the_scans(api, therapist, fax, physician, patient):
    answer = api.as_(therapist).post(
        REFERRALS, _body(fax, physician, patient=str(patient.pk)), format="json"
    )
    assert answer.status_code == 400 and "patient" in answer.json()
    assert not Referral.objects.exists()


def test_bad_content_names_each_field_and_writes_nothing(api, therapist, fax, physician):
    body = _body(fax, physician, visits_prescribed=0, diagnoses=[{"code": "M54"}])
    answer = api.as_(therapist).post(REFERRALS, body, format="json")
    assert answer.status_code == 400
    assert {"visits_prescribed", "diagnoses"} <= set(answer.json())
    fax.refresh_from_db()
    assert fax.referral_id is None and not Referral.objects.exists()


def test_an_unknown_physician_is_a_400_naming_it(api, therapist, fax, physician):
    body = {**_body(fax, physician), "outside_physician": str(fax.pk)}
    answer = api.as_(therapist).post(REFERRALS, body, format="json")
    assert answer.status_code == 400 and "outside_physician" in answer.json()


def test_another_therapist_neither_sees_nor_signs_the_draft(
    api, therapist, other_therapist, fax, physician
):
    draft = api.as_(therapist).post(REFERRALS, _body(fax, physician), format="json").json()
    client = api.as_(other_therapist)
    assert client.get(f"{REFERRALS}{draft['id']}/").status_code == 404
    assert client.post(f"{REFERRALS}{draft['id']}/sign/").status_code == 404
    # and the filed scan left the paper intake: nothing of Quinn reaches Tess
    assert client.get("/api/v1/documents/").json()["results"] == []


def test_a_therapist_does_not_sign_a_doctors_referral(api, other_therapist, referral, doctor):
    # given a draft of Dana's, which no therapist sees
    draft = Referral.objects.create(
        patient=referral.patient, doctor=doctor, visits_prescribed=4, frequency_per_week=1,
        valid_until=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    assert api.as_(other_therapist).post(f"{REFERRALS}{draft.pk}/sign/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_database_holds_one_prescriber(doctor, therapist, physician, patient):
    for prescriber in (
        {"doctor": doctor, "outside_physician": physician, "transcribed_by": therapist,
         "source": "document"},
        {"outside_physician": physician, "source": "document"},
        {"doctor": doctor, "source": "document"},
    ):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            Referral.objects.create(
                patient=patient, visits_prescribed=4, frequency_per_week=1,
                valid_until=timezone.localdate() + timedelta(days=30), **prescriber,
            )  # fmt: skip


def test_the_fhir_export_names_the_outside_physician_by_npi(api, therapist, fax, physician):
    client = api.as_(therapist)
    referral = client.post(REFERRALS, _body(fax, physician), format="json").json()
    client.post(f"{REFERRALS}{referral['id']}/sign/")
    # when Theo exports Quinn's record
    bundle = client.get(f"/api/v1/patients/{fax.patient_id}/fhir/").json()
    # then the request names Ada, a Practitioner known by her NPI, and it all parses
    Bundle.model_validate(bundle)
    by_id = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    request = by_id[referral["id"]]
    ada = by_id[request["requester"]["reference"].removeprefix("urn:uuid:")]
    assert ada["identifier"] == [
        {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}
    ]
    assert by_id[str(fax.pk)]["resourceType"] == "DocumentReference"


@requires_postgres
def test_a_signed_transcriptions_prescriber_is_locked_in_the_database(
    api, therapist, other_therapist, fax, physician
):
    # given a transcription Theo signed
    client = api.as_(therapist)
    referral = client.post(REFERRALS, _body(fax, physician), format="json").json()
    client.post(f"{REFERRALS}{referral['id']}/sign/")
    # when its transcriber or signer is changed behind the app's back
    for column in ("transcribed_by_id", "signed_by_id"):
        refused = pytest.raises((IntegrityError, InternalError), match="locked")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE referrals_referral SET {column} = %s WHERE id = %s",
                [str(other_therapist.pk), referral["id"]],
            )
    # then the database refused both
    signed = Referral.objects.get(pk=referral["id"])
    assert (signed.transcribed_by, signed.signed_by) == (therapist, therapist)
