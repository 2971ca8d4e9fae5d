"""On PostgreSQL the database holds two rules of billing: a charge is made only
from a signed session note, and a signed note's services are frozen."""

from django.db import migrations

FORWARD = [
    """CREATE OR REPLACE FUNCTION billing_charge_needs_signed_note() RETURNS trigger AS $$
    BEGIN
        IF NEW.note_id IS NOT NULL AND (
            SELECT signed_at FROM sessions_log_sessionnote WHERE id = NEW.note_id
        ) IS NULL THEN
            RAISE EXCEPTION 'a charge is made from a signed session note only'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER billing_charge_needs_signed_note
        BEFORE INSERT OR UPDATE OF note_id ON billing_charge
        FOR EACH ROW EXECUTE FUNCTION billing_charge_needs_signed_note()""",
    """CREATE OR REPLACE FUNCTION billing_signed_services_frozen() RETURNS trigger AS $$
    BEGIN
        IF (SELECT signed_at FROM sessions_log_sessionnote
            WHERE id = COALESCE(NEW.note_id, OLD.note_id)) IS NOT NULL
           OR (TG_OP = 'UPDATE' AND (SELECT signed_at FROM sessions_log_sessionnote
            WHERE id = OLD.note_id) IS NOT NULL) THEN
            RAISE EXCEPTION 'a signed session note''s services are frozen'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN COALESCE(NEW, OLD);
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER billing_signed_services_frozen
        BEFORE INSERT OR UPDATE OR DELETE ON billing_noteservice
        FOR EACH ROW EXECUTE FUNCTION billing_signed_services_frozen()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS billing_charge_needs_signed_note ON billing_charge",
    "DROP FUNCTION IF EXISTS billing_charge_needs_signed_note()",
    "DROP TRIGGER IF EXISTS billing_signed_services_frozen ON billing_noteservice",
    "DROP FUNCTION IF EXISTS billing_signed_services_frozen()",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_seed_service_codes"),
        ("sessions_log", "0004_note_visit_in_scheduling"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
