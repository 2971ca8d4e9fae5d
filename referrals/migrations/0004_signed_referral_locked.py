"""On PostgreSQL the database refuses to change a signed referral's clinical
content or to delete it, whatever path the write takes (the app, the admin,
raw SQL). The status may still move on (signed -> completed | cancelled), and
the content hash is written once, at signing."""

from django.db import migrations

CLINICAL = ["patient_id", "doctor_id", "precautions", "visits_prescribed",
            "frequency_per_week", "valid_until", "signed_at", "renewal_of_id"]  # fmt: skip
CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CLINICAL)

FORWARD = [
    f"""CREATE OR REPLACE FUNCTION referrals_signed_referral_locked() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'draft' THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'a signed referral cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {CHANGED}
           OR (OLD.content_hash <> '' AND NEW.content_hash IS DISTINCT FROM OLD.content_hash) THEN
            RAISE EXCEPTION 'a signed referral is locked: write a renewal instead'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER referrals_signed_referral_locked
        BEFORE UPDATE OR DELETE ON referrals_referral
        FOR EACH ROW EXECUTE FUNCTION referrals_signed_referral_locked()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS referrals_signed_referral_locked ON referrals_referral",
    "DROP FUNCTION IF EXISTS referrals_signed_referral_locked()",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_plan_certification_and_precautions")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
