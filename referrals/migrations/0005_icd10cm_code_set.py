"""The billable ICD-10-CM codes in a table of their own, with a full-text index:
FTS5 on SQLite, a tsvector under GIN on PostgreSQL. Loaded once here from the
simple-icd-10-cm code set, so the web workers never import it (it costs about
175 MB in each process that does)."""

import gc
import re
import sys

from django.db import migrations, models

WORD = re.compile(r"[a-z0-9]+")
BATCH = 2000  # rows per INSERT: 8,000 parameters, under SQLite's 32,766

TABLE = {
    "sqlite": [
        # id is the rowid (INTEGER PRIMARY KEY), so FTS5 can point at it for good
        "CREATE TABLE referrals_icdcode (id integer NOT NULL PRIMARY KEY,"
        " code varchar(8) NOT NULL UNIQUE, description text NOT NULL, words text NOT NULL)",
    ],
    "postgresql": [
        # COLLATE "C": code order and prefix ranges by byte, as Python compares
        "CREATE TABLE referrals_icdcode (id bigint NOT NULL PRIMARY KEY,"
        ' code varchar(8) COLLATE "C" NOT NULL UNIQUE, description text NOT NULL,'
        " words text NOT NULL, search tsvector GENERATED ALWAYS AS"
        # the words as lexemes verbatim: no parser or dictionary reshapes them
        " (array_to_tsvector(string_to_array(words, ' '))) STORED)",
    ],
}
INDEX = {
    "sqlite": [
        # external content: the index only, its text read from referrals_icdcode
        "CREATE VIRTUAL TABLE referrals_icdcode_fts USING fts5(words,"
        " content='referrals_icdcode', content_rowid='id', prefix='2 3')",
        "INSERT INTO referrals_icdcode_fts(referrals_icdcode_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        "CREATE INDEX referrals_icdcode_search ON referrals_icdcode USING gin (search)",
        "ANALYZE referrals_icdcode",
    ],
}
DROP = {
    "sqlite": ["DROP TABLE referrals_icdcode_fts", "DROP TABLE referrals_icdcode"],
    "postgresql": ["DROP TABLE referrals_icdcode"],
}


def billable_codes():
    """(code, description, words) of each billable code: leaves, not chapters or blocks."""
    import simple_icd_10_cm as cm  # here, not at module level: only `migrate` pays for it

    for code in cm.get_all_codes(with_dots=True):
        if cm.is_leaf(code) and not cm.is_chapter_or_block(code):
            description = cm.get_description(code)
            # inclusion terms ("Lumbago NOS" under M54.50) are searched, not shown
            also = " ".join(cm.get_inclusion_term(code))
            words = WORD.findall(f"{code} {description} {also}".lower())
            yield code, description, " ".join(dict.fromkeys(words))


def run(statements, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[schema_editor.connection.vendor]:
            cursor.execute(sql)


def load(apps, schema_editor):
    run(TABLE, schema_editor)
    rows = [(i, *row) for i, row in enumerate(sorted(billable_codes()), start=1)]
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            values = ",".join(["(%s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO referrals_icdcode (id, code, description, words) VALUES {values}",
                [value for row in batch for value in row],
            )
    run(INDEX, schema_editor)
    # The code set holds some 175 MB: give it back to whatever runs `migrate`
    # next (a test run, a server started in the same process).
    for name in [name for name in sys.modules if name.split(".")[0] == "simple_icd_10_cm"]:
        del sys.modules[name]
    gc.collect()


def unload(apps, schema_editor):
    run(DROP, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_signed_referral_locked")]

    operations = [
        migrations.CreateModel(
            name="IcdCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=8, unique=True)),
                ("description", models.TextField()),
                ("words", models.TextField()),
            ],
            options={
                "verbose_name": "ICD-10-CM code",
                "db_table": "referrals_icdcode",
                "managed": False,
            },
        ),
        migrations.RunPython(load, unload),
    ]
