"""One FHIR R4 resource per record of the clinic (Patient, Practitioner, Condition,
ServiceRequest, CarePlan, Goal, Appointment, Encounter, Observation, Flag), with
the code systems they use; sessions_log.fhir gathers them into the bundle."""

import uuid

from django.conf import settings

from clinic.models import User
from clinic.vocabulary import Measure, Region
from referrals.contraindications import describe as describe_precaution
from referrals.models import PlanStatus, ReferralStatus
from scheduling.models import AppointmentStatus

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


LOINC = "http://loinc.org"


UCUM = "http://unitsofmeasure.org"


TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"


PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}


SERVICE = "Rehabilitative medical massage"


# A fixed namespace so derived ids are stable across exports and machines.
NAMESPACE = uuid.UUID("0b5f5f0e-6d1c-4c53-9a55-6a3f6c1d2e01")


SERVICE_REQUEST_STATUS = {
    ReferralStatus.SIGNED: "active",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.CANCELLED: "revoked",
    ReferralStatus.EXPIRED: "completed",
}


CARE_PLAN_STATUS = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.PROPOSED: "draft",
    PlanStatus.APPROVED: "active",
    PlanStatus.COMPLETED: "completed",
    PlanStatus.DISCONTINUED: "revoked",
}


ACTIVITY_STATUS = {
    PlanStatus.DRAFT: "not-started",
    PlanStatus.PROPOSED: "not-started",
    PlanStatus.APPROVED: "in-progress",
    PlanStatus.COMPLETED: "completed",
    PlanStatus.DISCONTINUED: "stopped",
}


GOAL_STATUS = {
    PlanStatus.DRAFT: "proposed",
    PlanStatus.PROPOSED: "proposed",
    PlanStatus.APPROVED: "active",
    PlanStatus.COMPLETED: "completed",
    PlanStatus.DISCONTINUED: "cancelled",
}


APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.CHECKED_IN: "arrived",
    AppointmentStatus.COMPLETED: "fulfilled",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "noshow",
}


# UCUM units of each measure's score ("{score}" is UCUM's annotation for a unitless score).
MEASURE_UNITS = {
    Measure.NPRS: ("score", "{score}"),
    Measure.NDI: ("score", "{score}"),
    Measure.ODI: ("%", "%"),
    Measure.PSFS: ("score", "{score}"),
    Measure.ROM: ("degrees", "deg"),
}


def derived_id(kind: str, key) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def ref(resource_id) -> dict:
    return {"reference": f"urn:uuid:{resource_id}"}


def _instant(value) -> str:
    return value.isoformat()


def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {
        "coding": [{"system": system, "code": code, **({"display": display} if display else {})}]
    }


def _measure_code(measure: str) -> dict:
    if measure == Measure.NPRS:
        return {"coding": [PAIN_SEVERITY], "text": Measure(measure).label}
    # No LOINC code is asserted for the other instruments: the name says what it is.
    return {"text": Measure(measure).label}


def _quantity(measure: str, value) -> dict:
    unit, code = MEASURE_UNITS[measure]
    return {"value": float(value), "unit": unit, "system": UCUM, "code": code}


def _area_text(area) -> str:
    return f"{area.get_region_display()} ({area.side})"


def patient_resource(patient) -> dict:
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", patient.phone), ("email", patient.email))
        if value
    ]
    return {
        "resourceType": "Patient",
        "id": str(patient.pk),
        # the clinic's patient number, in the clinic's own namespace (API.md)
        "identifier": [
            {"use": "usual", "system": settings.SITE_URL + "/patients", "value": str(patient.pk)}
        ],
        "active": patient.is_active,
        "name": [{"use": "official", "family": patient.last_name, "given": [patient.first_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
        **({"telecom": telecom} if telecom else {}),
    }


def practitioner_resource(user: User) -> dict:
    name = {"text": str(user)}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "active": user.is_active,
        "name": [name],
    }


def condition_resource(diagnosis, referral, patient) -> dict:
    clinical = "inactive" if referral.status == ReferralStatus.COMPLETED else "active"
    return {
        "resourceType": "Condition",
        "id": derived_id("diagnosis", diagnosis.pk),
        "clinicalStatus": _coding(f"{TERMINOLOGY}/condition-clinical", clinical),
        "verificationStatus": _coding(f"{TERMINOLOGY}/condition-ver-status", "confirmed"),
        "category": [
            _coding(
                f"{TERMINOLOGY}/condition-category", "encounter-diagnosis", "Encounter Diagnosis"
            )
        ],
        "code": {
            "coding": [
                {"system": ICD10CM, "code": diagnosis.code, "display": diagnosis.description}
            ],
            "text": diagnosis.description,
        },
        "subject": ref(patient.pk),
        "recordedDate": _instant(referral.signed_at or referral.created_at),
        # who wrote it down: the doctor, or the therapist who transcribed the paper
        "recorder": ref(referral.doctor_id or referral.transcribed_by_id),
    }


def service_request_resource(referral, patient, exported_referrals: set) -> dict:
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "status": SERVICE_REQUEST_STATUS.get(referral.effective_status, "unknown"),
        "intent": "order",
        "code": {"text": SERVICE},
        "orderDetail": [{"text": m.name} for m in referral.recommended_modalities.all()],
        "quantityQuantity": {"value": referral.visits_prescribed, "unit": "visits"},
        "subject": ref(patient.pk),
        "occurrenceTiming": {
            "repeat": {
                "boundsPeriod": {"end": referral.valid_until.isoformat()},
                "frequency": referral.frequency_per_week,
                "period": 1,
                "periodUnit": "wk",
            }
        },
        "authoredOn": _instant(referral.signed_at or referral.created_at),
        "requester": ref(referral.doctor_id or referral.outside_physician_id),
        "reasonReference": [ref(derived_id("diagnosis", d.pk)) for d in referral.diagnoses.all()],
        "bodySite": [{"text": _area_text(a)} for a in referral.target_areas.all()],
    }
    if referral.renewal_of_id in exported_referrals:
        resource["replaces"] = [ref(referral.renewal_of_id)]
    if referral.precautions:
        resource["note"] = [{"text": f"Precautions: {referral.precautions}"}]
    if not resource["orderDetail"]:
        del resource["orderDetail"]
    return resource


def goal_resource(goal, plan, patient) -> dict:
    return {
        "resourceType": "Goal",
        "id": derived_id("goal", goal.pk),
        "lifecycleStatus": GOAL_STATUS[plan.status],
        "description": {"text": goal.description or Measure(goal.measure).label},
        "subject": ref(patient.pk),
        "startDate": plan.start_date.isoformat(),
        "expressedBy": ref(plan.therapist_id),
        "target": [
            {
                "measure": _measure_code(goal.measure),
                "detailQuantity": _quantity(goal.measure, goal.target),
            }
        ],
        "note": [{"text": f"Baseline {goal.baseline}, target {goal.target}."}],
    }


def care_plan_resource(plan, patient, encounters: list[str]) -> dict:
    referral = plan.referral
    period = {"start": plan.start_date.isoformat()}
    certified_until = getattr(plan, "certified_until", None)
    if certified_until:
        period["end"] = certified_until.isoformat()
    resource = {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "status": CARE_PLAN_STATUS[plan.status],
        "intent": "plan",
        "title": f"{SERVICE}: {plan.planned_visits} visits, {plan.frequency_per_week} a week",
        "subject": ref(patient.pk),
        "period": period,
        "created": _instant(plan.created_at),
        "author": ref(plan.therapist_id),
        "basedOn": [ref(referral.pk)],
        "addresses": [ref(derived_id("diagnosis", d.pk)) for d in referral.diagnoses.all()],
        "goal": [ref(derived_id("goal", g.pk)) for g in plan.goals.all()],
        "activity": [_activity(area, plan) for area in plan.areas.all()],
    }
    if encounters and resource["activity"]:
        resource["activity"][0]["outcomeReference"] = [ref(e) for e in encounters]
    if text := (plan.end_reason or plan.doctor_comment):
        resource["note"] = [{"text": text}]
    return {k: v for k, v in resource.items() if v != []}


def _activity(area, plan) -> dict:
    modalities = ", ".join(m.name for m in area.modalities.all())
    return {
        "detail": {
            "kind": "ServiceRequest",
            "code": {"text": f"{SERVICE}: {_area_text(area)}"},
            "status": ACTIVITY_STATUS[plan.status],
            "scheduledTiming": {
                "repeat": {"frequency": plan.frequency_per_week, "period": 1, "periodUnit": "wk"}
            },
            "performer": [ref(plan.therapist_id)],
            **({"description": modalities} if modalities else {}),
        }
    }


def appointment_resource(appointment, patient, plan_referrals: dict) -> dict:
    resource = {
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "status": APPOINTMENT_STATUS[appointment.status],
        "serviceType": [{"text": SERVICE}],
        "start": _instant(appointment.start),
        "end": _instant(appointment.end),
        "participant": [
            {"actor": ref(patient.pk), "status": "accepted"},
            {"actor": ref(appointment.therapist_id), "status": "accepted"},
        ],
    }
    if appointment.plan_id in plan_referrals:
        resource["basedOn"] = [ref(plan_referrals[appointment.plan_id])]
    if appointment.status == AppointmentStatus.CANCELLED and appointment.cancel_reason:
        resource["cancelationReason"] = {"text": appointment.cancel_reason}
    return resource


def encounter_resource(appointment, patient, plan_referrals: dict) -> dict:
    resource = {
        "resourceType": "Encounter",
        "id": derived_id("encounter", appointment.pk),
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": f"{SERVICE} session"}],
        "subject": ref(patient.pk),
        "participant": [{"individual": ref(appointment.therapist_id)}],
        "appointment": [ref(appointment.pk)],
        "period": {"start": _instant(appointment.start), "end": _instant(appointment.end)},
    }
    if appointment.plan_id in plan_referrals:
        resource["basedOn"] = [ref(plan_referrals[appointment.plan_id])]
    return resource


def pain_observations(note, patient, encounter_id: str | None) -> list[dict]:
    """The note's pain before and after treatment, each an NPRS score (LOINC 72514-3)."""
    observations = []
    for when, value, at in (
        ("before", note.pain_before, note.appointment.start),
        ("after", note.pain_after, note.appointment.end),
    ):
        observation = {
            "resourceType": "Observation",
            "id": derived_id(f"pain-{when}", note.pk),
            "status": "final" if note.is_signed else "preliminary",
            "category": [_coding(f"{TERMINOLOGY}/observation-category", "survey", "Survey")],
            "code": {"coding": [PAIN_SEVERITY], "text": f"Pain {when} treatment (NPRS 0-10)"},
            "subject": ref(patient.pk),
            "effectiveDateTime": _instant(at),
            "performer": [ref(note.therapist_id)],
            "valueQuantity": _quantity(Measure.NPRS, value),
        }
        if encounter_id:
            observation["encounter"] = ref(encounter_id)
        observations.append(observation)
    return observations


def region_pain_observations(note, patient, encounter_id: str | None) -> list[dict]:
    """The note's structured pain per treated region: NPRS scores with a body site."""
    observations = []
    for i, item in enumerate((note.findings or {}).get("pain", [])):
        observation = {
            "resourceType": "Observation",
            "id": derived_id(f"pain-region-{i}", note.pk),
            "status": "final" if note.is_signed else "preliminary",
            "category": [_coding(f"{TERMINOLOGY}/observation-category", "survey", "Survey")],
            "code": {"coding": [PAIN_SEVERITY], "text": "Pain in the treated region (NPRS 0-10)"},
            "subject": ref(patient.pk),
            "effectiveDateTime": _instant(note.appointment.start),
            "performer": [ref(note.therapist_id)],
            "bodySite": {"text": f"{Region(item['region']).label} ({item['side']})"},
            "valueQuantity": _quantity(Measure.NPRS, item["score"]),
        }
        if encounter_id:
            observation["encounter"] = ref(encounter_id)
        observations.append(observation)
    return observations


def flag_resource(precaution, patient) -> dict:
    """A contraindication as a FHIR Flag, active until the doctor clears it."""
    resource = {
        "resourceType": "Flag",
        "id": str(precaution.pk),
        "status": "inactive" if precaution.cleared_at else "active",
        "category": [_coding(f"{TERMINOLOGY}/flag-category", "clinical", "Clinical")],
        "code": {"text": describe_precaution(precaution)},
        "subject": ref(patient.pk),
        "period": {"start": _instant(precaution.created_at)},
        "author": ref(precaution.raised_by_id or patient.pk),  # none: the health history
    }
    if precaution.cleared_at:
        resource["period"]["end"] = _instant(precaution.cleared_at)
    return resource


def measurement_observation(measurement, patient) -> dict:
    return {
        "resourceType": "Observation",
        "id": str(measurement.pk),
        "status": "final",
        "category": [_coding(f"{TERMINOLOGY}/observation-category", "survey", "Survey")],
        "code": _measure_code(measurement.measure),
        "subject": ref(patient.pk),
        "basedOn": [ref(measurement.plan_id)],
        "effectiveDateTime": _instant(measurement.taken_at),
        # a questionnaire the patient answered: the patient performed it
        "performer": [ref(measurement.recorded_by_id or patient.pk)],
        "valueQuantity": _quantity(measurement.measure, measurement.score),
    }
