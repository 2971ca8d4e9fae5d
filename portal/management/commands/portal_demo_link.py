"""`python manage.py portal_demo_link`: print a fresh sign-in link for a demo
patient with visits to come (seed_demo, which `make run` runs, prints one too).
Like seed_demo, it refuses to run with DEBUG off unless given --force: a link
opens a real patient's record."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import print_demo_link


class Command(BaseCommand):
    help = "Print a sign-in link for a demo patient (refuses to run with DEBUG off)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("portal_demo_link refuses to run with DEBUG off; use --force.")
        print_demo_link(self)
