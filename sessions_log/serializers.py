"""The API's shapes of session notes, addenda, outcome measurements and progress."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.serializers import ScopedRelatedField
from clinic.vocabulary import Measure, Region, Side
from referrals.models import TreatmentPlan
from referrals.serializers import AreaSerializer, CodesField
from scheduling.models import Appointment

from .models import (
    Addendum,
    Decision,
    OutcomeMeasurement,
    ProgressReport,
    Recommendation,
    Response,
    SessionNote,
)
from .progress import Flag

FINDINGS_SCHEMA = {
    "type": "object",
    "description": "Structured findings (sessions_log.findings): pain per region (0-10), "
    "muscle tests (grade 0-5), trigger points (active|latent), modality parameters "
    "(pressure light|medium|firm, tender_point, hold_seconds, technique). "
    "Firm pressure under a modify precaution is refused.",
    "properties": {
        "pain": {"type": "array", "items": {"type": "object"}},
        "muscle_tests": {"type": "array", "items": {"type": "object"}},
        "trigger_points": {"type": "array", "items": {"type": "object"}},
        "modalities": {"type": "array", "items": {"type": "object"}},
    },
}


@extend_schema_field(FINDINGS_SCHEMA)
class FindingsField(serializers.DictField):
    """Structure only (an object); sessions_log.findings checks the items."""


class NoteAreaSerializer(AreaSerializer):
    modalities = CodesField(required=False)
    minutes = serializers.IntegerField(help_text="1 to 240.")


class AddendumSerializer(serializers.ModelSerializer):
    class Meta:
        model = Addendum
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"text": {"max_length": 10000}}


class SessionNoteSerializer(serializers.ModelSerializer):
    areas = NoteAreaSerializer(many=True, read_only=True)
    addenda = AddendumSerializer(many=True, read_only=True)
    findings = FindingsField(read_only=True)

    class Meta:
        model = SessionNote
        fields = [
            "id",
            "appointment",
            "therapist",
            "patient",
            "plan",
            "pain_before",
            "pain_after",
            "areas",
            "subjective",
            "objective",
            "assessment",
            "plan_text",
            "response",
            "adverse_reaction",
            "findings",
            "signed_at",
            "addenda",
            "created_at",
        ]
        read_only_fields = fields


class SessionNoteWriteSerializer(serializers.Serializer):
    appointment = ScopedRelatedField(Appointment, help_text="Your own visit that has started.")
    pain_before = serializers.IntegerField(help_text="NPRS 0 to 10.")
    pain_after = serializers.IntegerField(help_text="NPRS 0 to 10.")
    areas = NoteAreaSerializer(many=True, required=False)
    subjective = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    objective = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    assessment = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    plan_text = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    response = serializers.ChoiceField(choices=Response.choices)
    adverse_reaction = serializers.CharField(allow_blank=True, required=False, max_length=10000)
    findings = FindingsField(required=False)


class SessionNoteUpdateSerializer(SessionNoteWriteSerializer):
    appointment = None  # a note stays with its visit


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeMeasurement
        fields = ["id", "plan", "measure", "score", "taken_at", "items", "recorded_by", "source"]
        read_only_fields = fields


class MeasurementWriteSerializer(serializers.Serializer):
    plan = ScopedRelatedField(TreatmentPlan)
    measure = serializers.ChoiceField(choices=Measure.choices)
    score = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    taken_at = serializers.DateTimeField()
    items = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text='The instrument\'s answers (e.g. NDI: ten {"score": 0-5}); '
        "the score is computed from them.",
    )


FLAGS = [code for name, code in vars(Flag).items() if name.isupper()]


class ProgressSessionSerializer(serializers.Serializer):
    date = serializers.DateField()
    pain_before = serializers.IntegerField()
    pain_after = serializers.IntegerField()
    response = serializers.ChoiceField(choices=Response.choices)


class ScorePointSerializer(serializers.Serializer):
    taken_at = serializers.DateTimeField()
    score = serializers.FloatField()


class TrendSerializer(serializers.Serializer):
    points = ScorePointSerializer(many=True, help_text="Oldest first.")
    change = serializers.FloatField(allow_null=True, help_text="Latest minus first; null alone.")
    important = serializers.BooleanField(help_text="A change the measure counts as meaningful.")


class GoalProgressSerializer(serializers.Serializer):
    description = serializers.CharField()
    measure = serializers.ChoiceField(choices=Measure.choices)
    baseline = serializers.FloatField()
    target = serializers.FloatField()
    latest = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField()


class AdverseReactionSerializer(serializers.Serializer):
    date = serializers.DateField()
    text = serializers.CharField()


class RegionPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.IntegerField()


class RegionTrendSerializer(serializers.Serializer):
    region = serializers.ChoiceField(choices=Region.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    label = serializers.CharField()
    points = RegionPointSerializer(many=True)
    first = serializers.IntegerField()
    latest = serializers.IntegerField()
    change = serializers.IntegerField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    """What sessions_log.progress.plan_progress answers (it renders itself)."""

    visits_planned = serializers.IntegerField()
    visits_completed = serializers.IntegerField()
    visits_remaining = serializers.IntegerField()
    sessions = ProgressSessionSerializer(many=True, help_text="Oldest first.")
    pain_change = serializers.IntegerField(
        allow_null=True, help_text="The latest pain before minus the first; null before two."
    )
    flags = serializers.ListField(child=serializers.ChoiceField(choices=FLAGS))
    measurements = serializers.DictField(
        child=TrendSerializer(), help_text="Per measure (nprs, ndi, ...), its trend."
    )
    goals = GoalProgressSerializer(many=True)
    adverse_reactions = AdverseReactionSerializer(many=True)
    regions = RegionTrendSerializer(many=True, help_text="Pain per region from the findings.")
    referral_valid_until = serializers.DateField()
    certified_until = serializers.DateField(allow_null=True)


# --- progress reports ------------------------------------------------------------------


class ProgressReportSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="plan.patient_id", read_only=True)
    # blank until the doctor answers: the schema must allow ""
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "plan",
            "patient",
            "author",
            "status",
            "visits_covered",
            "summary",
            "recommendation",
            "recommendation_note",
            "signed_at",
            "sent_at",
            "acknowledged_at",
            "acknowledged_by",
            "decision",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class ProgressReportDetailSerializer(ProgressReportSerializer):
    snapshot = serializers.JSONField(
        read_only=True, help_text="The progress as it was reported; never changes after signing."
    )

    class Meta(ProgressReportSerializer.Meta):
        fields = [*ProgressReportSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class ProgressReportWriteSerializer(serializers.Serializer):
    plan = ScopedRelatedField(TreatmentPlan, help_text="Your approved plan.")
    summary = serializers.CharField(max_length=10000)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    recommendation_note = serializers.CharField(allow_blank=True, required=False, max_length=5000)


class ProgressReportUpdateSerializer(ProgressReportWriteSerializer):
    plan = None  # a report stays with its plan


class AcknowledgeSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(
        allow_blank=True, required=False, max_length=5000, help_text="What should change."
    )
    certify_days = serializers.IntegerField(
        required=False, allow_null=True, help_text="Continue: recertify for this many days."
    )
    discharge_summary = serializers.CharField(
        allow_blank=True, required=False, max_length=10000, help_text="End: required."
    )
