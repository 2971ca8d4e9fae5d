"""A questionnaire's answers as an HL7 FHIR R4 `QuestionnaireResponse` (API.md,
Outside physicians and documents: the export adds them where they exist).

One per outcome measurement scored from its items (NDI, ODI, PSFS, NPRS), whether
the patient answered it on the portal or the therapist recorded it for them. It
rides on the measurement's door (sessions_log.fhir reads the measurements the
reader may read), and the measurement's Observation names it in `derivedFrom`.
Range of motion is measured, not answered: it stays an Observation alone."""

from clinic.vocabulary import Measure

from .fhir_resources import _instant, derived_id, ref
from .models import MeasurementSource

QUESTIONNAIRES = {Measure.NDI, Measure.ODI, Measure.PSFS, Measure.NPRS}


def answered(measurement) -> bool:
    items = measurement.items
    return measurement.measure in QUESTIONNAIRES and isinstance(items, list) and bool(items)


def response_id(measurement) -> str:
    return derived_id("questionnaire-response", measurement.pk)


def _answer(value) -> list[dict]:
    if value is None:  # an ODI section the patient skipped
        return []
    kind = "valueInteger" if isinstance(value, int) else "valueDecimal"
    return [{kind: value}]


def _item(number: int, item: dict) -> dict:
    """The instrument's section by its position; a PSFS activity keeps its words."""
    entry = {"linkId": str(number)}
    if item.get("activity"):
        entry["text"] = item["activity"]
    answer = _answer(item.get("score"))
    return {**entry, "answer": answer} if answer else entry


def questionnaire_response(measurement, patient) -> dict:
    by_patient = measurement.source == MeasurementSource.PATIENT
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id(measurement),
        "basedOn": [ref(measurement.plan_id)],
        "status": "completed",
        "subject": ref(patient.pk),
        "authored": _instant(measurement.taken_at),
        "author": ref(patient.pk if by_patient else measurement.recorded_by_id),
        "source": ref(patient.pk),  # the answers are the patient's, whoever typed them
        "item": [_item(n, item) for n, item in enumerate(measurement.items, start=1)],
    }


def linked(observation: dict, measurement) -> dict:
    """The measurement's Observation, naming the answers it was scored from."""
    if answered(measurement):
        observation["derivedFrom"] = [ref(response_id(measurement))]
    return observation
