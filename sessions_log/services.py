"""Logging, correcting, signing and addending session notes; outcome measurements."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from clinic.audit import record
from clinic.consents import check_consent
from clinic.errors import Conflict, Invalid, InvalidTransition, Locked, NotAllowed
from clinic.hashing import content_hash
from clinic.models import User
from clinic.versions import write_if_changed
from clinic.vocabulary import MEASURE_RANGES, Measure, Region, Role, Side
from referrals.contraindications import check_session
from referrals.models import Modality
from scheduling.models import Appointment, AppointmentStatus
from scheduling.visits import complete_for_note

from . import instruments
from .findings import validate_findings
from .models import (
    Addendum,
    MeasurementSource,
    NoteArea,
    OutcomeMeasurement,
    Response,
    SessionNote,
)

# the questionnaires a patient fills in themselves (range of motion is measured)
PATIENT_MEASURES = (Measure.NPRS, Measure.NDI, Measure.ODI, Measure.PSFS)

NOTE_FIELDS = (
    "pain_before",
    "pain_after",
    "subjective",
    "objective",
    "assessment",
    "plan_text",
    "response",
    "adverse_reaction",
)


def validate_note_content(data: dict, *, partial: bool = False, modalities=None) -> dict:
    """Errors by field (empty when valid). `modalities`: the known ones by code,
    when the caller has read them already."""
    errors: dict = {}
    for field in ("pain_before", "pain_after"):
        if field in data or not partial:
            value = data.get(field)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
                errors[field] = ["Pain is a whole number from 0 to 10."]
    if ("response" in data or not partial) and data.get("response") not in Response.values:
        errors["response"] = ["Response is improved, unchanged or worse."]
    if "areas" in data:
        known = modalities if modalities is not None else known_modalities()
        item_errors = []
        for item in data["areas"] or []:
            problems = {}
            if item.get("region") not in Region.values:
                problems["region"] = [f"{item.get('region')!r} is not a body region."]
            if item.get("side") not in Side.values:
                problems["side"] = [f"{item.get('side')!r} is not a side."]
            unknown = [c for c in item.get("modalities") or [] if c not in known]
            if unknown:
                problems["modalities"] = [f"Unknown modality: {', '.join(map(str, unknown))}."]
            minutes = item.get("minutes")
            if not isinstance(minutes, int) or not 1 <= minutes <= 240:
                problems["minutes"] = ["Minutes are 1 to 240."]
            item_errors.append(problems)
        if any(item_errors):
            errors["areas"] = item_errors
    if "findings" in data and (bad := validate_findings(data["findings"])):
        errors["findings"] = bad
    return errors


def known_modalities() -> dict[str, Modality]:
    """Every modality by code, in the order a note lists them (by name)."""
    return {m.code: m for m in Modality.objects.only("code", "name")}


def _write_areas(note: SessionNote, areas, *, modalities=None) -> list[NoteArea]:
    """The note's areas in one INSERT and their modalities in another, however
    many. `modalities` (known by code) is given for a new note: it has no areas
    to delete, and the written ones are kept as the note's, so answering with
    the note reads nothing back."""
    if modalities is None:
        note.areas.all().delete()
    through = NoteArea.modalities.through
    rows = NoteArea.objects.bulk_create(
        NoteArea(note=note, region=item["region"], side=item["side"], minutes=item["minutes"])
        for item in areas
    )
    codes = [list(dict.fromkeys(item.get("modalities") or [])) for item in areas]
    through.objects.bulk_create(
        through(notearea_id=area.pk, modality_id=code)
        for area, used in zip(rows, codes, strict=True)
        for code in used
    )
    if modalities is not None:
        for area, used in zip(rows, codes, strict=True):
            keep_as_fetched(area, "modalities", [m for c, m in modalities.items() if c in used])
        keep_as_fetched(note, "areas", rows)
        keep_as_fetched(note, "addenda", [])
    return rows


def keep_as_fetched(instance, relation: str, rows) -> None:
    """What prefetch_related would have read, from rows just written (Django's
    own prefetch stores an evaluated queryset the same way)."""
    fetched = getattr(instance, relation).all()
    fetched._result_cache, fetched._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = fetched


@transaction.atomic
def log_session(
    *,
    therapist: User,
    appointment: Appointment,
    data: dict,
    modalities: dict[str, Modality] | None = None,
    then: Callable[[SessionNote], None] | None = None,
) -> SessionNote:
    """Write the note of a visit that has started; it completes the visit.
    `modalities`: the known ones by code, when the caller has read them already;
    `then(note)`: more of the same write (an app above: the note's services),
    run in this function's transaction, so a caller opens no savepoint of its own.
    The note comes back with its visit (locked, with its patient) and its areas."""
    if therapist.role != Role.THERAPIST:
        raise NotAllowed("Only therapists log sessions.")
    # the visit locked, its patient and whether it has a note: one query
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient")
        .annotate(has_note=Exists(SessionNote.objects.filter(appointment=OuterRef("pk"))))
        .get(pk=appointment.pk)
    )
    if appointment.therapist_id != therapist.pk:
        raise Invalid.field("appointment", "This visit is another therapist's.")
    if appointment.start > timezone.now():
        raise Invalid.field("appointment", "The visit has not started yet.")
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise Invalid.field(
            "appointment", f"The visit is {appointment.get_status_display().lower()}."
        )
    if appointment.has_note:
        raise Conflict("This visit already has a session note.")
    if modalities is None:
        modalities = known_modalities() if data.get("areas") else {}
    if errors := validate_note_content(data, modalities=modalities):
        raise Invalid(errors)
    # consent to treatment first (API.md: 409 consent_missing), then the
    # contraindication gate: a stop flag, an avoided area, firm pressure
    check_consent(appointment.patient)
    check_session(
        patient=appointment.patient, areas=data.get("areas"), findings=data.get("findings")
    )
    # No savepoint of its own: a clash rolls back to this function's, and nothing
    # runs in the transaction between the error and leaving it.
    try:
        note = SessionNote.objects.create(
            appointment=appointment,
            therapist=therapist,
            patient=appointment.patient,
            plan_id=appointment.plan_id,
            findings=data.get("findings") or {},
            **{f: data.get(f, "") for f in NOTE_FIELDS},
        )
    except IntegrityError as error:  # the one-note-per-visit constraint, under a race
        raise Conflict("This visit already has a session note.") from error
    _write_areas(note, data.get("areas") or [], modalities=modalities)
    if then is not None:
        then(note)
    complete_for_note(appointment)
    record(actor=therapist, action="note.create", target=note, patient=appointment.patient)
    return note


def _lock_own_note(note: SessionNote, by: User) -> SessionNote:
    note = SessionNote.objects.select_for_update().get(pk=note.pk)
    if note.therapist_id != by.pk:
        raise NotAllowed("Only the note's therapist may do this.")
    return note


@transaction.atomic
def correct_session_note(*, note: SessionNote, by: User, data: dict) -> SessionNote:
    note = _lock_own_note(note, by)
    if note.is_signed:
        raise Locked("This note is signed; add an addendum instead.")
    if errors := validate_note_content(data, partial=True):
        raise Invalid(errors)
    if "areas" in data or "findings" in data:
        # the visit already happened: only what the correction adds is screened
        check_session(
            patient=note.patient, areas=data.get("areas"), findings=data.get("findings"), stop=False
        )

    def write():
        for field in NOTE_FIELDS:
            if field in data:
                setattr(note, field, data[field])
        if "findings" in data:
            note.findings = data["findings"] or {}
        note.version = F("version") + 1
        note.save()
        if "areas" in data:
            _write_areas(note, data["areas"] or [])

    if write_if_changed(content=lambda: note_content(note), write=write):
        record(actor=by, action="note.update", target=note, patient=note.patient)
    note.refresh_from_db()
    return note


def note_content(note: SessionNote, areas=None) -> dict:
    """What a note's hash is of. `areas`: its areas with their modalities, when
    the caller has just read them."""
    content = {
        "appointment": str(note.appointment_id),
        "therapist": str(note.therapist_id),
        **{f: getattr(note, f) for f in NOTE_FIELDS},
        "areas": sorted(
            [a.region, a.side, a.minutes, sorted(m.code for m in a.modalities.all())]
            for a in (areas if areas is not None else note.areas.prefetch_related("modalities"))
        ),
    }
    if note.findings:  # only when present, so notes signed before findings keep their hash
        content["findings"] = note.findings
    return content


def note_is_intact(note: SessionNote) -> bool:
    return not note.content_hash or note.content_hash == content_hash(note_content(note))


@transaction.atomic
def sign_session_note(
    *, note: SessionNote, by: User, then: Callable[[SessionNote], None] | None = None
) -> SessionNote:
    """Sign a draft: its content hashed, frozen. `then(note)`: more of the same
    write (an app above: the charge), in this function's transaction. The note
    comes back with its visit, patient and plan, and its areas (the rows hashed)."""
    # locked with what signing and charging need: one query
    note = (
        SessionNote.objects.select_for_update(of=("self",))
        .select_related("appointment", "patient", "plan")
        .get(pk=note.pk)
    )
    if note.therapist_id != by.pk:
        raise NotAllowed("Only the note's therapist may do this.")
    if note.is_signed:
        raise InvalidTransition("This note is already signed.")
    areas = list(NoteArea.objects.filter(note=note).prefetch_related("modalities"))
    keep_as_fetched(note, "areas", areas)  # frozen from here on
    note.signed_at = timezone.now()
    note.content_hash = content_hash(note_content(note, areas))
    note.version += 1  # the row is locked: the version read is the version
    note.save(update_fields=["signed_at", "content_hash", "version", "updated_at"])
    record(actor=by, action="note.sign", target=note, patient=note.patient)
    if then is not None:
        then(note)
    return note


@transaction.atomic
def add_addendum(*, note: SessionNote, by: User, text: str) -> Addendum:
    note = _lock_own_note(note, by)
    if not (text or "").strip():
        raise Invalid.field("text", "An addendum needs text.")
    if not note.is_signed:
        raise InvalidTransition("Edit the draft directly; addenda are for signed notes.")
    addendum = Addendum.objects.create(note=note, author=by, text=text.strip())
    record(actor=by, action="note.addendum", target=note, patient=note.patient)
    return addendum


@transaction.atomic
def record_measurement(*, by: User, plan, measure: str, score=None, taken_at, items=None):
    """Items are scored by the instrument (sessions_log.instruments); a plain
    `score` is still accepted (API.md) when no items are sent."""
    if by.role != Role.THERAPIST:
        raise NotAllowed("Only therapists record outcome measurements.")
    if plan.therapist_id != by.pk:
        raise Invalid.field("plan", "This plan is another therapist's.")
    if measure not in Measure.values:
        raise Invalid.field("measure", f"{measure!r} is not a measure.")
    if items:
        computed = instruments.score(measure, items)
        if score is not None and Decimal(str(score)) != computed:
            raise Invalid.field("score", f"The items score {computed}; leave the score out.")
        score = computed
    low, high = MEASURE_RANGES[measure]
    if score is None or not low <= score <= high:
        raise Invalid.field("score", f"A {measure} score is from {low} to {high}.")
    measurement = OutcomeMeasurement.objects.create(
        plan=plan,
        measure=measure,
        score=score,
        taken_at=taken_at,
        items=items or {},
        recorded_by=by,
    )
    record(actor=by, action="measurement.create", target=measurement, patient=plan.patient)
    return measurement


def _no_panel(note: SessionNote) -> None:
    return None


@dataclass(frozen=True)
class NoteWorkflow:
    """What the note pages call to log, correct and sign a note. An app above may
    give its own (billing writes the services and charges at signing): the
    project's URL module hands it to the pages, so this app never names it."""

    log: Callable = log_session
    correct: Callable = correct_session_note
    sign: Callable = sign_session_note
    # the URL of a partial shown on a draft (e.g. its services and units), or None
    panel_url: Callable = _no_panel


NOTE_WORKFLOW = NoteWorkflow()


@transaction.atomic
def record_patient_questionnaire(*, plan, measure: str, items) -> OutcomeMeasurement:
    """A questionnaire the patient answered (the portal): scored by the instrument
    from its items, an outcome measurement of the plan with source "patient"."""
    if measure not in PATIENT_MEASURES:
        raise Invalid.field("measure", f"Patients answer {', '.join(PATIENT_MEASURES)}.")
    score = instruments.score(measure, items)
    measurement = OutcomeMeasurement.objects.create(
        plan=plan, measure=measure, score=score, taken_at=timezone.now(), items=items,
        recorded_by=None, source=MeasurementSource.PATIENT,
    )  # fmt: skip
    record(
        actor=None, action="measurement.create", target=measurement, patient=plan.patient,
        detail="answered by the patient",
    )  # fmt: skip
    return measurement
