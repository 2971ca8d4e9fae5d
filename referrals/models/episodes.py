"""The care episode: the referral (a staff doctor's prescription, or an outside
physician's transcribed from its scan; its diagnoses and target areas are in
prescription.py), the therapist's treatment plan with its areas and goals; who is
in an episode (in_care)."""

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.models import BreakGlass, Entity, Patient, User
from clinic.vocabulary import COUNTED_STATUSES, Measure, Region, Role, Side

from .catalog import Modality
from .physicians import OutsidePhysician


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"  # never stored: a signed referral past valid_until


class ReferralSource(models.TextChoices):
    DOCTOR = "doctor", "Written and signed by a staff doctor"
    # API.md: a paper prescription, transcribed by a therapist next to its scan;
    # the scanned document is the signature
    DOCUMENT = "document", "Transcribed from an outside physician's prescription"


def visits_used(plans, per: str, *, excluding=()):
    """Visits used (API.md: visits_used), the one definition: the visits booked,
    checked in or completed (COUNTED_STATUSES) under `plans`, counted per `per`
    (a plan, or a referral across its plans); cancelled and no-show visits give
    their slot back, `excluding` leaves visits out (one being moved). Read through
    the plans' `appointments` relation: this layer does not import scheduling,
    which sits above it."""
    counted = Q(appointments__status__in=COUNTED_STATUSES)
    if excluding:
        counted &= ~Q(appointments__pk__in=list(excluding))
    rows = plans.order_by().values(per).annotate(n=Count("appointments", filter=counted))
    return Coalesce(Subquery(rows.values("n")), 0)


def evaluations_used(referral, *, excluding=()):
    """The evaluation visits (booked on the referral alone, before any plan)
    that count against the referral's visits: through the referral's
    `evaluations` relation, in the same statuses as `visits_used`."""
    counted = Q(evaluations__status__in=COUNTED_STATUSES)
    if excluding:
        counted &= ~Q(evaluations__pk__in=list(excluding))
    rows = (
        Referral.objects.filter(pk=referral)
        .order_by()
        .values("pk")
        .annotate(n=Count("evaluations", filter=counted))
    )
    return Coalesce(Subquery(rows.values("n")), 0)


class ReferralQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(status=ReferralStatus.SIGNED)

    def with_visits_used(self):
        plans = TreatmentPlan.objects.filter(referral=OuterRef("pk"))
        return self.annotate(
            visits_used_count=visits_used(plans, "referral") + evaluations_used(OuterRef("pk"))
        )

    def visible_to(self, user, *, glass: bool = False):
        """The referrals `user` may read (API.md, Roles): those of the episodes
        `user` is in, and for a therapist the intake queue (each referral alone)."""
        if user.role in (Role.MANAGER, Role.FRONT_DESK):
            # The front desk gets status fields only: a separate serializer.
            return self.all()
        mine = in_care(user)
        if mine is None:
            return self.none()
        if user.role == Role.THERAPIST:
            mine |= Q(pk__in=Referral.objects.intake_queue().values("pk"))
        if glass:
            mine |= opened_by_glass(user, "patient") & ~Q(status=ReferralStatus.DRAFT)
        return self.filter(mine)

    def intake_queue(self):
        """Signed, still valid, and no plan yet: every therapist may pick it up."""
        return (
            self.signed()
            .filter(valid_until__gte=timezone.localdate())
            .exclude(Exists(TreatmentPlan.objects.filter(referral=OuterRef("pk"))))
        )


def in_care(user, to_referral: str = "") -> Q | None:
    """The rows (reached from their referral by `to_referral`) of the care episodes
    `user` is in (API.md, Roles): a referral opens an episode; its doctor is in
    it, and so are the therapists who hold its plans or give its visits. None for
    a role that reads no clinical record; the manager reads all."""
    if user.role == Role.MANAGER:
        return Q()
    if user.role == Role.DOCTOR:
        return Q(**{f"{to_referral}doctor": user})
    if user.role == Role.THERAPIST:
        treated = Referral.objects.filter(
            Q(plans__therapist=user)
            | Q(plans__appointments__therapist=user)
            # the paper prescriptions they transcribed (a draft opens only itself)
            | Q(transcribed_by=user)
        )
        return Q(**{f"{to_referral}pk__in": treated.values("pk")})
    return None


def opened_by_glass(user, to_patient: str) -> Q:
    """The rows of the patients a break-the-glass grant opens to `user` now."""
    return Q(**{f"{to_patient}__in": BreakGlass.objects.patients_opened_to(user)})


def patients_in_care(user, *, glass: bool = False):
    """The patients of `user`'s episodes (a draft referral opens none) and, for a
    therapist, of the visits they give: where a finding is seen, a FHIR export made."""
    if user.role == Role.MANAGER:
        return Patient.objects.all()
    mine = in_care(user)
    if mine is None:
        return Patient.objects.none()
    episodes = Referral.objects.filter(mine).exclude(status=ReferralStatus.DRAFT)
    chosen = Q(pk__in=episodes.values("patient"))
    if user.role == Role.THERAPIST:
        chosen |= Q(pk__in=Patient.objects.filter(appointments__therapist=user).values("pk"))
    if glass:
        chosen |= opened_by_glass(user, "pk")
    return Patient.objects.filter(chosen)


class Referral(Entity):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    # a staff doctor's referral, or an outside physician's transcribed by a therapist
    doctor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    outside_physician = models.ForeignKey(
        OutsidePhysician, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    transcribed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="transcriptions"
    )
    source = models.CharField(
        max_length=10, choices=ReferralSource.choices, default=ReferralSource.DOCTOR
    )
    signed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    renewal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals"
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    recommended_modalities = models.ManyToManyField(Modality, blank=True, related_name="+")
    precautions = models.TextField(blank=True)
    visits_prescribed = models.PositiveSmallIntegerField()
    frequency_per_week = models.PositiveSmallIntegerField()
    valid_until = models.DateField()
    signed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)  # SHA-256 at signing
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visits_prescribed__gte=1, visits_prescribed__lte=60),
                name="referral_visits_1_60",
            ),
            models.CheckConstraint(
                condition=Q(frequency_per_week__gte=1, frequency_per_week__lte=7),
                name="referral_frequency_1_7",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed", "completed", "cancelled"]),
                name="referral_status_stored",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False),
                name="referral_signed_has_time",
            ),
            # one prescriber: a staff doctor, or an outside physician with the
            # therapist who transcribed the paper
            models.CheckConstraint(
                condition=Q(
                    source="doctor",
                    doctor__isnull=False,
                    outside_physician__isnull=True,
                    transcribed_by__isnull=True,
                )
                | Q(
                    source="document",
                    doctor__isnull=True,
                    outside_physician__isnull=False,
                    transcribed_by__isnull=False,
                ),
                name="referral_one_prescriber",
            ),  # fmt: skip
        ]
        indexes = [
            # a doctor's referrals, newest first
            models.Index(fields=["doctor", "status"], name="referral_doctor_status_idx"),
        ]

    def __str__(self):
        return f"Referral for {self.patient} by {self.prescriber} ({self.status})"

    def is_written_by(self, user) -> bool:
        """Its staff doctor, or the therapist who transcribed an outside physician's."""
        return user.pk is not None and user.pk in (self.doctor_id, self.transcribed_by_id)

    @property
    def prescriber(self):
        """Who prescribed: the staff doctor, or the outside physician."""
        return self.doctor or self.outside_physician

    @property
    def effective_status(self) -> str:
        if self.status == ReferralStatus.SIGNED and self.valid_until < timezone.localdate():
            return ReferralStatus.EXPIRED
        return self.status

    @property
    def is_locked(self) -> bool:
        return self.status != ReferralStatus.DRAFT

    @property
    def visits_used(self) -> int:
        if not hasattr(self, "visits_used_count"):
            self.visits_used_count = (
                Referral.objects.with_visits_used().get(pk=self.pk).visits_used_count
            )
        return self.visits_used_count

    @property
    def visits_remaining(self) -> int:
        return max(self.visits_prescribed - self.visits_used, 0)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"


class TreatmentPlanQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=PlanStatus.APPROVED)

    def with_visits_used(self, *, excluding=()):
        """`visits_used_count` of each plan and `referral_visits_used` of its referral
        (across the referral's plans); `excluding`: see visits_used."""
        plan = TreatmentPlan.objects.filter(pk=OuterRef("pk"))
        referral = TreatmentPlan.objects.filter(referral=OuterRef("referral"))
        return self.annotate(
            visits_used_count=visits_used(plan, "pk", excluding=excluding),
            referral_visits_used=visits_used(referral, "referral", excluding=excluding)
            + evaluations_used(OuterRef("referral"), excluding=excluding),
        )

    def visible_to(self, user, *, glass: bool = False):
        """The plans of `user`'s episodes (the front desk: status fields of all)."""
        if user.role in (Role.MANAGER, Role.FRONT_DESK):
            return self.all()
        mine = in_care(user, "referral__")
        if mine is None:
            return self.none()
        if glass:
            mine |= opened_by_glass(user, "patient")
        return self.filter(mine)


class TreatmentPlan(Entity):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="plans")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    frequency_per_week = models.PositiveSmallIntegerField()
    planned_visits = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    doctor_comment = models.TextField(blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    # A plan of care: the doctor's approval certifies it until this day (inclusive);
    # null means not limited (plans approved before certification existed).
    certified_until = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TreatmentPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_visits__gte=1, planned_visits__lte=60),
                name="plan_visits_1_60",
            ),
            models.CheckConstraint(
                condition=Q(frequency_per_week__gte=1, frequency_per_week__lte=7),
                name="plan_frequency_1_7",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_known"
            ),
        ]
        indexes = [
            # a therapist's plans by status (the tablet's plan list)
            models.Index(fields=["therapist", "status"], name="plan_therapist_status_idx"),
        ]

    def __str__(self):
        return f"Plan for {self.patient} by {self.therapist} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def visits_used(self) -> int:
        if not hasattr(self, "visits_used_count"):
            self.visits_used_count = (
                TreatmentPlan.objects.with_visits_used().get(pk=self.pk).visits_used_count
            )
        return self.visits_used_count


class PlanArea(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="areas")
    region = models.CharField(max_length=20, choices=Region.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    modalities = models.ManyToManyField(Modality, blank=True, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self):
        return f"{self.get_region_display()} ({self.side})"


class PlanGoal(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(max_length=300)
    measure = models.CharField(max_length=10, choices=Measure.choices)
    baseline = models.DecimalField(max_digits=6, decimal_places=2)
    target = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self):
        return f"{self.description}: {self.measure} {self.baseline} -> {self.target}"
