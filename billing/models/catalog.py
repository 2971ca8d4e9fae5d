"""The catalog: service codes, payers with their fee schedules and unit rule,
and the modality-to-code mapping with per-payer overrides."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from clinic.models import Entity
from referrals.models import Modality

MONEY = {"max_digits": 10, "decimal_places": 2}
ZERO = Decimal("0.00")


class ServiceCode(models.Model):
    """A CPT procedure code the clinic bills (97140 manual therapy, ...)."""

    code = models.CharField(max_length=5, primary_key=True)
    description = models.CharField(max_length=200)
    timed = models.BooleanField(default=True, help_text="Billed in 15-minute units.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.description}"


class PayerKind(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial health plan"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    AUTO = "auto", "Auto insurance (PIP)"
    WORKERS_COMP = "workers_comp", "Workers' compensation"
    SELF_PAY = "self_pay", "Self-pay"


# the kinds whose coverage is a property-and-casualty claim: claim number and
# date of injury are required, and the 837P carries them
INJURY_KINDS = (PayerKind.AUTO, PayerKind.WORKERS_COMP)


class UnitRule(models.TextChoices):
    CMS = "cms", "CMS 8-minute rule"
    AMA = "ama", "AMA, per code"


class PayerQuerySet(models.QuerySet):
    def self_pay(self):
        """The payer a patient with no valid coverage is billed to."""
        return self.filter(kind=PayerKind.SELF_PAY, is_active=True).first()


class Payer(Entity):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PayerKind.choices)
    payer_id = models.CharField(
        max_length=80, blank=True, help_text="The payer's electronic id on claims."
    )
    unit_rule = models.CharField(max_length=3, choices=UnitRule.choices, default=UnitRule.CMS)
    requires_authorization = models.BooleanField(default=False)
    line_modifiers = models.JSONField(
        default=list, blank=True, help_text='Modifiers on every timed line, e.g. ["GP"].'
    )
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PayerKind.values), name="payer_kind_known"),
            models.CheckConstraint(
                condition=Q(unit_rule__in=UnitRule.values), name="payer_unit_rule_known"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="self_pay", is_active=True),
                name="payer_one_self_pay",
            ),
        ]

    def __str__(self):
        return self.name


class Fee(models.Model):
    """A payer's fee schedule: the amount of one unit of a code."""

    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="fees")
    service_code = models.ForeignKey(ServiceCode, on_delete=models.PROTECT, related_name="+")
    per_unit = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["payer", "service_code"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "service_code"], name="fee_once_per_code"),
            models.CheckConstraint(condition=Q(per_unit__gte=0), name="fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.payer}: {self.service_code_id} at {self.per_unit}"


class ServiceMapping(models.Model):
    """The service code a modality bills: the clinic's default (no payer) or a
    payer's override. No code means the modality is not billed."""

    modality = models.ForeignKey(Modality, on_delete=models.CASCADE, related_name="+")
    payer = models.ForeignKey(
        Payer, on_delete=models.CASCADE, null=True, blank=True, related_name="mappings"
    )
    service_code = models.ForeignKey(
        ServiceCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["modality", "payer"]
        constraints = [
            models.UniqueConstraint(
                fields=["modality"],
                condition=Q(payer__isnull=True),
                name="mapping_one_default_per_modality",
            ),
            models.UniqueConstraint(fields=["modality", "payer"], name="mapping_once_per_payer"),
        ]

    def __str__(self):
        whose = self.payer or "default"
        return f"{self.modality_id} -> {self.service_code_id or 'not billed'} ({whose})"
