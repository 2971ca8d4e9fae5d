"""The services given in a session and the money: charges and their lines,
claims, payments. Money is `Decimal`, two places, never a float."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User
from clinic.vocabulary import Region, Side
from referrals.models import Referral
from scheduling.models import Appointment
from sessions_log.models import SessionNote

from .catalog import MONEY, ZERO, Payer, ServiceCode
from .coverage import Authorization, Coverage


class NoteService(models.Model):
    """A billable service given in a session (API.md: a note's `services`):
    the code, its minutes, and where. Frozen when the note is signed."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="services")
    position = models.PositiveSmallIntegerField(default=0)
    service_code = models.ForeignKey(ServiceCode, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=20, choices=Region.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    derived = models.BooleanField(default=False, help_text="Derived from the note's areas.")

    class Meta:
        ordering = ["note", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=240), name="note_service_minutes_sane"
            ),
        ]

    def __str__(self):
        return f"{self.service_code_id} {self.minutes} min ({self.region}, {self.side})"


# --- money ------------------------------------------------------------------------------


class ChargeKind(models.TextChoices):
    VISIT = "visit", "Visit"
    NO_SHOW_FEE = "no_show_fee", "No-show fee"
    LATE_CANCEL_FEE = "late_cancel_fee", "Late cancellation fee"


class ChargeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLAIMED = "claimed", "Claimed"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PAID = "paid", "Paid"
    DENIED = "denied", "Denied"


# a charge in one of these claims may not join another
LIVE_CLAIM_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.PAID)


class ChargeQuerySet(models.QuerySet):
    def not_void(self):
        return self.exclude(status=ChargeStatus.VOID)

    def unclaimed(self):
        """Open and in no live claim: the biller's work queue."""
        return self.filter(status=ChargeStatus.OPEN).exclude(claims__status__in=LIVE_CLAIM_STATUSES)


class Charge(Entity):
    """What a signed session note (or a missed visit's fee) costs, to whom."""

    kind = models.CharField(max_length=20, choices=ChargeKind.choices, default=ChargeKind.VISIT)
    note = models.ForeignKey(
        SessionNote, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="charges")
    # the care episode, so clinicians read the billing of their own episodes
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    therapist = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    coverage = models.ForeignKey(
        Coverage, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="charges")
    authorization = models.ForeignKey(
        Authorization, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    service_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=ChargeStatus.choices, default=ChargeStatus.OPEN
    )
    total = models.DecimalField(**MONEY, default=ZERO)
    warnings = models.JSONField(default=list, blank=True)
    # the referral's diagnoses when charged, in pointer order: [{"code", "description"}]
    diagnoses = models.JSONField(default=list, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["-service_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChargeStatus.values), name="charge_status_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ChargeKind.values), name="charge_kind_known"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="charge_total_not_negative"),
            # a visit is billed from its signed note, and only from it
            models.CheckConstraint(
                condition=~Q(kind="visit") | Q(note__isnull=False), name="charge_visit_has_note"
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""), name="charge_void_has_reason"
            ),
            models.UniqueConstraint(
                fields=["note"], condition=~Q(status="void"), name="charge_one_live_per_note"
            ),
            # a missed visit's fee is charged once, even when voided since
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(kind__in=["no_show_fee", "late_cancel_fee"]),
                name="charge_one_fee_per_missed_visit",
            ),
        ]
        indexes = [
            # the patient's ledger: WHERE patient_id = ? ORDER BY service_date
            models.Index(fields=["patient", "service_date"], name="charge_patient_date_idx"),
            # the biller's queue: WHERE status = 'open' ORDER BY service_date
            models.Index(fields=["status", "service_date"], name="charge_status_date_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.service_date} {self.patient}: {self.total}"


class ChargeLine(models.Model):
    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    service_code = models.ForeignKey(ServiceCode, on_delete=models.PROTECT, related_name="+")
    modifiers = models.JSONField(default=list, blank=True)
    minutes = models.PositiveSmallIntegerField(default=0)
    units = models.PositiveSmallIntegerField()
    diagnosis_pointers = models.JSONField(default=list, blank=True)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["charge", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.service_code_id} x{self.units} = {self.amount}"


class Claim(Entity):
    """Open charges of one coverage sent to its payer as one 837P."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="claims")
    charges = models.ManyToManyField(Charge, related_name="claims")
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    # the interchange control number of its 837P (ISA13): unique, nine digits
    number = models.PositiveIntegerField(unique=True)
    total = models.DecimalField(**MONEY, default=ZERO)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    denial_reason = models.CharField(max_length=500, blank=True)
    paid_amount = models.DecimalField(**MONEY, null=True, blank=True)
    # a secondary claim: the same charges, to the secondary coverage, after the
    # primary payer answered (its 837P carries the primary's adjudication)
    primary_claim = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="secondary_claims"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_known"
            ),
            # one live secondary claim per primary claim (a denied one may be redone)
            models.UniqueConstraint(
                fields=["primary_claim"],
                condition=Q(primary_claim__isnull=False, status__in=["draft", "submitted", "paid"]),
                name="claim_one_live_secondary",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=999_999_999), name="claim_number_nine_digits"
            ),
        ]
        indexes = [
            # claims by status, newest first (the biller's queue)
            models.Index(fields=["status", "created_at"], name="claim_status_idx"),
        ]

    def __str__(self):
        return f"Claim {self.number} to {self.payer} ({self.status})"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    CHECK = "check", "Check"
    INSURANCE = "insurance", "Insurance"
    ADJUSTMENT = "adjustment", "Adjustment"


class Payment(Entity):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    received_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values), name="payment_method_known"
            ),
        ]
        indexes = [
            # the patient's ledger
            models.Index(fields=["patient", "created_at"], name="payment_patient_idx"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount} from {self.patient}"
