from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops import backups


class Command(BaseCommand):
    help = "Back the database up: pg_dump's custom format on PostgreSQL, a copy on SQLite."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the file to write (default: var/backups/)")

    def handle(self, *args, path=None, **options):
        if path is None:
            stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
            path = settings.VAR_DIR / "backups" / f"clinic-{stamp}{backups.suffix()}"
        try:
            written = backups.backup(Path(path))
        except (OSError, backups.subprocess.CalledProcessError) as exc:
            raise CommandError(f"backup failed: {getattr(exc, 'stderr', b'') or exc}") from exc
        self.stdout.write(str(written))
