"""Secret calendar feeds (RFC 5545, icalendar) for therapists and patients.

The address carries the owner's `calendar_token`; anyone with it can read
the feed, so the token is long, random, and rotatable. A therapist's feed
names patients by first name and initial only: calendar apps sync to phones
and servers the clinic does not control."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from clinic.audit import record
from clinic.models import Patient, User, new_calendar_token
from clinic.vocabulary import Role

from .models import Appointment, AppointmentStatus

PRODID = "-//Clinic//Appointments//EN"
HISTORY = timedelta(days=90)  # past visits kept in a feed
STATUS = {
    AppointmentStatus.CANCELLED: "CANCELLED",
    AppointmentStatus.NO_SHOW: "CANCELLED",
}


def uid_of(appointment: Appointment) -> str:
    # Stable across moves, renames and feed rebuilds, so a calendar app updates
    # the event in place instead of adding a second one.
    return f"{appointment.pk}@appointments.clinic"


def _event(appointment: Appointment, summary: str) -> Event:
    event = Event()
    event.add("uid", uid_of(appointment))
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", summary)
    event.add("location", settings.CLINIC_ADDRESS)
    event.add("sequence", appointment.version)
    event.add("status", STATUS.get(appointment.status, "CONFIRMED"))
    return event


def _feed(name: str, events) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def _visits():
    return Appointment.objects.filter(start__gte=timezone.now() - HISTORY).select_related(
        "patient", "therapist"
    )


def therapist_feed_ical(therapist: User) -> bytes:
    visits = _visits().filter(therapist=therapist)
    events = [
        _event(a, f"{a.patient.first_name} {a.patient.last_name[:1]}. (massage)") for a in visits
    ]
    return _feed(f"{settings.CLINIC_NAME}: {therapist}", events)


def patient_feed_ical(patient: Patient) -> bytes:
    visits = _visits().filter(patient=patient)
    events = [
        _event(a, f"Massage therapy with {a.therapist} at {settings.CLINIC_NAME}") for a in visits
    ]
    return _feed(f"{settings.CLINIC_NAME}: my visits", events)


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def therapist_feed(request, token: str):
    therapist = User.objects.filter(
        calendar_token=token, role=Role.THERAPIST, is_active=True
    ).first()
    if therapist is None:
        raise Http404("No such calendar.")
    return _ics(therapist_feed_ical(therapist))


@require_GET
def patient_feed(request, token: str):
    patient = Patient.objects.filter(calendar_token=token, is_active=True).first()
    if patient is None:
        raise Http404("No such calendar.")
    return _ics(patient_feed_ical(patient))


@transaction.atomic
def rotate_calendar_token(*, owner: User | Patient, by: User | None = None) -> str:
    """A new secret address; the old one stops working at once."""
    owner.calendar_token = new_calendar_token()
    owner.save(update_fields=["calendar_token"])
    patient = owner if isinstance(owner, Patient) else None
    record(
        actor=by or (owner if isinstance(owner, User) else None),
        action="calendar.rotated",
        target=owner,
        patient=patient,
    )
    return owner.calendar_token
