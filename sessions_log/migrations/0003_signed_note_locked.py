"""On PostgreSQL the database refuses to change a signed session note's
clinical content or to delete it; corrections are addenda."""

from django.db import migrations

CLINICAL = ["appointment_id", "therapist_id", "patient_id", "pain_before", "pain_after",
            "subjective", "objective", "assessment", "plan_text", "response",
            "adverse_reaction", "findings", "signed_at", "content_hash"]  # fmt: skip
CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CLINICAL)

FORWARD = [
    f"""CREATE OR REPLACE FUNCTION sessions_log_signed_note_locked() RETURNS trigger AS $$
    BEGIN
        IF OLD.signed_at IS NULL THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'a signed session note cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {CHANGED} THEN
            RAISE EXCEPTION 'a signed session note is locked: add an addendum'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER sessions_log_signed_note_locked
        BEFORE UPDATE OR DELETE ON sessions_log_sessionnote
        FOR EACH ROW EXECUTE FUNCTION sessions_log_signed_note_locked()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS sessions_log_signed_note_locked ON sessions_log_sessionnote",
    "DROP FUNCTION IF EXISTS sessions_log_signed_note_locked()",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("sessions_log", "0002_findings_and_progress_reports")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
