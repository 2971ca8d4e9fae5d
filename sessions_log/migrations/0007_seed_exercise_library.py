"""The exercise library's stretches (sessions_log/exercise_library.py), each with
its picture in static/exercises/. A data migration of its own, reversible."""

from django.db import migrations

from sessions_log.exercise_library import LIBRARY


def seed(apps, schema_editor):
    Exercise = apps.get_model("sessions_log", "Exercise")
    for code, name, region, instructions, hold, reps, times in LIBRARY:
        Exercise.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "region": region, "instructions": instructions,
                "hold_seconds": hold, "repetitions": reps, "times_per_day": times,
            },
        )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("sessions_log", "Exercise").objects.filter(
        code__in=[row[0] for row in LIBRARY]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("sessions_log", "0006_home_programme")]

    operations = [migrations.RunPython(seed, unseed)]
