"""What a referral prescribes besides its visits: the diagnoses (ICD-10-CM) and the
target areas the doctor pre-examined."""

from django.db import models

from clinic.vocabulary import Region, Side

from .episodes import Referral


class Diagnosis(models.Model):
    """A billable ICD-10-CM code; the description comes from the code set."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField(max_length=10)
    description = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["referral", "position"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "code"], name="diagnosis_once_per_referral"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class TargetArea(models.Model):
    """A body region + side the doctor pre-examined."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="target_areas")
    region = models.CharField(max_length=20, choices=Region.choices)
    side = models.CharField(max_length=10, choices=Side.choices)

    class Meta:
        ordering = ["referral", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "region", "side"], name="target_area_once_per_referral"
            ),
        ]

    def __str__(self):
        return f"{self.get_region_display()} ({self.side})"
