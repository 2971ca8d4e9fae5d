"""A patient's record as an HL7 FHIR R4 Bundle of type `collection` (API.md, FHIR
export): the patient, the clinicians involved, a Condition per diagnosis, a
ServiceRequest per referral, a CarePlan (with its Goals) per plan, an
Appointment per visit, an Encounter per completed visit and the pain and
outcome scores as Observations (with the QuestionnaireResponse each questionnaire's
score came from), the contraindications as Flags.

Every entry's `fullUrl` is `urn:uuid:<id>` and every reference points at one of
them, so the bundle stands on its own. Rows with UUID keys keep their id; rows
keyed by integers (diagnoses, goals) and resources derived from a row (the
Encounter of a visit, the two pain scores of a note) get a UUID5 computed from
the row, so exporting twice gives the same ids."""

import uuid

from django.utils import timezone

from referrals.models import Precaution, Referral, ReferralStatus, TreatmentPlan
from scheduling.models import Appointment, AppointmentStatus

from .fhir_answers import answered, linked, questionnaire_response
from .fhir_resources import (
    _instant,
    appointment_resource,
    care_plan_resource,
    condition_resource,
    derived_id,
    encounter_resource,
    flag_resource,
    goal_resource,
    measurement_observation,
    pain_observations,
    patient_resource,
    practitioner_resource,
    region_pain_observations,
    service_request_resource,
)
from .models import OutcomeMeasurement, SessionNote

NPI = "http://hl7.org/fhir/sid/us-npi"


def outside_physician_resource(physician) -> dict:
    """A referring physician outside the clinic, known by the NPI."""
    return {
        "resourceType": "Practitioner",
        "id": str(physician.pk),
        "identifier": [{"system": NPI, "value": physician.npi}],
        "name": [
            {"text": str(physician), "family": physician.last_name, "given": [physician.first_name]}
        ],
    }


# --- the bundle -------------------------------------------------------------------------


def _door(queryset, reader):
    """Staff read through the same doors as the API (break-the-glass included: the
    export is a read); `reader` None is the patient, whose whole record it is."""
    return queryset.all() if reader is None else queryset.visible_to(reader, glass=True)


def _records(patient, reader):
    """What `reader` may read of the patient (None: the patient, all of it)."""
    referrals = list(
        _door(Referral.objects, reader)
        .filter(patient=patient)
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("doctor", "outside_physician", "transcribed_by")
        .prefetch_related("diagnoses", "target_areas", "recommended_modalities")
        .order_by("created_at")
    )
    exported = {r.pk for r in referrals}
    plans = [
        p
        for p in _door(TreatmentPlan.objects, reader)
        .filter(patient=patient)
        .select_related("therapist", "referral")
        .prefetch_related("goals", "areas__modalities", "referral__diagnoses")
        .order_by("created_at")
        if p.referral_id in exported
    ]
    appointments = list(
        _door(Appointment.objects, reader)
        .filter(patient=patient)
        .select_related("therapist")
        .order_by("start")
    )
    notes = list(
        _door(SessionNote.objects, reader)
        .filter(patient=patient)
        .select_related("appointment", "therapist")
        .order_by("appointment__start")
    )
    measurements = list(
        _door(OutcomeMeasurement.objects, reader)
        .filter(plan__in=[p.pk for p in plans])
        .select_related("recorded_by")
        .order_by("taken_at")
    )
    precautions = list(
        _door(Precaution.objects, reader)
        .filter(patient=patient)
        .in_effect()
        .select_related("raised_by")
    )
    return referrals, plans, appointments, notes, measurements, precautions


def _practitioners(referrals, plans, appointments, notes, measurements, precautions):
    staff = {r.doctor.pk: r.doctor for r in referrals if r.doctor}
    staff.update({r.transcribed_by.pk: r.transcribed_by for r in referrals if r.transcribed_by})
    staff.update({p.raised_by.pk: p.raised_by for p in precautions if p.raised_by})
    staff.update({p.therapist.pk: p.therapist for p in plans})
    staff.update({a.therapist.pk: a.therapist for a in appointments})
    staff.update({n.therapist.pk: n.therapist for n in notes})
    staff.update({m.recorded_by.pk: m.recorded_by for m in measurements if m.recorded_by})
    return sorted(staff.values(), key=lambda u: (u.last_name, u.first_name, u.username))


def patient_bundle(patient, *, reader) -> dict:
    """The patient's record as `reader` may read it (None: the patient's own right
    of access to the whole of it), as a FHIR R4 Bundle (type
    collection), a dict ready for JSON. Draft referrals are work in progress and
    stay out."""
    records = _records(patient, reader)
    referrals, plans, appointments, notes, measurements, precautions = records
    exported = {r.pk for r in referrals}
    plan_referrals = {p.pk: p.referral_id for p in plans}
    completed = [a for a in appointments if a.status == AppointmentStatus.COMPLETED]
    encounter_of = {a.pk: derived_id("encounter", a.pk) for a in completed}
    encounters_by_plan: dict = {}
    for a in completed:
        encounters_by_plan.setdefault(a.plan_id, []).append(encounter_of[a.pk])

    resources = [patient_resource(patient)]
    resources += [practitioner_resource(u) for u in _practitioners(*records)]
    outside = {r.outside_physician for r in referrals if r.outside_physician}
    resources += [outside_physician_resource(p) for p in sorted(outside, key=str)]
    resources += [flag_resource(p, patient) for p in precautions]
    for referral in referrals:
        resources += [condition_resource(d, referral, patient) for d in referral.diagnoses.all()]
        resources.append(service_request_resource(referral, patient, exported))
    for plan in plans:
        resources += [goal_resource(g, plan, patient) for g in plan.goals.all()]
        resources.append(care_plan_resource(plan, patient, encounters_by_plan.get(plan.pk, [])))
    resources += [appointment_resource(a, patient, plan_referrals) for a in appointments]
    resources += [encounter_resource(a, patient, plan_referrals) for a in completed]
    for note in notes:
        resources += pain_observations(note, patient, encounter_of.get(note.appointment_id))
        resources += region_pain_observations(note, patient, encounter_of.get(note.appointment_id))
    resources += [linked(measurement_observation(m, patient), m) for m in measurements]
    resources += [questionnaire_response(m, patient) for m in measurements if answered(m)]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(timezone.now())},
        "type": "collection",
        "timestamp": _instant(timezone.now()),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
