"""API tokens moved to django-rest-knox, which stores only their digests: the
table of DRF's authtoken held every token in plain text, so it goes, and with it
every old token (their holders sign in again)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_index_the_week_calendar")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
