from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops import backups


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, path, interactive, **options):
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        if interactive:
            answer = input(f"Replace every record in the database with {path}? Type 'yes': ")
            if answer != "yes":
                raise CommandError("restore cancelled")
        try:
            backups.restore(path)
        except (OSError, backups.subprocess.CalledProcessError) as exc:
            raise CommandError(f"restore failed: {getattr(exc, 'stderr', b'') or exc}") from exc
        self.stdout.write(f"restored {path}")
