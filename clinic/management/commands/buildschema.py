"""`python manage.py buildschema`: the API schema, built once per deploy (clinic/api_docs.py)."""

from django.core.management.base import BaseCommand

from ...api_docs import build_schema


class Command(BaseCommand):
    help = "Write the API schema that /api/v1/schema/ serves; run it beside collectstatic."

    def handle(self, *args, **options):
        for path in build_schema():
            if options["verbosity"]:
                self.stdout.write(f"wrote {path}")
