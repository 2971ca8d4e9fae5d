"""The secure link that takes a plan of care to an outside physician to sign
(API.md, Outside physicians and documents): single use, a 6-digit code sent to
the same address, the physician's typed name and drawn signature. Only hashes
of the link's token and of the code are stored."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models import Entity, User

from .episodes import TreatmentPlan
from .physicians import OutsidePhysician

__all__ = ["LinkOutcome", "PhysicianLink"]


class LinkOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    SUPERSEDED = "superseded", "Superseded by a newer link"


class PhysicianLinkQuerySet(models.QuerySet):
    def open(self):
        """Unused and unexpired: the plan waits for the physician's signature."""
        return self.filter(outcome="", expires_at__gt=timezone.now())


class PhysicianLink(Entity):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="links")
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
                condition=~Q(outcome="approved") | (~Q(typed_name="") & ~Q(signature="")),
                name="link_approval_signed",
            ),
        ]

    def __str__(self):
        return f"Signature link for {self.plan_id} to {self.email}"
