"""On PostgreSQL, the database itself refuses two overlapping live appointments
of one therapist or one patient, even for a write that bypasses the services.
Half-open ranges '[)': a visit ending at 10:45 does not clash with one at 10:45.
SQLite has no exclusion constraints; there the booking service's check inside
an IMMEDIATE transaction holds the same rule."""

from django.db import migrations

LIVE = "status IN ('booked', 'checked_in')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE clinic_appointment ADD CONSTRAINT appointment_therapist_no_overlap
        EXCLUDE USING gist (therapist_id WITH =, tstzrange("start", "end", '[)') WITH &&)
        WHERE ({LIVE})""",
    f"""ALTER TABLE clinic_appointment ADD CONSTRAINT appointment_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange("start", "end", '[)') WITH &&)
        WHERE ({LIVE})""",
]
BACKWARD = [
    "ALTER TABLE clinic_appointment DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap",
    "ALTER TABLE clinic_appointment DROP CONSTRAINT IF EXISTS appointment_therapist_no_overlap",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_link_appointments_to_plans")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
