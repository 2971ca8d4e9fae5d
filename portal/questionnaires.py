"""Questionnaires the patient fills in (API.md, The patient's side): which fall
due, what each asks, and the answers, scored by the instrument code
(sessions_log.instruments) into an outcome measurement of the plan (source
"patient") that the progress page charts with its MCID.

Due by the plan's goals: a goal measured by NDI, ODI, PSFS or NPRS asks that
questionnaire before the first visit, every QUESTIONNAIRE_EVERY_VISITS completed
visits, and before the last planned visit.

The items are the instruments' sections, each answered on its scale; the
published wording of each statement is the clinic's to add (the instruments'
copyright holders license it), so the sections are named, with the scale's ends."""

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404

from clinic.vocabulary import AppointmentStatus, Measure
from referrals.models import PlanStatus, TreatmentPlan
from scheduling.models import Appointment
from sessions_log.models import MeasurementSource, OutcomeMeasurement
from sessions_log.services import PATIENT_MEASURES, record_patient_questionnaire

CARE = "Personal care (washing, dressing)"
NDI_SECTIONS = ["Pain intensity", CARE, "Lifting", "Reading", "Headaches", "Concentration",
                "Work", "Driving", "Sleeping", "Recreation"]  # fmt: skip
ODI_SECTIONS = ["Pain intensity", CARE, "Lifting", "Walking", "Sitting", "Standing",
                "Sleeping", "Sex life (if it applies)", "Social life", "Travelling"]  # fmt: skip
SCALE_0_5 = {"min": 0, "max": 5, "low": "No problem", "high": "As bad as it can be"}
TITLES = {
    Measure.NDI: "Neck Disability Index",
    Measure.ODI: "Oswestry Disability Index (low back)",
    Measure.PSFS: "Activities you find hard",
    Measure.NPRS: "Your pain today",
}


def items_of(measure: str) -> list[dict]:
    """What the questionnaire asks, item by item, with each item's scale."""
    if measure == Measure.NDI:
        return [{"text": s, **SCALE_0_5} for s in NDI_SECTIONS]
    if measure == Measure.ODI:
        return [{"text": s, **SCALE_0_5, "optional": True} for s in ODI_SECTIONS]
    if measure == Measure.PSFS:
        return [
            {"text": "An activity you find hard because of your problem", "min": 0, "max": 10,
             "low": "Unable to do it", "high": "As well as before", "names_activity": True}
        ] * 3  # fmt: skip
    return [{"text": "Your pain right now", "min": 0, "max": 10, "low": "No pain",
             "high": "Worst pain imaginable"}]  # fmt: skip


@dataclass(frozen=True)
class Due:
    plan: TreatmentPlan
    measure: str

    @property
    def id(self) -> str:
        return f"{self.plan.pk}.{self.measure}"  # opaque to clients

    @property
    def title(self) -> str:
        return TITLES[self.measure]

    @property
    def items(self) -> list[dict]:
        return items_of(self.measure)


def _is_due(plan, measure, completed: list, answered: list) -> bool:
    """`completed`: the plan's completed visits' starts; `answered`: the patient's
    answers' times for this measure."""
    if not answered:
        return True  # before the first visit (or since the plan began)
    since = [start for start in completed if start > max(answered)]
    if len(since) >= settings.QUESTIONNAIRE_EVERY_VISITS:
        return True
    return bool(since) and len(completed) == plan.planned_visits - 1  # before the last


def due_for(patient) -> list[Due]:
    """The questionnaires due now for the patient's approved plans, in three queries."""
    plans = list(
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.APPROVED)
        .prefetch_related("goals")
        .order_by("created_at")
    )
    ids = [p.pk for p in plans]
    completed, answered = {}, {}
    visits = Appointment.objects.filter(plan_id__in=ids, status=AppointmentStatus.COMPLETED)
    for plan_id, start in visits.values_list("plan_id", "start"):
        completed.setdefault(plan_id, []).append(start)
    answers = OutcomeMeasurement.objects.filter(plan_id__in=ids, source=MeasurementSource.PATIENT)
    for plan_id, measure, at in answers.values_list("plan_id", "measure", "taken_at"):
        answered.setdefault((plan_id, measure), []).append(at)
    due = []
    for plan in plans:
        measures = sorted({g.measure for g in plan.goals.all()} & set(PATIENT_MEASURES))
        for measure in measures:
            times = answered.get((plan.pk, measure), [])
            if _is_due(plan, measure, completed.get(plan.pk, []), times):
                due.append(Due(plan=plan, measure=measure))
    return due


def due_by_id(patient, questionnaire_id: str) -> Due:
    """One of the patient's due questionnaires; 404 for anything else."""
    for due in due_for(patient):
        if due.id == questionnaire_id:
            return due
    raise Http404("No such questionnaire is due.")


def answer(*, due: Due, items) -> OutcomeMeasurement:
    return record_patient_questionnaire(plan=due.plan, measure=due.measure, items=items)
