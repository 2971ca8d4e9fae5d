"""The clinic core: staff and roles, patients, scheduling, reminders, audit."""

import secrets
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .validators import single_line
from .vocabulary import Role


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
        if user.role in (Role.FRONT_DESK, Role.MANAGER, Role.DOCTOR):
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
    is_active = models.BooleanField(default=True)  # no hard delete: records are retained
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
# Visits that use up a prescription (API.md: visits_used).
COUNTED_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


class AppointmentSeries(Entity):
    """A recurrence (RFC 5545 RRULE in the clinic's zone) that materialised appointments."""

    plan = models.ForeignKey(
        "referrals.TreatmentPlan", on_delete=models.PROTECT, related_name="series"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="series")
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="series")
    rrule = models.CharField(max_length=500)
    first_start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cancelled_from = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "appointment series"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="series_duration_sane",
            ),
        ]

    def __str__(self):
        return f"{self.patient} with {self.therapist}: {self.rrule}"


class AppointmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def counted(self):
        return self.filter(status__in=COUNTED_STATUSES)

    def overlapping(self, start, end):
        # half-open intervals: [10:00, 10:45) does not touch [10:45, 11:30)
        return self.filter(start__lt=end, end__gt=start)

    def visible_to(self, user, *, glass: bool = False):
        """The front desk and the manager all; a therapist the visits they give; a
        doctor the visits of the episodes she referred (API.md, Roles)."""
        if user.role in (Role.FRONT_DESK, Role.MANAGER):
            return self.all()
        if user.role == Role.THERAPIST:
            mine = Q(therapist=user)
        elif user.role == Role.DOCTOR:
            mine = Q(plan__referral__doctor=user)
        else:
            return self.none()
        if glass:
            mine |= Q(patient__in=BreakGlass.objects.patients_opened_to(user))
        return self.filter(mine)


class Appointment(Entity):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="appointments")
    plan = models.ForeignKey(
        "referrals.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # set when the patient confirms through the link in a reminder
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_known"
            ),
            # The overlap exclusion constraints live in migration
            # 0002_appointment_no_overlap (PostgreSQL only, btree_gist).
        ]
        indexes = [
            # a therapist's day and week: WHERE therapist_id = ? AND start BETWEEN ...
            models.Index(fields=["therapist", "start"], name="appt_therapist_start_idx"),
            # a patient's visits and the patient's clash check
            models.Index(fields=["patient", "start"], name="appt_patient_start_idx"),
            # the front desk's clinic-wide week: WHERE start >= ? AND start < ? ORDER BY start, id
            # (measured by make bench: a 60,000-visit scan of 17 ms becomes 0.03 ms)
            models.Index(fields=["start", "id"], name="appt_start_idx"),
            # visits used under a plan: WHERE plan_id = ? AND status IN (...)
            models.Index(fields=["plan", "status"], name="appt_plan_status_idx"),
        ]

    def __str__(self):
        return f"{self.patient} with {self.therapist} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES


class Closure(Entity):
    """A day the clinic is closed (holiday); series skip it."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date}: {self.reason}"


class WorkingHours(Entity):
    """A therapist's weekly hours; none at all means bookable at any time."""

    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["therapist", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_hours_weekday"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="working_hours_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.therapist} weekday {self.weekday} {self.start_time}-{self.end_time}"


class TimeOff(Entity):
    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="time_off_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.therapist} off {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Reminder(Entity):
    """The outbox: one row per appointment, offset (kind) and channel."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, help_text="The offset before the visit, e.g. 24h.")
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel"], name="reminder_one_per_kind_channel"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_known"
            ),
        ]
        indexes = [
            # the beat scan: WHERE status = 'pending' AND due_at <= now ORDER BY due_at
            models.Index(fields=["status", "due_at"], name="reminder_due_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.channel} reminder for {self.appointment}"


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


class IdempotencyKey(models.Model):
    """A POST's `Idempotency-Key` and the first response to it, kept a day, so a
    tablet retrying on bad Wi-Fi gets that response again instead of a duplicate.
    The row is inserted before the work runs, so concurrent retries wait on it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path, body
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
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
