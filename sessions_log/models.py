"""Session notes (one per completed visit), their areas and addenda, and
outcome measurements."""

from django.db import models
from django.db.models import Q

from clinic.models import Entity, Patient, User
from clinic.vocabulary import Measure, Region, Role, Side
from referrals.models import Modality, PhysicianLink, TreatmentPlan, in_care, opened_by_glass
from scheduling.models import Appointment


class Response(models.TextChoices):
    IMPROVED = "improved", "Improved"
    UNCHANGED = "unchanged", "Unchanged"
    WORSE = "worse", "Worse"


def _scoped(queryset, user, *, glass: bool, to_plan: str, own: Q | None = None):
    """The rows of `user`'s care episodes, reached through their plan (API.md, Roles)."""
    if user.role == Role.MANAGER:
        return queryset.all()
    mine = in_care(user, f"{to_plan}referral__")
    if mine is None:
        return queryset.none()
    if own is not None and user.role == Role.THERAPIST:
        mine |= own  # a visit given without a plan is still the therapist's
    if glass:
        mine |= opened_by_glass(user, f"{to_plan}patient")
    return queryset.filter(mine)


class SessionNoteQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def visible_to(self, user, *, glass: bool = False):
        """The notes of `user`'s episodes, and a therapist's own; never the front desk's."""
        return _scoped(self, user, glass=glass, to_plan="plan__", own=Q(therapist=user))


class SessionNote(Entity):
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="session_note"
    )
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="session_notes")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="session_notes")
    plan = models.ForeignKey(
        TreatmentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session_notes",
    )
    pain_before = models.PositiveSmallIntegerField()
    pain_after = models.PositiveSmallIntegerField()
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan_text = models.TextField(blank=True)
    response = models.CharField(max_length=10, choices=Response.choices)
    adverse_reaction = models.TextField(blank=True)
    # Structured findings, so progress is data (sessions_log.findings validates them):
    # pain per region, muscle test grades, trigger points, modality parameters.
    findings = models.JSONField(default=dict, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)  # SHA-256 at signing
    version = models.PositiveIntegerField(default=1)

    objects = SessionNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(pain_before__lte=10), name="note_pain_before_0_10"),
            models.CheckConstraint(condition=Q(pain_after__lte=10), name="note_pain_after_0_10"),
            models.CheckConstraint(
                condition=Q(response__in=Response.values), name="note_response_known"
            ),
        ]
        indexes = [
            # a plan's progress: notes of one plan in visit order
            models.Index(fields=["plan", "created_at"], name="note_plan_created_idx"),
            models.Index(fields=["patient", "created_at"], name="note_patient_created_idx"),
        ]

    def __str__(self):
        return f"Session note for {self.appointment}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class NoteArea(models.Model):
    """An area treated in a session: region, side, modalities used and minutes."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="areas")
    region = models.CharField(max_length=20, choices=Region.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    modalities = models.ManyToManyField(Modality, blank=True, related_name="+")
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["note", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=240), name="note_area_minutes_sane"
            ),
        ]

    def __str__(self):
        return f"{self.get_region_display()} ({self.side}), {self.minutes} min"


class Addendum(Entity):
    """A dated, attributed correction to a signed note; never edited."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self):
        return f"Addendum by {self.author} on {self.created_at:%Y-%m-%d}"


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user, *, glass: bool = False):
        return _scoped(self, user, glass=glass, to_plan="plan__")


class MeasurementSource(models.TextChoices):
    THERAPIST = "therapist", "Recorded by the therapist"
    PATIENT = "patient", "Answered by the patient"


class OutcomeMeasurement(Entity):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="measurements")
    measure = models.CharField(max_length=10, choices=Measure.choices)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    taken_at = models.DateTimeField()
    items = models.JSONField(default=dict, blank=True)  # the instrument's answers, when scored
    # the therapist who recorded it; empty when the patient answered (source "patient")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(
        max_length=10, choices=MeasurementSource.choices, default=MeasurementSource.THERAPIST
    )

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["taken_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(measure="nprs", score__gte=0, score__lte=10)
                    | Q(measure="ndi", score__gte=0, score__lte=50)
                    | Q(measure="odi", score__gte=0, score__lte=100)
                    | Q(measure="psfs", score__gte=0, score__lte=10)
                    | Q(measure="rom", score__gte=0, score__lte=360)
                ),
                name="measurement_score_in_range",
            ),
        ]
        indexes = [
            # a plan's outcome trend, oldest first
            models.Index(fields=["plan", "measure", "taken_at"], name="measure_plan_trend_idx"),
        ]

    def __str__(self):
        return f"{self.measure} {self.score} at {self.taken_at:%Y-%m-%d}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    SENT = "sent", "Sent to the doctor"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class Recommendation(models.TextChoices):
    CONTINUE = "continue", "Continue"
    CHANGE = "change", "Change the plan"
    DISCHARGE = "discharge", "Discharge"


class Decision(models.TextChoices):
    CONTINUE = "continue", "Continue (recertify)"
    CHANGE = "change", "Change the plan"
    END = "end", "End therapy"


class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user, *, glass: bool = False):
        return _scoped(self, user, glass=glass, to_plan="plan__")


class ProgressReport(Entity):
    """The therapist's episode summary to the doctor, written when due (every 10
    visits and at the plan's last), signed, sent, and answered by the doctor."""

    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, related_name="progress_reports"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="progress_reports")
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    visits_covered = models.PositiveSmallIntegerField()  # completed visits when written
    summary = models.TextField(blank=True)
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    recommendation_note = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, blank=True)  # the progress as it was reported
    signed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.TextField(blank=True)
    # sent to an outside physician: the secure link they acknowledge it by (its typed
    # name, drawn signature and time are the acknowledgement; they answer no decision)
    physician_link = models.OneToOneField(
        PhysicianLink, on_delete=models.PROTECT, null=True, blank=True, related_name="report"
    )
    version = models.PositiveIntegerField(default=1)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False),
                name="report_signed_has_time",
            ),
            models.CheckConstraint(
                # a staff doctor answers with a decision; an outside physician
                # acknowledges by the link (sessions_log.reports)
                condition=~Q(status="acknowledged")
                | ~Q(decision="")
                | Q(physician_link__isnull=False),
                name="report_acknowledged_has_decision",
            ),
        ]
        indexes = [
            # the progress_report_due flag: a plan's reports by visits covered
            models.Index(fields=["plan", "visits_covered"], name="report_plan_visits_idx"),
        ]

    def __str__(self):
        return f"Progress report on {self.plan} after {self.visits_covered} visits"


# --- the home programme (issue 14): the clinic's stretches, assigned per plan ----------------


class Exercise(Entity):
    """A stretch of the clinic's library (seeded from sessions_log.exercise_library;
    the manager edits it): instructions and a picture (static/exercises/<code>.svg)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=20, choices=Region.choices)
    instructions = models.TextField()
    hold_seconds = models.PositiveSmallIntegerField(default=30)
    repetitions = models.PositiveSmallIntegerField(default=3)
    times_per_day = models.PositiveSmallIntegerField(default=2)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region", "name"]

    def __str__(self):
        return self.name


class HomeExercise(Entity):
    """One stretch of a plan's home programme, with its dose. Setting the programme
    again ends the old rows (ended_at) rather than deleting them: adherence keeps
    its history."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="home_programme")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    hold_seconds = models.PositiveSmallIntegerField()
    repetitions = models.PositiveSmallIntegerField()
    times_per_day = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)  # the therapist's order
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold_seconds__lte=600, repetitions__lte=100, times_per_day__lte=10)
                & Q(repetitions__gte=1, times_per_day__gte=1),
                name="home_exercise_dose_sane",
            ),
        ]
        indexes = [
            # a patient's programme: WHERE plan_id IN (...) AND ended_at IS NULL
            models.Index(fields=["plan", "ended_at"], name="home_exercise_plan_idx"),
        ]

    def __str__(self):
        return f"{self.exercise} for {self.plan}"


class ExerciseDone(Entity):
    """The patient's "done" tap: one completion of a home exercise."""

    home_exercise = models.ForeignKey(HomeExercise, on_delete=models.PROTECT, related_name="done")
    done_at = models.DateTimeField()

    class Meta:
        ordering = ["done_at"]
        indexes = [
            # adherence over the last week: WHERE home_exercise_id IN (...) AND done_at >= ?
            models.Index(fields=["home_exercise", "done_at"], name="exercise_done_idx"),
        ]
