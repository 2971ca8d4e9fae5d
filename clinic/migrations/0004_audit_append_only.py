"""The audit trail is append-only: on PostgreSQL a trigger refuses UPDATE and
DELETE on the table, whatever path the write takes (app, admin, raw SQL)."""

from django.db import migrations

FORWARD = [
    """CREATE OR REPLACE FUNCTION clinic_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only'
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER clinic_audit_append_only
        BEFORE UPDATE OR DELETE ON clinic_auditevent
        FOR EACH ROW EXECUTE FUNCTION clinic_audit_append_only()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS clinic_audit_append_only ON clinic_auditevent",
    "DROP FUNCTION IF EXISTS clinic_audit_append_only()",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_appointment_no_overlap")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
