"""The API's shapes of scheduling. Serializers check structure; the rules live in
the services (scheduling.booking)."""

from rest_framework import serializers

from clinic.models import Patient, User
from clinic.serializers import (
    ScopedRelatedField,
)
from clinic.vocabulary import Role
from referrals.models import TreatmentPlan

from .models import Appointment, AppointmentSeries, Reminder


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
        read_only_fields = fields


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
