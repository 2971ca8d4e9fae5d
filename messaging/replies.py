"""Two-way texts: what a patient's reply does, and what we answer.

`C` confirms and `X` cancels the patient's next visit (scheduling's own
services, `confirm_by_patient` and `cancel_by_patient`, so the clinic's
cancellation policy holds); `STOP` and `START` (and
the carriers' other opt-out and opt-in words) switch the patient's text consent;
`HELP` answers the clinic's name and phone. A number we do not know gets the
same answers as a patient with no visit ahead: a reply reveals nothing."""

from django.conf import settings
from django.utils import timezone

from clinic.errors import InvalidTransition
from clinic.models import Patient
from clinic.phones import BadPhoneNumber, to_e164
from scheduling import visits
from scheduling.models import Appointment, AppointmentStatus
from scheduling.recurrence import clinic_zone

from .contacts import set_text_consent

# The CTIA's keywords, which carriers and Twilio also act on. CANCEL is an
# opt-out word there, so a visit is cancelled by X only.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "UNSTOP", "YES"}
HELP = {"HELP", "INFO"}
CONFIRM = {"C", "CONFIRM"}
CANCEL_VISIT = {"X"}
VIA = "text reply"


def patients_of(phone: str) -> list[Patient]:
    """The active patients with this number (a family may share one)."""
    try:
        number = to_e164(phone)
    except BadPhoneNumber:
        return []
    return list(Patient.objects.filter(phone=number, is_active=True).order_by("pk"))


def next_visit(patients: list[Patient]) -> Appointment | None:
    return (
        Appointment.objects.filter(
            patient__in=patients, status=AppointmentStatus.BOOKED, start__gt=timezone.now()
        )
        .select_related("patient")
        .order_by("start")
        .first()
    )


def help_text() -> str:
    return (
        f"{settings.CLINIC_NAME}: questions? Call {settings.CLINIC_PHONE}. "
        "Reply C to confirm your next visit, X to cancel it, STOP to stop texts."
    )


def answer_text(*, phone: str, body: str) -> str:
    """Act on one incoming text; returns the reply to send back."""
    word = (body or "").strip().split(maxsplit=1)[0].upper().strip(".!") if body.strip() else ""
    patients = patients_of(phone)
    if word in OPT_OUT:
        set_text_consent(patients=patients, consent=False, via=VIA)
        return (
            f"{settings.CLINIC_NAME}: you will get no more texts from us. "
            "Reply START to get them again."
        )
    if word in OPT_IN:
        set_text_consent(patients=patients, consent=True, via=VIA)
        return f"{settings.CLINIC_NAME}: texts are on again. Reply HELP for help, STOP to stop."
    if word in CONFIRM | CANCEL_VISIT:
        return _answer_for_visit(patients, confirm=word in CONFIRM)
    return help_text()


def _answer_for_visit(patients: list[Patient], *, confirm: bool) -> str:
    visit = next_visit(patients)
    if visit is None:
        return (
            f"{settings.CLINIC_NAME}: we found no upcoming visit for this number. "
            f"Questions? Call {settings.CLINIC_PHONE}."
        )
    when = timezone.localtime(visit.start, clinic_zone()).strftime("%a %b %-d at %-I:%M %p")
    try:
        if confirm:
            visits.confirm_by_patient(appointment=visit, via=VIA)
        else:
            visits.cancel_by_patient(appointment=visit, via=VIA)
    except InvalidTransition as refused:
        return f"{settings.CLINIC_NAME}: {refused.detail} Call {settings.CLINIC_PHONE}."
    if confirm:
        return f"{settings.CLINIC_NAME}: thank you, your visit on {when} is confirmed."
    return f"{settings.CLINIC_NAME}: your visit on {when} is cancelled. Call us to book again."
