"""TRUNCATE skips row triggers, so the append-only trigger of 0004 does not see
it: a statement trigger refuses it on PostgreSQL. Tests flush tables between
transactional tests with session_replication_role = replica (superuser only)."""

from django.db import migrations

FORWARD = [
    """CREATE OR REPLACE FUNCTION clinic_audit_no_truncate() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: TRUNCATE is refused'
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER clinic_audit_no_truncate
        BEFORE TRUNCATE ON clinic_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION clinic_audit_no_truncate()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS clinic_audit_no_truncate ON clinic_auditevent",
    "DROP FUNCTION IF EXISTS clinic_audit_no_truncate()",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("clinic", "0008_drop_plaintext_api_tokens")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
