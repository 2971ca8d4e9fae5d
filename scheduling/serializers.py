"""The API's shapes of scheduling. Serializers check structure; the rules live in
the services (scheduling.booking)."""

from rest_framework import serializers

from clinic.models import Patient, User
from clinic.serializers import (
    ScopedRelatedField,
)
from clinic.vocabulary import Role
from referrals.models import Referral, TreatmentPlan

from .models import Appointment, AppointmentKind, AppointmentSeries, Location, Reminder, Room
from .series import SKIP_REASONS


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
            "kind",
            "referral",
            "room",
            "cancel_reason",
        ]
        read_only_fields = fields


class AppointmentCreateSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    therapist = serializers.PrimaryKeyRelatedField(queryset=User.objects.with_role(Role.THERAPIST))
    plan = ScopedRelatedField(TreatmentPlan, required=False, allow_null=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    kind = serializers.ChoiceField(
        choices=AppointmentKind.choices, default=AppointmentKind.TREATMENT
    )
    referral = ScopedRelatedField(
        Referral,
        required=False,
        allow_null=True,
        help_text="An evaluation's signed referral (kind evaluation, no plan).",
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.select_related("location"),
        required=False,
        allow_null=True,
        help_text="The treatment room; none holds two live visits at once.",
    )


class AppointmentMoveSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.with_role(Role.THERAPIST),
        required=False,
        help_text="Move the visit to another therapist (the front desk).",
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.select_related("location"),
        required=False,
        allow_null=True,
        help_text="Move the visit to another room (null: no room).",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["kind", "channel", "due_at", "status", "sent_at", "attempts"]
        read_only_fields = fields


class SeriesMoveSerializer(serializers.Serializer):
    occurrence = serializers.DateTimeField(help_text="An occurrence of the rule (its start).")
    start = serializers.DateTimeField(help_text="Its new start, on the same day.")


class SeriesCreateSerializer(serializers.Serializer):
    plan = ScopedRelatedField(TreatmentPlan, select_related=["referral"])
    therapist = serializers.PrimaryKeyRelatedField(queryset=User.objects.with_role(Role.THERAPIST))
    start = serializers.DateTimeField(help_text="The first visit; its local time repeats.")
    duration_minutes = serializers.IntegerField()
    rrule = serializers.CharField(max_length=500, help_text="e.g. FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12")
    on_conflict = serializers.ChoiceField(
        choices=["refuse", "skip"],
        default="refuse",
        help_text="refuse: all or nothing; skip: book the free visits, answer the others",
    )
    extend = serializers.BooleanField(
        default=False, help_text="Make up skipped visits after the last, to reach the count."
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.select_related("location"),
        required=False,
        allow_null=True,
        help_text="The treatment room every visit takes; a room's clash is a conflict.",
    )
    moves = SeriesMoveSerializer(
        many=True, required=False,
        help_text="Clashes resolved date by date: occurrences taken at another start that day.",
    )  # fmt: skip


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
            "room",
            "cancelled_from",
            "appointments",
        ]
        read_only_fields = fields


class FreeSlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class SkippedSerializer(serializers.Serializer):
    """An occurrence left out of a series: `reason` closure, conflict or unavailable."""

    occurrence = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=SKIP_REASONS)
    detail = serializers.CharField()
    suggestions = FreeSlotSerializer(many=True)


class SeriesBookedSerializer(SeriesSerializer):
    """The answer to booking a series: also every occurrence left out, and why,
    and how many visits of the rule are neither booked nor made up."""

    skipped = SkippedSerializer(many=True, read_only=True)
    short_by = serializers.IntegerField(read_only=True)
    appointments = AppointmentSerializer(source="booked_appointments", many=True, read_only=True)

    class Meta(SeriesSerializer.Meta):
        fields = [*SeriesSerializer.Meta.fields, "skipped", "short_by"]
        read_only_fields = fields


class SeriesCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def get_fields(self):
        # `from` is a Python keyword, so the field is declared by name
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class AvailabilityQuerySerializer(serializers.Serializer):
    therapist = serializers.PrimaryKeyRelatedField(queryset=User.objects.with_role(Role.THERAPIST))
    date = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480)


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "time_zone"]
        extra_kwargs = {
            "time_zone": {"help_text": "An IANA time zone, e.g. America/New_York."},
            # a taken name is the service's 400, in the clinic's words
            "name": {"validators": []},
        }


class RoomSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())

    class Meta:
        model = Room
        fields = ["id", "location", "name"]
        validators = []  # name unique per location: the service's 400 names the field
