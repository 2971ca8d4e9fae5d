"""The clinic core: staff and roles, patients, scheduling, reminders, audit."""

import secrets
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .npi import validate_npi
from .validators import single_line
from .vocabulary import Role, Sex


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Entity(models.Model):
    """Opaque public ids (API.md: clients must not assume integers) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class StaffManager(UserManager):
    def with_role(self, role: str):
        return self.get_queryset().filter(role=role, is_active=True)


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.FRONT_DESK)
    # AbstractUser's fields, single-line: staff names go into the doctors' emails
    first_name = models.CharField(
        "first name", max_length=150, blank=True, validators=[single_line]
    )
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[single_line])
    email = models.EmailField("email address", blank=True, validators=[single_line])
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    # --- billing helper: the rendering provider on a claim (clinic/npi.py checks it)
    npi = models.CharField("NPI", max_length=10, blank=True, validators=[validate_npi])
    taxonomy_code = models.CharField(max_length=10, blank=True, help_text="e.g. 225700000X")

    objects = StaffManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_known"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Django itself acts on a new password here (`password_changed`), so every
        # path that changes one (the admin, createstaff, a reset) passes this point:
        # the old password's API tokens must not outlive it, nor a deactivated user's.
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            from .tokens import revoke_all_tokens  # tokens -> audit -> models

            reason = "password change" if password_changed else "deactivation"
            revoke_all_tokens(user=self, by=None, reason=reason)

    is_doctor = property(lambda self: self.role == Role.DOCTOR)
    is_therapist = property(lambda self: self.role == Role.THERAPIST)
    is_front_desk = property(lambda self: self.role == Role.FRONT_DESK)
    is_manager = property(lambda self: self.role == Role.MANAGER)
    is_biller = property(lambda self: self.role == Role.BILLING)


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    NONE = "none", "No reminders"


class PatientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user, *, glass: bool = False):
        """Patients whose demographics `user` may read (API.md, Roles): doctors and
        the front desk share the directory; a therapist sees the patients of the
        plans they hold and the visits they give, not those of the intake queue."""
        # the biller reads the directory too (demographics only, API.md, Billing)
        if user.role in (Role.FRONT_DESK, Role.MANAGER, Role.DOCTOR, Role.BILLING):
            return self.all()
        if user.role == Role.THERAPIST:
            # `plans` is the treatment plans' relation to their patient
            own = self.filter(Q(appointments__therapist=user) | Q(plans__therapist=user))
            mine = Q(pk__in=own.values("pk"))
            if glass:
                mine |= Q(pk__in=BreakGlass.objects.patients_opened_to(user))
            return self.filter(mine)
        return self.none()


class Patient(Entity):
    first_name = models.CharField(max_length=100, validators=[single_line])
    last_name = models.CharField(max_length=100, validators=[single_line])
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=32, blank=True, validators=[single_line])
    email = models.EmailField(blank=True, validators=[single_line])
    reminder_channel = models.CharField(
        max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    reminder_consent = models.BooleanField(
        default=True, help_text="The patient agreed to receive appointment reminders."
    )
    # Set by the email provider's bounce or complaint (messaging/), cleared by a new
    # address: reminders stop using an address that does not work.
    email_bounced_at = models.DateTimeField(null=True, blank=True)
    email_bounce_reason = models.CharField(max_length=200, blank=True)
    # Off when the patient texts STOP, on again with START (carriers require both).
    text_consent = models.BooleanField(
        default=True, help_text="The patient has not opted out of text messages (STOP)."
    )
    is_active = models.BooleanField(default=True)  # no hard delete: records are retained
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # --- billing helper: a claim's patient and subscriber need an address and a sex
    address_line = models.CharField(max_length=200, blank=True, validators=[single_line])
    city = models.CharField(max_length=100, blank=True, validators=[single_line])
    state = models.CharField(max_length=2, blank=True, help_text="Two letters, e.g. NY.")
    postal_code = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    version = models.PositiveIntegerField(default=1)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # the directory search: ?search= on names, sorted by name
            models.Index(fields=["last_name", "first_name"], name="patient_name_idx"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class AuditEvent(models.Model):
    """Who read or changed which clinical record, when, from where. Append-only:
    the app never updates or deletes a row; on PostgreSQL a trigger refuses it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            # the manager's search by patient or by actor, newest first
            models.Index(fields=["patient", "at"], name="audit_patient_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}"


class SignedCopy(models.Model):
    """The PDF of a signed clinical record as first printed (clinic/printing.py):
    kept in the private `documents` storage, reprinted as it is, its SHA-256 here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target_type = models.CharField(max_length=40)  # "referral", "plan_of_care", ...
    target_id = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # one kept copy per signed record: a reprint reads it, never makes another
            models.UniqueConstraint(fields=["target_type", "target_id"], name="one_signed_copy")
        ]

    def __str__(self):
        return f"{self.target_type} {self.target_id} ({self.sha256[:12]})"


class IdempotencyKey(models.Model):
    """A POST's `Idempotency-Key` and the first response to it, kept a day, so a
    tablet retrying on bad Wi-Fi gets that response again instead of a duplicate.
    The row is inserted before the work runs, so concurrent retries wait on it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path, body
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    # the first response's ETag: a replay answers the version that response created
    response_etag = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]
        indexes = [
            # the daily purge: WHERE created_at < now - 1 day
            models.Index(fields=["created_at"], name="idempotency_created_idx"),
        ]

    def __str__(self):
        return f"{self.user} {self.key}"


class BreakGlassQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(expires_at__gt=timezone.now())

    def patients_opened_to(self, user):
        """The patients whose whole clinical record `user` may read right now."""
        return self.in_force().filter(actor=user).values("patient")


class BreakGlass(Entity):
    """Break-the-glass (API.md, Roles): a clinician opens a patient's whole clinical
    record, read-only, for BREAK_GLASS_MINUTES, giving a reason the manager reviews."""

    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField()
    expires_at = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "break-the-glass access"
        verbose_name_plural = "break-the-glass accesses"
        indexes = [
            # every scoped read: WHERE actor_id = ? AND expires_at > now
            models.Index(fields=["actor", "expires_at"], name="break_glass_actor_idx"),
        ]

    def __str__(self):
        return f"{self.actor} opened {self.patient} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def at(self):
        return self.created_at


# --- consent (issue 14): the clinic's documents and the patients' signatures -------------


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    PRIVACY = "privacy", "Privacy notice"


class ConsentDocumentQuerySet(models.QuerySet):
    def current(self):
        """The newest version of each kind: what a patient is asked to sign."""
        newest = self.filter(kind=models.OuterRef("kind")).order_by("-version").values("pk")[:1]
        return self.filter(pk=models.Subquery(newest)).order_by("kind")


class ConsentDocument(Entity):
    """A consent document's version. Never edited: the manager publishes a new
    version (clinic.consents.publish_consent), and a new version asks again.
    On PostgreSQL a trigger refuses UPDATE and DELETE."""

    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, validators=[single_line])
    text = models.TextField()
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ConsentDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_version_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ConsentKind.values), name="consent_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    @property
    def sha256(self) -> str:
        """What a signature covers: the title and the text, as shown."""
        import hashlib

        return hashlib.sha256(f"{self.title}\n\n{self.text}".encode()).hexdigest()


class ConsentSource(models.TextChoices):
    DRAWN = "drawn", "Signed on screen"
    PAPER = "paper", "Signed on paper (scan)"


class ConsentSignature(Entity):
    """A patient's signature of one version: the drawn image (or the paper's scan),
    the name, the time, the address, the user agent and the document's SHA-256.
    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE."""

    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    source = models.CharField(max_length=10, choices=ConsentSource.choices)
    full_name = models.CharField(max_length=200, validators=[single_line])
    image = models.BinaryField()  # the drawn PNG, or the paper's scan
    image_type = models.CharField(max_length=40)  # image/png, application/pdf, image/jpeg
    document_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(  # the front desk, for a paper consent
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "patient"], name="consent_signed_once"),
            models.CheckConstraint(
                condition=Q(source__in=ConsentSource.values), name="consent_source_known"
            ),
        ]
        indexes = [
            # the gate before every session note: WHERE patient_id = ? AND document_id = ?
            models.Index(fields=["patient", "document"], name="consent_patient_doc_idx"),
        ]

    def __str__(self):
        return f"{self.patient} signed {self.document} on {self.signed_at:%Y-%m-%d}"
