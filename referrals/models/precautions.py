"""Precautions: a referral's contraindication flags and a therapist's findings, with
the doctor's clearance of a stop flag (the rules are referrals/contraindications.py)."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User
from clinic.vocabulary import Region, Role, Side

from .episodes import (
    Referral,
    ReferralStatus,
    in_care,
    opened_by_glass,
    patients_in_care,
)


class PrecautionKind(models.TextChoices):
    """The referral's contraindication flags, and a therapist's findings."""

    ANTICOAGULANTS = "anticoagulants", "Anticoagulants or bleeding disorder"
    DVT = "dvt", "DVT or thrombosis history"
    RECENT_SURGERY = "recent_surgery", "Recent surgery"
    OSTEOPOROSIS = "osteoporosis", "Osteoporosis"
    OPEN_WOUND = "open_wound", "Open wound or skin infection"
    FEVER = "fever", "Fever or acute infection"
    PREGNANCY = "pregnancy", "Pregnancy"
    HYPERTENSION = "hypertension", "Uncontrolled hypertension"
    CANCER = "cancer", "Cancer"


class PrecautionSource(models.TextChoices):
    REFERRAL = "referral", "Referral"
    FINDING = "finding", "Therapist's finding"
    INTAKE = "intake", "Patient's health history"


class PrecautionQuerySet(models.QuerySet):
    def in_effect(self):
        """A therapist's findings, and the flags of referrals that were signed."""
        return self.filter(
            Q(referral__isnull=True)
            | Q(referral__status__in=[ReferralStatus.SIGNED, ReferralStatus.COMPLETED])
        )

    def visible_to(self, user, *, glass: bool = False):
        """A referral's flags go with its episode; a therapist's finding is the
        patient's, seen by everyone treating the patient (a safety gate)."""
        if user.role == Role.MANAGER:
            return self.all()
        mine = in_care(user, "referral__")
        if mine is None:
            return self.none()
        patients = patients_in_care(user, glass=glass).values("pk")
        mine |= Q(referral__isnull=True, patient__in=patients)
        if glass:
            mine |= opened_by_glass(user, "patient")
        return self.filter(mine)


class Precaution(Entity):
    """A contraindication flag on a patient: written by the doctor on a referral
    or found by a therapist at a visit. Its rule (referrals.contraindications)
    decides whether it stops treatment until the doctor clears it, keeps the
    hands off an area, or asks for lighter pressure."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="precautions")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="precaution_flags"
    )
    kind = models.CharField(max_length=20, choices=PrecautionKind.choices)
    source = models.CharField(max_length=10, choices=PrecautionSource.choices)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    note = models.TextField(blank=True)
    # staff who raised it; empty for the patient's own health history
    raised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clearance_note = models.TextField(blank=True)

    objects = PrecautionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PrecautionKind.values), name="precaution_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(cleared_by__isnull=False),
                name="precaution_cleared_by_someone",
            ),
        ]
        indexes = [
            # the gate at every visit: WHERE patient_id = ? AND cleared_at IS NULL
            models.Index(fields=["patient", "cleared_at"], name="precaution_patient_open_idx"),
        ]

    def __str__(self):
        site = f" ({self.region} {self.side})" if self.region else ""
        return f"{self.get_kind_display()}{site}"
