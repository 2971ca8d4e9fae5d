"""The patient's way in: a sign-in link (single-use, time-limited, the date of
birth as the second factor) opens a patient session, which reaches only the
portal (its API and the patient pages). Only SHA-256 digests of the secrets are
stored: a copy of the database opens no session."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User


class SignInLinkQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(used_at__isnull=True, locked_at__isnull=True, expires_at__gt=now)


class SignInLink(Entity):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sign_in_links")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the link's token
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    # who sent it (the front desk) and how; null for a link in a reminder or the demo
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, blank=True)

    objects = SignInLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # the front desk's page: a patient's latest links
            models.Index(fields=["patient", "created_at"], name="sign_in_link_patient_idx"),
        ]

    def __str__(self):
        return f"sign-in link for {self.patient} until {self.expires_at:%Y-%m-%d %H:%M}"


class PatientSessionKind(models.TextChoices):
    API = "api", "API token"
    PAGES = "pages", "Patient pages"


class PatientSessionQuerySet(models.QuerySet):
    def alive(self, *, idle_since):
        """Not ended, and used since `idle_since` (now minus the idle limit)."""
        return self.filter(ended_at__isnull=True, last_seen_at__gt=idle_since)


class PatientSession(Entity):
    """One sign-in of a patient: an API token (its digest) or the pages' session."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="portal_sessions")
    link = models.ForeignKey(SignInLink, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=10, choices=PatientSessionKind.choices)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the token
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = PatientSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PatientSessionKind.values), name="patient_session_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.patient} since {self.created_at:%Y-%m-%d %H:%M}"


class HealthHistory(Entity):
    """The patient's health-history form as answered on one day: dated and signed
    (by the patient's session, or entered by staff for the patient). Append-only:
    a new answer is a new form; the red flags it raised are precautions."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="health_histories")
    questions_version = models.PositiveSmallIntegerField()
    answers = models.JSONField()
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(  # staff entering it for the patient; else the patient
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    red_flags = models.JSONField(default=list)  # the precaution kinds the answers raised

    class Meta:
        ordering = ["-signed_at"]
        verbose_name_plural = "health histories"
        indexes = [
            # the patient's latest form: WHERE patient_id = ? ORDER BY signed_at DESC
            models.Index(fields=["patient", "signed_at"], name="health_history_patient_idx"),
        ]

    def __str__(self):
        return f"{self.patient}'s health history of {self.signed_at:%Y-%m-%d}"
