"""Consent is kept immutably: on PostgreSQL a trigger refuses UPDATE and DELETE
of a signature and of a document's version, whatever path the write takes."""

from django.db import migrations

TABLES = ["clinic_consentsignature", "clinic_consentdocument"]
FORWARD = [
    """CREATE OR REPLACE FUNCTION clinic_consent_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'consent documents and signatures are never changed'
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    *[
        f"""CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION clinic_consent_immutable()"""
        for table in TABLES
    ],
]
BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}" for table in TABLES],
    "DROP FUNCTION IF EXISTS clinic_consent_immutable()",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("clinic", "0017_consent_documents_and_signatures")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
