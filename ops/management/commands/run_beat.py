import os

from django.core.management.base import BaseCommand
from django.db import connection

from ops import leader


class Command(BaseCommand):
    help = (
        "Run celery beat as the only leader: on PostgreSQL it waits for the beat lock "
        "(a second one stands by); on SQLite it simply runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", default=None, help="beat's schedule file")
        parser.add_argument("--retry", type=float, default=5.0, help="standby's retry, seconds")

    def handle(self, *args, schedule=None, retry=5.0, **options):
        from clinic.celery import app

        if connection.vendor == "postgresql":
            lock = leader.lock_connection()
            leader.wait_to_lead(lock, every=retry, log=self.stdout.write)
            self.stdout.write("leading: this beat holds the beat lock")
            # the lock is gone with its connection: stop, and come back as a standby
            leader.watch(lock, every=retry, on_lost=lambda: os._exit(3))
        beat = app.Beat(schedule=schedule, loglevel="INFO")
        beat.run()
