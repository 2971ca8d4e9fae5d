"""The API's shapes of the clinic core. Serializers check structure (types,
required fields, known choices); the rules live in the services."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import AuditEvent, BreakGlass, Patient, ReminderChannel, User
from .vocabulary import Role


def scoped(model, request):
    """A related field's choices are what the caller may see: another clinician's
    record is "does not exist" (400 naming the field), never revealed."""
    if request is None:
        return model.objects.none()
    return model.objects.visible_to(request.user)


@extend_schema_field(OpenApiTypes.UUID)
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    def __init__(self, model, *, select_related=(), **kwargs):
        self.model = model
        self.select_related = select_related  # what the service reads next, in the same query
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = scoped(self.model, self.context.get("request"))
        return queryset.select_related(*self.select_related) if self.select_related else queryset


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]


class MeSerializer(StaffSerializer):
    calendar_url = serializers.SerializerMethodField(
        help_text="The therapist's secret calendar feed (null for other roles)."
    )

    class Meta(StaffSerializer.Meta):
        fields = [*StaffSerializer.Meta.fields, "calendar_url"]

    def get_calendar_url(self, user) -> str | None:
        if user.role != Role.THERAPIST:
            return None
        try:
            path = reverse("calendar:therapist_feed", args=[user.calendar_token])
        except NoReverseMatch:  # a deployment without the calendar feeds' URLs
            return None
        return self.context["request"].build_absolute_uri(path)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    # --- totp helper: needed only by an account with two-factor sign-in on
    otp = serializers.RegexField(
        r"^[0-9]{6}$",
        required=False,
        help_text="The six-digit code of the authenticator app, for a doctor or manager "
        "with two-factor sign-in on.",
        error_messages={"invalid": "Enter the six-digit code of your authenticator app."},
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text="After this the token is a 401.")


class PatientSerializer(serializers.ModelSerializer):
    # --- billing helper: the address and sex a claim needs (API.md, Billing)
    state = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, help_text="Two letters, e.g. NY."
    )
    postal_code = serializers.RegexField(
        r"^[0-9]{5}(-?[0-9]{4})?$", required=False, allow_blank=True, help_text="ZIP or ZIP+4."
    )

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "email",
            "reminder_channel",
            "reminder_consent",
            "address_line",
            "city",
            "state",
            "postal_code",
            "sex",
        ]
        extra_kwargs = {"reminder_channel": {"choices": ReminderChannel.choices}}

    def validate_state(self, value: str) -> str:
        return value.upper()


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "actor", "action", "target_type", "target_id", "patient", "at", "ip"]
        read_only_fields = fields


class BreakGlassRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why the whole record is needed (at least 10 characters)."
    )


class BreakGlassOpenedSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(read_only=True)


class BreakGlassSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = BreakGlass
        fields = ["id", "actor", "patient", "reason", "at", "expires_at"]
        read_only_fields = fields
