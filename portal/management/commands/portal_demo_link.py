"""`python manage.py portal_demo_link`: print a fresh sign-in link for a demo
patient with visits to come (`make run` prints one after seeding). Like
seed_demo, it refuses to run with DEBUG off unless given --force: a link opens
a real patient's record."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.models import Patient
from portal.sign_in import issue_link
from scheduling.models import AppointmentStatus

DEMO_EMAIL_DOMAIN = "demo-patients.example"  # seed_demo's patients


class Command(BaseCommand):
    help = "Print a sign-in link for a demo patient (refuses to run with DEBUG off)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("portal_demo_link refuses to run with DEBUG off; use --force.")
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
            self.stdout.write("No demo patient with a visit to come; run seed_demo first.")
            return
        url = issue_link(patient=patient, by=None, channel="demo")
        self.stdout.write(
            self.style.SUCCESS(f"Patient sign-in for {patient} (born {patient.date_of_birth}):")
        )
        self.stdout.write(f"  {url}")
