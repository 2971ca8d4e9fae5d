"""The API's shapes of the clinic core. Serializers check structure (types,
required fields, known choices); the rules live in the services."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    Appointment,
    AppointmentSeries,
    AuditEvent,
    BreakGlass,
    Patient,
    Reminder,
    ReminderChannel,
    User,
)
from .vocabulary import Role

# the plan model, reached through the relation so the core does not import referrals
TreatmentPlan = Appointment._meta.get_field("plan").related_model


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
        ]
        extra_kwargs = {"reminder_channel": {"choices": ReminderChannel.choices}}


class AppointmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "therapist",
            "plan",
            "start",
            "end",
            "status",
            "series",
            "cancel_reason",
        ]
        read_only_fields = fields


class AppointmentCreateSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    therapist = serializers.PrimaryKeyRelatedField(queryset=User.objects.with_role(Role.THERAPIST))
    plan = ScopedRelatedField(TreatmentPlan, required=False, allow_null=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AppointmentMoveSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["kind", "channel", "due_at", "status", "sent_at", "attempts"]


class SeriesCreateSerializer(serializers.Serializer):
    plan = ScopedRelatedField(TreatmentPlan, select_related=["referral"])
    therapist = serializers.PrimaryKeyRelatedField(queryset=User.objects.with_role(Role.THERAPIST))
    start = serializers.DateTimeField(help_text="The first visit; its local time repeats.")
    duration_minutes = serializers.IntegerField()
    rrule = serializers.CharField(max_length=500, help_text="e.g. FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12")


class SeriesSerializer(serializers.ModelSerializer):
    start = serializers.DateTimeField(source="first_start", read_only=True)
    appointments = AppointmentSerializer(many=True, read_only=True)

    class Meta:
        model = AppointmentSeries
        fields = [
            "id",
            "plan",
            "patient",
            "therapist",
            "start",
            "duration_minutes",
            "rrule",
            "cancelled_from",
            "appointments",
        ]
        read_only_fields = fields


class SeriesBookedSerializer(SeriesSerializer):
    """The answer to booking a series: also the days skipped for clinic closures."""

    skipped = serializers.ListField(child=serializers.DateField(), read_only=True)
    appointments = AppointmentSerializer(source="booked_appointments", many=True, read_only=True)

    class Meta(SeriesSerializer.Meta):
        fields = [*SeriesSerializer.Meta.fields, "skipped"]
        read_only_fields = fields


class SeriesCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def get_fields(self):
        # `from` is a Python keyword, so the field is declared by name
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


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
