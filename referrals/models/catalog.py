"""The code sets a referral is written in: the modality catalog and the
ICD-10-CM codes."""

from django.db import models

__all__ = ["IcdCode", "Modality"]


class Modality(models.Model):
    """A technique of rehabilitative massage; managers may add more."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "modalities"

    def __str__(self):
        return self.name


class IcdCode(models.Model):
    """A billable ICD-10-CM code (a leaf such as M54.50, never the header M54.5),
    loaded from the simple-icd-10-cm code set by migration 0005: reference data
    in the database, so no web worker holds the 74,000 codes in its memory.

    Not managed: the migration creates the table with each database's full-text
    index (FTS5 on SQLite, a tsvector under GIN on PostgreSQL), and a test's flush
    leaves this read-only set alone instead of emptying it."""

    code = models.CharField(max_length=8, unique=True)
    description = models.TextField()
    # the code, description and inclusion terms as lower-case [a-z0-9]+ words
    # ("Lumbago NOS" under M54.50): what a search by words matches
    words = models.TextField()

    class Meta:
        managed = False
        db_table = "referrals_icdcode"
        verbose_name = "ICD-10-CM code"

    def __str__(self):
        return f"{self.code} {self.description}"
