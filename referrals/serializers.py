"""The API's shapes of referrals and treatment plans.

The front desk gets a referral or a plan through the `*StatusSerializer`s,
which hold the status fields and nothing else (API.md, Roles): a separate
class, so no clinical field can leak through a forgotten filter."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.models import Patient
from clinic.serializers import ScopedRelatedField
from clinic.vocabulary import Measure, Region, Side

from .contraindications import describe, rule_of
from .models import (
    Precaution,
    PrecautionKind,
    Referral,
    ReferralSource,
    ReferralStatus,
    TreatmentPlan,
    patients_in_care,
)

RULE = serializers.ChoiceField(choices=["stop", "avoid", "modify"])

# --- referrals ---------------------------------------------------------------------


class ReferralStatusSerializer(serializers.ModelSerializer):
    """The whole of what the front desk receives for a referral."""

    status = serializers.ChoiceField(
        choices=ReferralStatus.choices, source="effective_status", read_only=True
    )
    visits_used = serializers.IntegerField(read_only=True)
    visits_remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "patient",
            "doctor",
            "status",
            "signed_at",
            "visits_prescribed",
            "visits_used",
            "visits_remaining",
            "frequency_per_week",
            "valid_until",
        ]
        read_only_fields = fields
        schema_closed = True  # nothing else: keeps it apart from the full referral


class DiagnosisSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)
    description = serializers.CharField(read_only=True)


class AreaSerializer(serializers.Serializer):
    region = serializers.ChoiceField(choices=Region.choices)
    side = serializers.ChoiceField(choices=Side.choices)


class CodesField(serializers.ListField):
    """Modality codes of a many-to-many relation (read) or a list (write)."""

    child = serializers.CharField(max_length=40)

    def to_representation(self, data):
        return [modality.code for modality in data.all()]


class PrecautionFlagSerializer(serializers.Serializer):
    """A contraindication flag as the doctor writes it on a draft referral; the
    rules (an avoided area needs its site) are referrals.contraindications'."""

    kind = serializers.ChoiceField(choices=PrecautionKind.choices)
    region = serializers.ChoiceField(
        choices=Region.choices, required=False, allow_blank=True, help_text="The site, if any."
    )
    side = serializers.ChoiceField(choices=Side.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PrecautionFlagReadSerializer(serializers.ModelSerializer):
    # blank when the flag has no site: the schema must allow ""
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, read_only=True)
    side = serializers.ChoiceField(choices=Side.choices, allow_blank=True, read_only=True)
    rule = serializers.SerializerMethodField(help_text="stop, avoid or modify.")

    class Meta:
        model = Precaution
        fields = ["id", "kind", "region", "side", "note", "rule", "cleared_at"]
        read_only_fields = fields

    @extend_schema_field(RULE)
    def get_rule(self, precaution) -> str:
        return rule_of(precaution)


class ReferralSerializer(ReferralStatusSerializer):
    """A referral as its doctor, the therapists of its patient and the manager read it."""

    diagnoses = DiagnosisSerializer(many=True, read_only=True)
    target_areas = AreaSerializer(many=True, read_only=True)
    recommended_modalities = CodesField(read_only=True)
    precautions = serializers.CharField(read_only=True)
    renewal_of = serializers.UUIDField(source="renewal_of_id", read_only=True, allow_null=True)
    precaution_flags = PrecautionFlagReadSerializer(many=True, read_only=True)
    source = serializers.ChoiceField(choices=ReferralSource.choices, read_only=True)
    outside_physician = serializers.UUIDField(
        source="outside_physician_id", read_only=True, allow_null=True
    )
    transcribed_by = serializers.UUIDField(
        source="transcribed_by_id", read_only=True, allow_null=True
    )
    signed_by = serializers.UUIDField(source="signed_by_id", read_only=True, allow_null=True)

    class Meta(ReferralStatusSerializer.Meta):
        fields = [
            *ReferralStatusSerializer.Meta.fields,
            "diagnoses",
            "target_areas",
            "recommended_modalities",
            "precautions",
            "renewal_of",
            "precaution_flags",
            # a staff doctor's, or an outside physician's transcribed from its scan
            "source",
            "outside_physician",
            "transcribed_by",
            "signed_by",
        ]
        schema_closed = False


class ReferralWriteSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    diagnoses = DiagnosisSerializer(many=True, help_text="Billable ICD-10-CM codes, at least one.")
    target_areas = AreaSerializer(many=True)
    recommended_modalities = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False
    )
    precautions = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    visits_prescribed = serializers.IntegerField(help_text="1 to 60.")
    frequency_per_week = serializers.IntegerField(help_text="1 to 7.")
    valid_until = serializers.DateField(help_text="A date after today.")
    renewal_of = ScopedRelatedField(Referral, required=False, allow_null=True)
    precaution_flags = PrecautionFlagSerializer(
        many=True,
        required=False,
        help_text="Contraindication flags; each gates the sessions once the referral is signed.",
    )


class ReferralUpdateSerializer(ReferralWriteSerializer):
    patient = None  # a referral stays with its patient
    renewal_of = None


# --- treatment plans -----------------------------------------------------------------


class TreatmentPlanStatusSerializer(serializers.ModelSerializer):
    """The whole of what the front desk receives for a plan."""

    class Meta:
        model = TreatmentPlan
        fields = [
            "id",
            "referral",
            "patient",
            "therapist",
            "status",
            "frequency_per_week",
            "planned_visits",
            "start_date",
        ]
        read_only_fields = fields
        schema_closed = True  # nothing else: keeps it apart from the full plan


class PlanAreaSerializer(AreaSerializer):
    modalities = CodesField(required=False)
    notes = serializers.CharField(allow_blank=True, required=False, max_length=2000)


class GoalSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    measure = serializers.ChoiceField(choices=Measure.choices)
    baseline = serializers.DecimalField(max_digits=6, decimal_places=2)
    target = serializers.DecimalField(max_digits=6, decimal_places=2)


class TreatmentPlanSerializer(TreatmentPlanStatusSerializer):
    """A plan as its therapist, the referral's doctor and the manager read it."""

    areas = PlanAreaSerializer(many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    doctor_comment = serializers.CharField(read_only=True)
    visits_used = serializers.IntegerField(read_only=True)
    certified_until = serializers.DateField(
        read_only=True, allow_null=True, help_text="The last day the doctor's approval covers."
    )

    class Meta(TreatmentPlanStatusSerializer.Meta):
        fields = [
            *TreatmentPlanStatusSerializer.Meta.fields,
            "areas",
            "goals",
            "doctor_comment",
            "visits_used",
            "certified_until",
        ]
        schema_closed = False


class TreatmentPlanWriteSerializer(serializers.Serializer):
    referral = ScopedRelatedField(Referral, help_text="A signed referral.")
    areas = PlanAreaSerializer(many=True)
    goals = GoalSerializer(many=True, required=False)
    frequency_per_week = serializers.IntegerField(help_text="1 to 7.")
    planned_visits = serializers.IntegerField(help_text="At most the referral's visits.")
    start_date = serializers.DateField()


class TreatmentPlanUpdateSerializer(TreatmentPlanWriteSerializer):
    referral = None


class ApproveSerializer(serializers.Serializer):
    certify_days = serializers.IntegerField(
        required=False, help_text="Certify the plan for this many days (default: the longest)."
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class PlanReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True)


# --- precautions: the contraindication gate's flags and findings ---------------------


class ClinicalPatientField(ScopedRelatedField):
    """A patient whose clinical record the caller may touch (not the whole
    directory the doctors share): another's is "does not exist", a 400."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return patients_in_care(request.user)


class PrecautionSerializer(serializers.ModelSerializer):
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, read_only=True)
    side = serializers.ChoiceField(choices=Side.choices, allow_blank=True, read_only=True)
    rule = serializers.SerializerMethodField(help_text="stop, avoid or modify.")
    text = serializers.SerializerMethodField(help_text="The flag and its rule, in words.")

    class Meta:
        model = Precaution
        fields = [
            "id",
            "patient",
            "referral",
            "source",
            "kind",
            "rule",
            "region",
            "side",
            "note",
            "text",
            "raised_by",
            "created_at",
            "cleared_at",
            "cleared_by",
            "clearance_note",
        ]
        read_only_fields = fields

    @extend_schema_field(RULE)
    def get_rule(self, precaution) -> str:
        return rule_of(precaution)

    def get_text(self, precaution) -> str:
        return describe(precaution)


class FindingWriteSerializer(PrecautionFlagSerializer):
    patient = ClinicalPatientField(Patient)


class ClearanceSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
