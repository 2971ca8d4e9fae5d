"""Appointments, their series, reminders, closures and therapists' availability."""

from django.db import models
from django.db.models import Q

from clinic.models import BreakGlass, Entity, Patient, ReminderChannel, User

# The words of a visit's status are the clinic's shared vocabulary: referrals counts
# a prescription's visits used by them without importing this layer.
from clinic.vocabulary import COUNTED_STATUSES, LIVE_STATUSES, AppointmentStatus, Role


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
    # the treatment room every visit of the series takes, if it names one
    room = models.ForeignKey(
        "scheduling.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="series"
    )

    class Meta:
        db_table = "clinic_appointmentseries"  # kept from the clinic app
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
            mine = Q(plan__referral__doctor=user) | Q(referral__doctor=user)
        else:
            return self.none()
        if glass:
            mine |= Q(patient__in=BreakGlass.objects.patients_opened_to(user))
        return self.filter(mine)


class AppointmentKind(models.TextChoices):
    """API.md, Scheduling (v1 additions): an evaluation needs only a signed referral."""

    EVALUATION = "evaluation", "Evaluation"
    TREATMENT = "treatment", "Treatment"


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
    # an evaluation visit's referral (API.md: booked on a signed referral, before any plan)
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
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
    kind = models.CharField(
        max_length=20, choices=AppointmentKind.choices, default=AppointmentKind.TREATMENT
    )
    # the treatment room, if the visit names one: none holds two live visits at once
    room = models.ForeignKey(
        "scheduling.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
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
        db_table = "clinic_appointment"  # kept from the clinic app
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AppointmentKind.values), name="appointment_kind_known"
            ),
            # an evaluation is booked on its referral, never under a plan
            models.CheckConstraint(
                condition=~Q(kind=AppointmentKind.EVALUATION)
                | Q(referral__isnull=False, plan__isnull=True),
                name="appointment_evaluation_on_referral",
            ),
            # The overlap exclusion constraints (PostgreSQL only, btree_gist) live in
            # migrations: therapist and patient in clinic 0003_appointment_no_overlap,
            # the room in scheduling's room_and_location.
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
        db_table = "clinic_closure"  # kept from the clinic app
        ordering = ["date"]

    def __str__(self):
        return f"{self.date}: {self.reason}"


class WorkingHours(Entity):
    """A therapist's weekly hours at a location (none: at any of them); no hours
    at all means bookable whenever the clinic is open."""

    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(
        "scheduling.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_hours",
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        db_table = "clinic_workinghours"  # kept from the clinic app
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
        where = f" at {self.location}" if self.location_id else ""
        return f"{self.therapist} weekday {self.weekday} {self.start_time}-{self.end_time}{where}"


class TimeOff(Entity):
    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "clinic_timeoff"  # kept from the clinic app
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
    # The provider's id of the sent message and what it last said about it
    # (Twilio's status callback: delivered, undelivered, failed ...).
    provider_id = models.CharField(max_length=100, blank=True)
    delivery_status = models.CharField(max_length=20, blank=True)

    class Meta:
        db_table = "clinic_reminder"  # kept from the clinic app
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
            # the delivery-status callback: WHERE provider_id = <MessageSid>
            models.Index(
                fields=["provider_id"], name="reminder_provider_idx", condition=~Q(provider_id="")
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.channel} reminder for {self.appointment}"
