"""The API's shapes of billing (API.md, Billing). Serializers check structure;
the rules live in billing's services. Money is a decimal string ("42.00")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.vocabulary import Region, Side
from referrals.models import Modality
from sessions_log.serializers import (
    SessionNoteSerializer,
    SessionNoteUpdateSerializer,
    SessionNoteWriteSerializer,
)

from . import access
from .models import (
    Authorization,
    Charge,
    ChargeLine,
    Claim,
    Coverage,
    Payer,
    Payment,
    PaymentMethod,
    ServiceCode,
)

MONEY = {"max_digits": 10, "decimal_places": 2}


@extend_schema_field(OpenApiTypes.UUID)
class VisibleField(serializers.PrimaryKeyRelatedField):
    """A related record the caller may see through billing's door; any other id
    is "does not exist" (400 naming the field), never revealed."""

    def __init__(self, rows, **kwargs):
        self.rows = rows  # user -> queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.rows(request.user) if request else Coverage.objects.none()


# --- catalog --------------------------------------------------------------------------------


class ServiceCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCode
        fields = ["code", "description", "timed"]
        extra_kwargs = {"code": {"validators": []}}


class ModalityBillingSerializer(serializers.ModelSerializer):
    service_code = serializers.SerializerMethodField(
        help_text="The clinic's default code; null: not billed."
    )

    class Meta:
        model = Modality
        fields = ["code", "name", "description", "service_code"]

    def get_service_code(self, modality) -> str | None:
        return self.context["default_codes"].get(modality.code)


class FeeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5, source="service_code_id")
    per_unit = serializers.DecimalField(**MONEY, min_value=0)


class PayerSerializer(serializers.ModelSerializer):
    line_modifiers = serializers.ListField(
        child=serializers.RegexField(r"^[A-Z0-9]{2}$", max_length=2),
        max_length=4,
        required=False,
        help_text='Two-character modifiers on every timed line, e.g. ["GP"].',
    )
    fees = FeeSerializer(many=True, required=False)

    class Meta:
        model = Payer
        fields = [
            "id",
            "name",
            "kind",
            "payer_id",
            "unit_rule",
            "requires_authorization",
            "line_modifiers",
            "fees",
            "is_active",
        ]
        read_only_fields = ["id"]


# --- coverage -------------------------------------------------------------------------------


class CoverageSerializer(serializers.ModelSerializer):
    patient = VisibleField(access.patients_visible_to)
    payer = serializers.PrimaryKeyRelatedField(queryset=Payer.objects.filter(is_active=True))

    class Meta:
        model = Coverage
        fields = [
            "id",
            "patient",
            "payer",
            "priority",
            "member_id",
            "group_number",
            "subscriber_name",
            "relationship",
            "valid_from",
            "valid_until",
            "claim_number",
            "date_of_injury",
            "adjuster_name",
            "adjuster_phone",
        ]
        read_only_fields = ["id"]


class CoverageUpdateSerializer(CoverageSerializer):
    patient = None  # a coverage stays with its patient

    class Meta(CoverageSerializer.Meta):
        fields = [f for f in CoverageSerializer.Meta.fields if f != "patient"]


class AuthorizationSerializer(serializers.ModelSerializer):
    coverage = VisibleField(access.coverages_visible_to)
    codes = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=ServiceCode.objects.all(), required=False
    )
    visits_used = serializers.IntegerField(read_only=True)
    units_used = serializers.IntegerField(read_only=True)

    class Meta:
        model = Authorization
        fields = [
            "id",
            "coverage",
            "number",
            "codes",
            "visits",
            "units",
            "valid_from",
            "valid_until",
            "visits_used",
            "units_used",
        ]
        read_only_fields = ["id"]


class AuthorizationUpdateSerializer(AuthorizationSerializer):
    coverage = None

    class Meta(AuthorizationSerializer.Meta):
        fields = [f for f in AuthorizationSerializer.Meta.fields if f != "coverage"]


# --- charges, claims, payments -------------------------------------------------------------


class ChargeLineSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="service_code_id")
    modifiers = serializers.ListField(child=serializers.CharField())
    diagnosis_pointers = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ChargeLine
        fields = ["code", "modifiers", "minutes", "units", "diagnosis_pointers", "amount"]
        read_only_fields = fields


class ChargeDiagnosisSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()


class ChargeSerializer(serializers.ModelSerializer):
    """The front desk's shape too: amounts and service codes, no diagnosis codes."""

    lines = ChargeLineSerializer(many=True, read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Charge
        fields = [
            "id",
            "kind",
            "note",
            "appointment",
            "patient",
            "coverage",
            "payer",
            "service_date",
            "status",
            "lines",
            "total",
            "warnings",
            "void_reason",
            "voided_at",
            "created_at",
        ]
        read_only_fields = fields
        schema_optional_fields = ("diagnoses",)


class ChargeWithDiagnosesSerializer(ChargeSerializer):
    """The biller's and clinicians' shape: also the diagnoses the pointers name."""

    diagnoses = ChargeDiagnosisSerializer(many=True, read_only=True)

    class Meta(ChargeSerializer.Meta):
        fields = [*ChargeSerializer.Meta.fields, "diagnoses"]
        read_only_fields = fields


class VoidOrDenySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False)


class ClaimSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="coverage.patient_id", read_only=True)
    charges = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "number",
            "payer",
            "coverage",
            "patient",
            "status",
            "charges",
            "total",
            "submitted_at",
            "answered_at",
            "denial_reason",
            "paid_amount",
            "primary_claim",
            "created_at",
        ]
        read_only_fields = fields


class ClaimCreateSerializer(serializers.Serializer):
    charges = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=50, help_text="Open charges."
    )


class ClaimPaidSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, min_value=0)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PaymentSerializer(serializers.ModelSerializer):
    patient = VisibleField(access.patients_visible_to)
    amount = serializers.DecimalField(**MONEY)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    claim = VisibleField(access.claims_visible_to, required=False, allow_null=True)

    class Meta:
        model = Payment
        fields = ["id", "patient", "amount", "method", "reference", "claim", "received_by",
                  "created_at"]  # fmt: skip
        read_only_fields = ["id", "received_by", "created_at"]
        extra_kwargs = {"reference": {"required": False}}


class LedgerSerializer(serializers.Serializer):
    charges = ChargeSerializer(many=True)
    payments = PaymentSerializer(many=True)
    balance = serializers.DecimalField(**MONEY)


# --- the services of session notes -----------------------------------------------------------


class NoteServiceSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5, source="service_code_id")
    minutes = serializers.IntegerField(help_text="1 to 240.")
    region = serializers.ChoiceField(choices=Region.choices)
    side = serializers.ChoiceField(choices=Side.choices)


class NoteServiceWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5)
    minutes = serializers.IntegerField(help_text="1 to 240.")
    region = serializers.ChoiceField(choices=Region.choices)
    side = serializers.ChoiceField(choices=Side.choices)


class BilledNoteSerializer(SessionNoteSerializer):
    services = NoteServiceSerializer(many=True, read_only=True)

    class Meta(SessionNoteSerializer.Meta):
        fields = [*SessionNoteSerializer.Meta.fields, "services"]
        read_only_fields = fields


SERVICES_HELP = (
    "The billable services given; leave out to derive them from the areas by the "
    "modality mapping. Frozen at signing."
)


class BilledNoteWriteSerializer(SessionNoteWriteSerializer):
    services = NoteServiceWriteSerializer(many=True, required=False, help_text=SERVICES_HELP)


class BilledNoteUpdateSerializer(SessionNoteUpdateSerializer):
    services = NoteServiceWriteSerializer(many=True, required=False, help_text=SERVICES_HELP)
