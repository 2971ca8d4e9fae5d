"""The services of a session note (API.md: `services: [{code, minutes, region,
side}]`): as the therapist records them, or derived from the note's areas by
the modality mapping of the patient's payer. Writing a note with its services
is one workflow, so the note and its services are saved, or refused, together.

sessions_log writes the note and knows nothing of billing; these workflows
wrap its services, and the API, the pages and the demo call them instead."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, Locked
from clinic.models import User
from clinic.vocabulary import Region, Side
from scheduling.models import Appointment
from sessions_log import services as notes
from sessions_log.models import SessionNote
from sessions_log.services import keep_as_fetched

from .coverage import coverage_on
from .models import NoteService, Payer, ServiceCode, ServiceMapping
from .rules import Service, derive_services


def code_mapping(payer: Payer | None) -> dict[str, str | None]:
    """modality code -> service code (None: not billed): the clinic's defaults,
    overridden by the payer's own rows."""
    rows = ServiceMapping.objects.filter(payer=None)
    if payer is not None:
        rows = rows | ServiceMapping.objects.filter(payer=payer)
    mapping: dict[str, str | None] = {}
    # defaults first, so a payer's row replaces its modality's default
    for row in sorted(rows, key=lambda r: r.payer_id is not None):
        mapping[row.modality_id] = row.service_code_id
    return mapping


def service_date(appointment: Appointment):
    return timezone.localtime(appointment.start).date()


def validate_services(items) -> dict:
    """Each item names a billed code, 1 to 240 minutes, a region and a side
    (none given: nothing to check, and the codes are not read)."""
    if not items:
        return {}
    known = set(ServiceCode.objects.filter(is_active=True).values_list("code", flat=True))
    item_errors = []
    for item in items:
        problems = {}
        if item.get("code") not in known:
            problems["code"] = [f"{item.get('code')!r} is not a service code the clinic bills."]
        minutes = item.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
            problems["minutes"] = ["Minutes are 1 to 240."]
        if item.get("region") not in Region.values:
            problems["region"] = [f"{item.get('region')!r} is not a body region."]
        if item.get("side") not in Side.values:
            problems["side"] = [f"{item.get('side')!r} is not a side."]
        item_errors.append(problems)
    return {"services": item_errors} if any(item_errors) else {}


def derived_services(*, appointment: Appointment, areas) -> list[Service]:
    coverage = coverage_on(appointment.patient, service_date(appointment))
    mapping = code_mapping(coverage.payer if coverage else None)
    return derive_services(areas or [], mapping.get)


def _write(note: SessionNote, services: list[Service], *, derived: bool, new=False) -> None:
    """The note's services in one INSERT. A `new` note has none to delete, and the
    rows written are kept as its services, so answering with it reads nothing back."""
    if not new:
        note.services.all().delete()
    rows = NoteService.objects.bulk_create(
        NoteService(
            note=note,
            position=i,
            service_code_id=s.code,
            minutes=s.minutes,
            region=s.region,
            side=s.side,
            derived=derived,
        )
        for i, s in enumerate(services)
    )
    if new:
        keep_as_fetched(note, "services", rows)


def _given(items) -> list[Service]:
    return [Service(i["code"], i["minutes"], i["region"], i["side"]) for i in items]


def log_session_with_services(
    *, therapist: User, appointment: Appointment, data: dict
) -> SessionNote:
    """sessions_log's `log_session`, plus the note's services: as given, or
    derived from its areas. Bad services and bad note fields are one 400."""
    data = dict(data)
    given = data.pop("services", None)
    # the modalities are read once, for this check and log_session's
    modalities = notes.known_modalities() if data.get("areas") else {}
    errors = notes.validate_note_content(data, modalities=modalities)
    if errors := errors | validate_services(given or []):
        raise Invalid(errors)

    def write_services(note: SessionNote) -> None:
        if given is not None:
            _write(note, _given(given), derived=False, new=True)
        else:
            # the visit log_session locked, with its patient: nothing read again
            derived = derived_services(appointment=note.appointment, areas=data.get("areas"))
            _write(note, derived, derived=True, new=True)

    # the services are written inside log_session's transaction (no savepoint of
    # this workflow's own): the note and its services are saved, or refused, together
    return notes.log_session(
        therapist=therapist,
        appointment=appointment,
        data=data,
        modalities=modalities,
        then=write_services,
    )


@transaction.atomic
def correct_note_with_services(*, note: SessionNote, by: User, data: dict) -> SessionNote:
    """A draft's correction; services sent replace the note's, and new areas
    re-derive services that were derived (never ones the therapist typed)."""
    data = dict(data)
    given = data.pop("services", None)
    errors = notes.validate_note_content(data, partial=True) | validate_services(given or [])
    if errors:
        raise Invalid(errors)
    # what a log kept on this instance is out of date once corrected: read afresh
    note.__dict__.get("_prefetched_objects_cache", {}).pop("services", None)
    services_before, version = _services_of(note), note.version
    note = notes.correct_session_note(note=note, by=by, data=data)
    if given is not None:
        _write(note, _given(given), derived=False)
    elif "areas" in data and not note.services.filter(derived=False).exists():
        appointment = Appointment.objects.select_related("patient").get(pk=note.appointment_id)
        _write(note, derived_services(appointment=appointment, areas=data["areas"]), derived=True)
    if note.version == version and _services_of(note) != services_before:
        # the services alone changed: the note's version (its ETag) moves all the
        # same; services sent again as they were keep it (clinic.versions)
        SessionNote.objects.filter(pk=note.pk).update(version=F("version") + 1)
        record(actor=by, action="note.update", target=note, patient=note.patient)
        note.refresh_from_db()
    return note


def _services_of(note: SessionNote) -> list:
    """The services as the note reads (whether derived or typed does not show)."""
    rows = note.services.order_by("position")
    return list(rows.values_list("service_code_id", "minutes", "region", "side"))


def refuse_if_signed(note: SessionNote) -> None:
    if note.is_signed:
        raise Locked("This note is signed; its services are frozen.")
