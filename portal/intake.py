"""The health-history form (API.md, The patient's side): the questions, checking
the answers, and storing them dated and signed. Red-flag answers raise
precautions on the patient through the contraindication rules
(referrals.contraindications): a blood clot or unexplained calf swelling and a
fever or infection stop treatment until the doctor clears it; recent surgery, an
open wound and cancer keep the hands off the named area; blood thinners,
fragile bones and pregnancy mean no firm pressure."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from clinic.audit import current_ip, record
from clinic.errors import Invalid
from clinic.models import Patient, User
from clinic.vocabulary import Region, Side
from referrals.contraindications import raise_from_intake
from referrals.models import PrecautionKind

from .models import HealthHistory

QUESTIONS_VERSION = 1


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str  # yes_no, text, region, side
    flag: str = ""  # the precaution a "yes" raises
    area: str = ""  # for an avoid flag: the question naming the site ("<area>_region")
    required: bool = True


def _area(prefix: str, what: str) -> list[Question]:
    return [
        Question(f"{prefix}_region", f"Where is the {what}?", "region", required=False),
        Question(f"{prefix}_side", "On which side?", "side", required=False),
    ]


QUESTIONS = [
    Question("blood_clot", "Have you ever had a blood clot (DVT or a clot in the lungs), or do you "
             "have swelling, pain or warmth in a calf that no one has explained?", "yes_no",
             flag=PrecautionKind.DVT),
    Question("fever", "Do you have a fever or an infection right now?", "yes_no",
             flag=PrecautionKind.FEVER),
    Question("high_blood_pressure", "Is your blood pressure high and not controlled by "
             "treatment?", "yes_no", flag=PrecautionKind.HYPERTENSION),
    Question("recent_surgery", "Have you had surgery in the last 6 weeks?", "yes_no",
             flag=PrecautionKind.RECENT_SURGERY, area="surgery"),
    *_area("surgery", "surgery"),
    Question("open_wound", "Do you have an open wound or a skin infection?", "yes_no",
             flag=PrecautionKind.OPEN_WOUND, area="wound"),
    *_area("wound", "wound or infection"),
    Question("cancer", "Are you being treated for cancer?", "yes_no",
             flag=PrecautionKind.CANCER, area="cancer"),
    *_area("cancer", "tumour or treated area"),
    Question("anticoagulants", "Do you take blood thinners (for example warfarin, apixaban or "
             "rivaroxaban), or do you bruise or bleed easily?", "yes_no",
             flag=PrecautionKind.ANTICOAGULANTS),
    Question("osteoporosis", "Have you been told you have osteoporosis or fragile bones?",
             "yes_no", flag=PrecautionKind.OSTEOPOROSIS),
    Question("pregnant", "Are you pregnant?", "yes_no", flag=PrecautionKind.PREGNANCY),
    Question("medications", "Which medicines do you take?", "text", required=False),
    Question("other_conditions", "Anything else the therapist should know?", "text",
             required=False),
]  # fmt: skip
BY_ID = {q.id: q for q in QUESTIONS}
CHOICES = {"region": Region.values, "side": Side.values}


def questions_for_api() -> list[dict]:
    return [
        {
            "id": q.id,
            "text": q.text,
            "kind": q.kind,
            "required": q.required,
            "choices": CHOICES.get(q.kind) or (["yes", "no"] if q.kind == "yes_no" else None),
        }
        for q in QUESTIONS
    ]


def _clean(question: Question, value):
    """An answer in its kind's shape; raises ValueError with the patient's message."""
    if question.kind == "yes_no":
        if value in (True, "yes", "true", "on"):
            return True
        if value in (False, "no", "false"):
            return False
        raise ValueError("Answer yes or no.")
    text = str(value).strip()
    if question.kind in CHOICES and text and text not in CHOICES[question.kind]:
        raise ValueError(f"Choose one of: {', '.join(CHOICES[question.kind])}.")
    if len(text) > 2000:
        raise ValueError("Keep it under 2,000 characters.")
    return text


def clean_answers(answers) -> dict:
    """Every answer checked, every error named by its question id (a 400)."""
    if not isinstance(answers, dict):
        raise Invalid.field("answers", "Send the answers as an object: {question id: answer}.")
    errors, clean = {}, {}
    for question in QUESTIONS:
        value = answers.get(question.id)
        if value in (None, ""):
            if question.required:
                errors[question.id] = ["Please answer this question."]
            continue
        try:
            clean[question.id] = _clean(question, value)
        except ValueError as problem:
            errors[question.id] = [str(problem)]
    for question in QUESTIONS:  # an area to avoid needs its site
        if question.area and clean.get(question.id) and not clean.get(f"{question.area}_region"):
            errors[f"{question.area}_region"] = ["Tell us where, so the therapist avoids it."]
    unknown = sorted(set(answers) - set(BY_ID))
    if unknown:
        errors["answers"] = [f"Unknown questions: {', '.join(unknown)}."]
    if errors:
        raise Invalid(errors)
    return clean


def red_flags(answers: dict) -> list[dict]:
    """The precautions the answers call for, as contraindications takes them."""
    flags = []
    for question in QUESTIONS:
        if question.flag and answers.get(question.id) is True:
            region = answers.get(f"{question.area}_region", "") if question.area else ""
            side = answers.get(f"{question.area}_side", "") if question.area else ""
            side = side or ("bilateral" if region else "")  # a site without a side: all of it
            note = f"The patient answered yes: {question.text}"
            flags.append({"kind": question.flag, "region": region, "side": side, "note": note})
    return flags


@transaction.atomic
def submit_health_history(
    *,
    patient: Patient,
    answers,
    signed_name: str = "",
    by: User | None = None,
    user_agent: str = "",
) -> HealthHistory:
    """Store the form, dated and signed, and raise its red flags as precautions."""
    clean = clean_answers(answers)
    flags = red_flags(clean)
    form = HealthHistory.objects.create(
        patient=patient, questions_version=QUESTIONS_VERSION, answers=clean,
        signed_name=(signed_name or patient.full_name)[:200], signed_at=timezone.now(),
        ip=current_ip.get(), user_agent=(user_agent or "")[:300], entered_by=by,
        red_flags=[f["kind"] for f in flags],
    )  # fmt: skip
    raise_from_intake(patient=patient, flags=flags, by=by)
    who = f"entered by {by}" if by else "by the patient"
    record(actor=by, action="health_history.signed", target=form, patient=patient, detail=who)
    return form
