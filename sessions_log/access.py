"""The one door to session notes, measurements, progress reports and the FHIR
export (see clinic/access.py): the policy table and the `access_<thing>`
functions that scope (404 outside scope, same as missing)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from clinic.access import ALL_ROLES, DOCTOR, MANAGER, NO_FRONT_DESK, THERAPIST, Policy

from .models import NoteArea, ProgressReport, SessionNote

NOTE = Policy(
    "note",
    {
        "read": NO_FRONT_DESK,
        "create": THERAPIST,
        "update": THERAPIST,
        "sign": THERAPIST,
        "addenda": THERAPIST,
    },
)
MEASUREMENT = Policy("measurement", {"read": NO_FRONT_DESK, "create": THERAPIST})
REPORT = Policy(
    "report",
    {
        "read": NO_FRONT_DESK,
        "create": THERAPIST,
        "update": THERAPIST,
        "sign": THERAPIST,
        "send": THERAPIST,
        "acknowledge": DOCTOR,
        "pdf": NO_FRONT_DESK,
    },
)
RECORD = Policy("record", {"export": NO_FRONT_DESK})  # a patient's record as FHIR
# the clinic's exercise library (the manager edits it) and a plan's home programme
EXERCISE = Policy("exercise", {"read": ALL_ROLES, "create": MANAGER, "update": MANAGER})
HOME_PROGRAMME = Policy("home_programme", {"set": THERAPIST})


def access_note(user, note_id, verb: str = "read", *, glass: bool = False) -> SessionNote:
    NOTE.check(user, verb)
    return get_object_or_404(
        SessionNote.objects.visible_to(user, glass=glass)
        .select_related("appointment__patient", "plan__referral", "therapist")
        .prefetch_related(
            Prefetch("areas", queryset=NoteArea.objects.prefetch_related("modalities")),
            "addenda__author",
        ),
        pk=note_id,
    )


def access_report(user, report_id, verb: str = "read", *, glass: bool = False):
    REPORT.check(user, verb)
    scoped = ProgressReport.objects.visible_to(user, glass=glass).select_related(
        "plan__referral", "plan__patient", "author", "acknowledged_by", "physician_link__physician"
    )
    return get_object_or_404(scoped, pk=report_id)
