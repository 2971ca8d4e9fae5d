"""The demo clinic's patient side (seed_demo, portal_demo_link): health-history
forms some demo patients have signed, and a working sign-in link for one with
visits to come. Demo only: both commands refuse to run with DEBUG off."""

from django.utils import timezone

from clinic.models import Patient
from scheduling.models import AppointmentStatus

from .intake import submit_health_history
from .sign_in import issue_link

DEMO_EMAIL_DOMAIN = "demo-patients.example"  # seed_demo's patients

NOTHING_TO_REPORT = {
    "blood_clot": False, "fever": False, "high_blood_pressure": False,
    "recent_surgery": False, "open_wound": False, "cancer": False,
    "anticoagulants": False, "osteoporosis": False, "pregnant": False,
}  # fmt: skip
# Forms signed on the portal by these demo patients; the others (the printed link's
# patient among them) are asked for theirs. Ben's blood thinners raise a "no firm
# pressure" precaution, shown on Today and on his notes.
HEALTH_HISTORIES = {
    "Alice": {},
    "Ben": {"anticoagulants": True, "medications": "Apixaban 5 mg twice a day"},
    "Chloe": {"medications": "Ibuprofen when the neck is bad"},
    "David": {"other_conditions": "Desk job; the headaches come late in the afternoon."},
}


def seed_health_histories() -> None:
    demo = Patient.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    for patient in demo.filter(first_name__in=HEALTH_HISTORIES).order_by("last_name"):
        answers = {**NOTHING_TO_REPORT, **HEALTH_HISTORIES[patient.first_name]}
        submit_health_history(patient=patient, answers=answers, user_agent="seed_demo")


def demo_link() -> tuple[Patient, str] | None:
    """A fresh sign-in link for the first demo patient with a visit to come."""
    patient = (
        Patient.objects.filter(
            email__endswith=f"@{DEMO_EMAIL_DOMAIN}",
            appointments__status=AppointmentStatus.BOOKED,
            appointments__start__gt=timezone.now(),
        )
        .order_by("last_name", "first_name")
        .first()
    )
    if patient is None:
        return None
    return patient, issue_link(patient=patient, by=None, channel="demo")


def print_demo_link(command) -> None:
    """Write the link on a management command's output."""
    found = demo_link()
    if found is None:
        command.stdout.write("No demo patient with a visit to come; run seed_demo first.")
        return
    patient, url = found
    command.stdout.write(
        command.style.SUCCESS(f"Patient sign-in for {patient} (born {patient.date_of_birth}):")
    )
    command.stdout.write(f"  {url}")
