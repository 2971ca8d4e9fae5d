"""The patient's record as an HL7 FHIR R4 Bundle (API.md, FHIR export), checked
with the fhir.resources R4B models."""

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from referrals.models import PlanGoal
from scheduling.models import AppointmentStatus
from sessions_log.fhir import patient_bundle
from sessions_log.fhir_resources import ICD10CM, LOINC
from sessions_log.models import OutcomeMeasurement
from tests.factories import (
    AppointmentFactory,
    ReferralFactory,
    TreatmentPlanFactory,
    UserFactory,
)


@pytest.fixture
def record(patient, doctor, therapist, referral, plan, log_visits):
    """Pat's record: two diagnoses on a renewed referral, a plan with a goal, two
    logged visits (one note signed), a booked, a cancelled and a missed visit,
    two outcome measurements, and a draft referral that is not exported."""
    renewal = ReferralFactory(
        patient=patient,
        doctor=doctor,
        renewal_of=referral,
        diagnoses=[("M54.2", "Cervicalgia"), ("M62.830", "Muscle spasm of back")],
    )
    ReferralFactory(patient=patient, doctor=doctor, draft=True)
    later_plan = TreatmentPlanFactory(referral=renewal, therapist=therapist)
    PlanGoal.objects.create(
        plan=later_plan, description="Turn head to check blind spot", measure="nprs",
        baseline=7, target=3,
    )  # fmt: skip
    notes = log_visits(later_plan, [(7, 5), (5, 3)])
    notes[0].signed_at = timezone.now()
    notes[0].save()
    AppointmentFactory(plan=later_plan)
    AppointmentFactory(plan=later_plan, start=timezone.now() + timedelta(days=3),
                       status=AppointmentStatus.CANCELLED, cancel_reason="Flu")  # fmt: skip
    AppointmentFactory(plan=plan, start=timezone.now() - timedelta(days=9),
                       status=AppointmentStatus.NO_SHOW)  # fmt: skip
    for measure, score in (("nprs", 5), ("ndi", 18)):
        OutcomeMeasurement.objects.create(
            plan=later_plan, measure=measure, score=score, taken_at=timezone.now(),
            recorded_by=therapist,
        )  # fmt: skip
    return patient


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def export(patient):
    """The bundle as the manager, who reads every record, exports it."""
    from clinic.models import User
    from clinic.vocabulary import Role

    reader = User.objects.filter(role=Role.MANAGER).first() or UserFactory(role=Role.MANAGER)
    return patient_bundle(patient, reader=reader)


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_whole_bundle_parses_with_the_r4b_models(record):
    # given Pat's record / when
    bundle = export(record)
    # then the JSON the API sends parses as a FHIR R4 Bundle, every entry as its type
    parsed = Bundle.model_validate(json.loads(json.dumps(bundle)))
    assert parsed.type == "collection"
    assert [type(e.resource).__name__ for e in parsed.entry] == [
        e["resource"]["resourceType"] for e in bundle["entry"]
    ]


def test_every_reference_resolves_inside_the_bundle(record):
    # given / when
    bundle = export(record)
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    # then the entries are unique and each reference names one of them
    assert len(full_urls) == len(set(full_urls))
    assert all(url.startswith("urn:uuid:") for url in full_urls)
    references = list(_references(bundle))
    assert references
    assert set(references) <= set(full_urls)


def test_the_bundle_has_a_resource_per_record(record):
    # given / when
    counts = Counter(e["resource"]["resourceType"] for e in export(record)["entry"])
    # then: 1 diagnosis on the first referral + 2 on the renewal; the draft stays out
    assert counts["Patient"] == 1
    assert counts["Condition"] == 3
    assert counts["ServiceRequest"] == 2
    assert counts["CarePlan"] == 2
    assert counts["Goal"] == 1
    # 2 logged + 1 booked + 1 cancelled + 1 missed
    assert counts["Appointment"] == 5
    assert counts["Encounter"] == 2
    # a pain before and a pain after for each of 2 notes, and 2 outcome measurements
    assert counts["Observation"] == 2 * 2 + 2
    assert counts["Practitioner"] == 2


def test_diagnoses_carry_the_icd_10_cm_system(record):
    # given / when
    conditions = _resources(export(record), "Condition")
    # then
    codings = [c["code"]["coding"][0] for c in conditions]
    assert {c["system"] for c in codings} == {ICD10CM}
    assert sorted(c["code"] for c in codings) == ["M54.2", "M54.2", "M62.830"]


def test_pain_scores_are_loinc_72514_3_observations_from_0_to_10(record):
    # given / when
    observations = _resources(export(record), "Observation")
    pain = [o for o in observations if o["code"].get("coding")]
    # then: 2 notes x (before, after) + the NPRS measurement
    assert len(pain) == 5
    for observation in pain:
        assert observation["code"]["coding"][0] == {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
        assert 0 <= observation["valueQuantity"]["value"] <= 10
    # the signed note's scores are final, the draft note's preliminary
    assert Counter(o["status"] for o in pain) == {"final": 3, "preliminary": 2}


def test_the_renewal_replaces_the_first_referral(record, referral):
    # given / when
    requests = _resources(export(record), "ServiceRequest")
    # then
    renewal = next(r for r in requests if "replaces" in r)
    assert renewal["replaces"] == [{"reference": f"urn:uuid:{referral.pk}"}]
    assert all(r["intent"] == "order" for r in requests)


def test_a_completed_visit_is_a_fulfilled_appointment_with_its_encounter(record):
    # given / when
    bundle = export(record)
    # then
    statuses = Counter(a["status"] for a in _resources(bundle, "Appointment"))
    assert statuses == {"fulfilled": 2, "booked": 1, "cancelled": 1, "noshow": 1}
    fulfilled = {f"urn:uuid:{a['id']}" for a in _resources(bundle, "Appointment")
                 if a["status"] == "fulfilled"}  # fmt: skip
    encounters = _resources(bundle, "Encounter")
    assert {e["appointment"][0]["reference"] for e in encounters} == fulfilled


def test_exporting_twice_gives_the_same_ids(record):
    # given / when
    first, second = export(record), export(record)
    # then
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_a_patient_with_nothing_yet_is_a_bundle_of_one_patient(db):
    # given a patient the front desk just registered
    from tests.factories import PatientFactory

    patient = PatientFactory(email="", phone="")
    # when
    bundle = export(patient)
    # then
    Bundle.model_validate(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]


# FHIR R4's required value sets for the codes the export uses; the R4B models
# check structure and cardinality but not these bindings.
REQUIRED_CODES = {
    ("Condition", "clinicalStatus"): {"active", "recurrence", "relapse", "inactive",
                                      "remission", "resolved"},
    ("ServiceRequest", "status"): {"draft", "active", "on-hold", "revoked", "completed",
                                   "entered-in-error", "unknown"},
    ("ServiceRequest", "intent"): {"proposal", "plan", "directive", "order", "original-order",
                                   "reflex-order", "filler-order", "instance-order", "option"},
    ("CarePlan", "status"): {"draft", "active", "on-hold", "revoked", "completed",
                             "entered-in-error", "unknown"},
    ("Goal", "lifecycleStatus"): {"proposed", "planned", "accepted", "active", "on-hold",
                                  "completed", "cancelled", "entered-in-error", "rejected"},
    ("Appointment", "status"): {"proposed", "pending", "booked", "arrived", "fulfilled",
                                "cancelled", "noshow", "entered-in-error", "checked-in",
                                "waitlist"},
    ("Encounter", "status"): {"planned", "arrived", "triaged", "in-progress", "onleave",
                              "finished", "cancelled", "entered-in-error", "unknown"},
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected",
                                "cancelled", "entered-in-error", "unknown"},
}  # fmt: skip


def test_status_codes_come_from_the_required_value_sets(record):
    # given / when
    bundle = export(record)
    # then
    for (kind, element), allowed in REQUIRED_CODES.items():
        for resource in _resources(bundle, kind):
            value = resource[element]
            code = value["coding"][0]["code"] if isinstance(value, dict) else value
            assert code in allowed, (kind, element, code)


def test_precautions_are_flags_and_region_pain_is_an_observation_with_a_body_site(
    record, therapist, doctor
):
    # given a cleared DVT finding and a note with pain per region
    from referrals.models import Precaution
    from sessions_log.models import SessionNote

    Precaution.objects.create(patient=record, kind="dvt", source="finding", raised_by=therapist,
                              cleared_at=timezone.now(), cleared_by=doctor)  # fmt: skip
    note = SessionNote.objects.filter(patient=record).first()
    note.findings = {"pain": [{"region": "neck", "side": "left", "score": 4}]}
    note.save()
    # when
    bundle = export(record)
    # then it still parses and resolves
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    assert set(_references(bundle)) <= {e["fullUrl"] for e in bundle["entry"]}
    [flag] = _resources(bundle, "Flag")
    assert flag["status"] == "inactive"
    assert flag["code"]["text"].startswith("DVT or thrombosis history")
    [regional] = [o for o in _resources(bundle, "Observation") if "bodySite" in o]
    assert regional["bodySite"] == {"text": "Neck (left)"}
    assert regional["code"]["coding"][0]["code"] == "72514-3"


def test_questionnaires_are_questionnaire_responses_their_scores_derive_from(record):
    # given an NDI Pat answered on the portal and an ODI with a skipped section,
    # recorded for him by his therapist (the record's NPRS and NDI have no items)
    plan = OutcomeMeasurement.objects.filter(plan__patient=record).first().plan
    ndi = OutcomeMeasurement.objects.create(
        plan=plan, measure="ndi", score=12, taken_at=timezone.now(), source="patient",
        items=[{"score": s} for s in (1, 2, 1, 0, 2, 1, 1, 2, 1, 1)],
    )  # fmt: skip
    odi = OutcomeMeasurement.objects.create(
        plan=plan, measure="odi", score=20, taken_at=timezone.now(), recorded_by=plan.therapist,
        items=[{"score": None}] + [{"score": 1}] * 9,
    )  # fmt: skip
    # when
    bundle = export(record)
    # then each is a QuestionnaireResponse, its Observation derived from it, and
    # the bundle still parses and resolves
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    assert set(_references(bundle)) <= {e["fullUrl"] for e in bundle["entry"]}
    responses = {r["id"]: r for r in _resources(bundle, "QuestionnaireResponse")}
    assert len(responses) == 2
    observations = {o["id"]: o for o in _resources(bundle, "Observation")}
    [ndi_response] = [
        responses[r["reference"].removeprefix("urn:uuid:")]
        for r in observations[str(ndi.pk)]["derivedFrom"]
    ]
    assert ndi_response["author"] == {"reference": f"urn:uuid:{record.pk}"}
    assert [i["answer"][0]["valueInteger"] for i in ndi_response["item"]][:3] == [1, 2, 1]
    [odi_ref] = observations[str(odi.pk)]["derivedFrom"]
    odi_response = responses[odi_ref["reference"].removeprefix("urn:uuid:")]
    assert odi_response["author"] == {"reference": f"urn:uuid:{plan.therapist_id}"}
    assert "answer" not in odi_response["item"][0]  # the skipped section
    # the record's NPRS, typed as a total, has no answers to show
    assert all("derivedFrom" not in o for o in observations.values() if o["id"] not in
               {str(ndi.pk), str(odi.pk)})  # fmt: skip


def _bundle_queries(plan, log_visits, sessions) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log_visits(plan, [(6, 4)] * sessions)
    export(plan.patient)  # the manager who exports, created outside the count
    with CaptureQueriesContext(connection) as queries:
        export(plan.patient)
    return len(queries)


def test_the_export_takes_the_same_queries_for_3_and_40_sessions(therapist, log_visits):
    # given two patients, one with 3 visits logged and one with 40
    few = TreatmentPlanFactory(therapist=therapist, planned_visits=40)
    many = TreatmentPlanFactory(therapist=therapist, planned_visits=40)
    # when / then
    assert _bundle_queries(few, log_visits, 3) == _bundle_queries(many, log_visits, 40)
