"""The API's shapes of referrals and treatment plans.

The front desk gets a referral or a plan through the `*StatusSerializer`s,
which hold the status fields and nothing else (API.md, Roles): a separate
class, so no clinical field can leak through a forgotten filter."""

from rest_framework import serializers

from clinic.models import Patient
from clinic.serializers import ScopedRelatedField
from clinic.vocabulary import Measure, Region, Side

from .models import Referral, TreatmentPlan

# --- referrals ---------------------------------------------------------------------


class ReferralStatusSerializer(serializers.ModelSerializer):
    """The whole of what the front desk receives for a referral."""

    status = serializers.CharField(source="effective_status", read_only=True)
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


class ReferralSerializer(ReferralStatusSerializer):
    """A referral as its doctor, the therapists of its patient and the manager read it.

    The clinical fields are optional in the schema only because one response
    component describes both this and the status serializer."""

    diagnoses = DiagnosisSerializer(many=True, required=False)
    target_areas = AreaSerializer(many=True, required=False)
    recommended_modalities = CodesField(required=False)
    precautions = serializers.CharField(required=False)
    renewal_of = serializers.UUIDField(source="renewal_of_id", required=False, allow_null=True)

    class Meta(ReferralStatusSerializer.Meta):
        fields = [
            *ReferralStatusSerializer.Meta.fields,
            "diagnoses",
            "target_areas",
            "recommended_modalities",
            "precautions",
            "renewal_of",
        ]
        schema_optional_fields = [
            "diagnoses",
            "target_areas",
            "recommended_modalities",
            "precautions",
            "renewal_of",
        ]


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


class PlanAreaSerializer(AreaSerializer):
    modalities = CodesField(required=False)
    notes = serializers.CharField(allow_blank=True, required=False, max_length=2000)


class GoalSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    measure = serializers.ChoiceField(choices=Measure.choices)
    baseline = serializers.DecimalField(max_digits=6, decimal_places=2)
    target = serializers.DecimalField(max_digits=6, decimal_places=2)


class TreatmentPlanSerializer(TreatmentPlanStatusSerializer):
    areas = PlanAreaSerializer(many=True, required=False)
    goals = GoalSerializer(many=True, required=False)
    doctor_comment = serializers.CharField(required=False)
    visits_used = serializers.IntegerField(required=False)

    class Meta(TreatmentPlanStatusSerializer.Meta):
        fields = [
            *TreatmentPlanStatusSerializer.Meta.fields,
            "areas",
            "goals",
            "doctor_comment",
            "visits_used",
        ]
        schema_optional_fields = ["areas", "goals", "doctor_comment", "visits_used"]


class TreatmentPlanWriteSerializer(serializers.Serializer):
    referral = ScopedRelatedField(Referral, help_text="A signed referral.")
    areas = PlanAreaSerializer(many=True)
    goals = GoalSerializer(many=True, required=False)
    frequency_per_week = serializers.IntegerField(help_text="1 to 7.")
    planned_visits = serializers.IntegerField(help_text="At most the referral's visits.")
    start_date = serializers.DateField()


class TreatmentPlanUpdateSerializer(TreatmentPlanWriteSerializer):
    referral = None


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class PlanReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True)
