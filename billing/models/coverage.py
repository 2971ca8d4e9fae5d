"""The patient's coverages (primary, secondary) and the payers' authorizations."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User

from .catalog import Payer, ServiceCode


class Priority(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class Relationship(models.TextChoices):
    SELF = "self", "Self"
    SPOUSE = "spouse", "Spouse"
    CHILD = "child", "Child"
    OTHER = "other", "Other"


def valid_on(day):
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class CoverageQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_on(day))


class Coverage(Entity):
    """A patient's insurance (the card's fields); auto and workers' comp carry
    the claim number, the date of injury and the adjuster."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    member_id = models.CharField(max_length=80, blank=True)
    group_number = models.CharField(max_length=50, blank=True)
    subscriber_name = models.CharField(
        max_length=120, blank=True, help_text="Blank: the patient is the subscriber."
    )
    relationship = models.CharField(
        max_length=10, choices=Relationship.choices, default=Relationship.SELF
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    claim_number = models.CharField(max_length=50, blank=True)
    date_of_injury = models.DateField(null=True, blank=True)
    adjuster_name = models.CharField(max_length=120, blank=True)
    adjuster_phone = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = CoverageQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "priority", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="coverage_priority_known"
            ),
            models.CheckConstraint(
                condition=Q(relationship__in=Relationship.values),
                name="coverage_relationship_known",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="coverage_ends_after_start",
            ),
        ]
        indexes = [
            # the coverage of a service date: WHERE patient_id = ? ORDER BY priority
            models.Index(fields=["patient", "priority"], name="coverage_patient_idx"),
        ]

    def __str__(self):
        return f"{self.payer} ({self.priority}) for {self.patient}"


class Authorization(Entity):
    """The payer's approval of so many visits and units of some codes (none
    named: every code) between two dates."""

    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    number = models.CharField(max_length=50)
    codes = models.ManyToManyField(ServiceCode, blank=True, related_name="+")
    visits = models.PositiveSmallIntegerField()
    units = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = CoverageQuerySet.as_manager()

    class Meta:
        ordering = ["coverage", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="authorization_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(visits__gte=1, units__gte=1), name="authorization_allows_something"
            ),
        ]

    def __str__(self):
        return f"Authorization {self.number} ({self.valid_from} to {self.valid_until})"
