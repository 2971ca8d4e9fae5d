"""The secure link that takes a plan of care to an outside physician to sign,
or a progress report to acknowledge (API.md, Outside physicians and documents):
single use, a 6-digit code sent to the same address, the physician's typed name
and drawn signature. Only hashes of the link's token and of the code are stored.
A progress report's link names its report from the report's side
(sessions_log.ProgressReport.physician_link): the reports sit above referrals."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models import Entity, User

from .episodes import TreatmentPlan
from .physicians import OutsidePhysician

__all__ = ["LinkOutcome", "LinkPurpose", "PhysicianLink"]


class LinkPurpose(models.TextChoices):
    PLAN_OF_CARE = "plan_of_care", "Plan of care to sign"
    PROGRESS_REPORT = "progress_report", "Progress report to acknowledge"


class LinkOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"  # a progress report's
    SUPERSEDED = "superseded", "Superseded by a newer link"


class PhysicianLinkQuerySet(models.QuerySet):
    def open(self):
        """Unused and unexpired: the plan waits for the physician's signature."""
        return self.filter(outcome="", expires_at__gt=timezone.now())


class PhysicianLink(Entity):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="links")
    purpose = models.CharField(
        max_length=20, choices=LinkPurpose.choices, default=LinkPurpose.PLAN_OF_CARE
    )
    physician = models.ForeignKey(OutsidePhysician, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()  # where the link and the code went
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)  # at 3 and at 7 days
    outcome = models.CharField(max_length=20, choices=LinkOutcome.choices, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    typed_name = models.CharField(max_length=200, blank=True)
    signature = models.TextField(blank=True)  # the drawn signature, a PNG data URL
    comment = models.TextField(blank=True)

    objects = PhysicianLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # the reminders' daily scan of open links
            models.Index(fields=["outcome", "expires_at"], name="link_open_idx"),
        ]
        constraints = [
            # single use: an answered link carries when, and an approval its signature
            models.CheckConstraint(
                condition=Q(outcome="") | Q(used_at__isnull=False), name="link_used_when_answered"
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["approved", "acknowledged"])
                | (~Q(typed_name="") & ~Q(signature="")),
                name="link_approval_signed",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="approved") | Q(purpose="plan_of_care"),
                name="link_approval_of_a_plan",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="acknowledged") | Q(purpose="progress_report"),
                name="link_acknowledgement_of_a_report",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.plan_id}) to {self.email}"
