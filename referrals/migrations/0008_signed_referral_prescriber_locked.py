"""A transcribed referral's prescriber is part of what its signature covers: on
PostgreSQL the signed-referral lock (0004) now also refuses a change of the
outside physician, the transcriber, the source or the signer. Referrals signed
before `signed_by` existed were signed by their doctor: filled in first, in the
same step, while the lock still allows it."""

from django.db import migrations
from django.db.models import F

CLINICAL = ["patient_id", "doctor_id", "precautions", "visits_prescribed",
            "frequency_per_week", "valid_until", "signed_at", "renewal_of_id"]  # fmt: skip
PRESCRIBER = ["outside_physician_id", "transcribed_by_id", "source"]


# written once, at signing (like the content hash)
SIGNER = "OR (OLD.signed_by_id IS NOT NULL AND NEW.signed_by_id IS DISTINCT FROM OLD.signed_by_id)"


def lock(columns, signer=""):
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
    return f"""CREATE OR REPLACE FUNCTION referrals_signed_referral_locked() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'draft' THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'a signed referral cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {changed} {signer}
           OR (OLD.content_hash <> '' AND NEW.content_hash IS DISTINCT FROM OLD.content_hash) THEN
            RAISE EXCEPTION 'a signed referral is locked: write a renewal instead'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql"""


def forward(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    signed = Referral.objects.filter(signed_at__isnull=False, signed_by__isnull=True)
    signed.update(signed_by_id=F("doctor_id"))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(lock(CLINICAL + PRESCRIBER, SIGNER))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(lock(CLINICAL))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_transcribed_referrals")]

    operations = [migrations.RunPython(forward, backward)]
