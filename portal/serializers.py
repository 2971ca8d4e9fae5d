"""The portal API's shapes (API.md, The patient's side)."""

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from clinic.models import Patient, ReminderChannel
from scheduling.models import Appointment
from scheduling.visits import cancel_deadline, patient_may_cancel


class PortalSignInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The token of the sign-in link.")
    date_of_birth = serializers.DateField(help_text="The second factor: YYYY-MM-DD.")


class PortalSessionSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="A patient token: `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text="Pushed on by each request (idle limit).")


class PortalMeSerializer(serializers.ModelSerializer):
    calendar_url = serializers.SerializerMethodField(help_text="The patient's calendar feed.")

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "reminder_channel",
            "reminder_consent",
            "calendar_url",
        ]
        read_only_fields = ["id", "first_name", "last_name", "calendar_url"]
        extra_kwargs = {"reminder_channel": {"choices": ReminderChannel.choices}}

    def get_calendar_url(self, patient) -> str | None:
        try:
            path = reverse("calendar:patient_feed", args=[patient.calendar_token])
        except NoReverseMatch:  # a deployment without the calendar feeds' URLs
            return None
        return self.context["request"].build_absolute_uri(path)

    def validate(self, attrs):
        """A channel needs its address: no reminders by email to no address."""
        channel = attrs.get("reminder_channel", self.instance.reminder_channel)
        email = attrs.get("email", self.instance.email)
        phone = attrs.get("phone", self.instance.phone)
        if channel == ReminderChannel.EMAIL and not email:
            raise serializers.ValidationError({"email": ["Reminders by email need an address."]})
        if channel == ReminderChannel.SMS and not phone:
            raise serializers.ValidationError({"phone": ["Text reminders need a phone number."]})
        return attrs


class PortalVisitSerializer(serializers.ModelSerializer):
    therapist = serializers.SerializerMethodField(
        help_text="The therapist's name, as the patient knows them (not a staff id)."
    )
    may_cancel = serializers.SerializerMethodField(help_text="Within the cancellation policy.")
    cancel_until = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "start",
            "end",
            "status",
            "therapist",
            "confirmed_at",
            "may_cancel",
            "cancel_until",
        ]
        read_only_fields = fields

    def get_therapist(self, visit) -> str:
        return visit.therapist.get_full_name() or visit.therapist.username

    def get_may_cancel(self, visit) -> bool:
        return patient_may_cancel(visit)

    def get_cancel_until(self, visit) -> str:
        return serializers.DateTimeField().to_representation(cancel_deadline(visit))


class InviteSentSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=[ReminderChannel.EMAIL, ReminderChannel.SMS], help_text="How the link went."
    )


class PortalConsentSerializer(serializers.Serializer):
    """A current consent document and when this patient signed it (null: not yet)."""

    id = serializers.UUIDField(source="document.pk")
    kind = serializers.CharField(source="document.kind")
    title = serializers.CharField(source="document.title")
    version = serializers.IntegerField(source="document.version")
    text = serializers.CharField(source="document.text")
    sha256 = serializers.CharField(source="document.sha256")
    signed_at = serializers.DateTimeField(allow_null=True)


class ConsentSignRequestSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    signature_png = serializers.CharField(
        max_length=500_000, help_text="A base64 PNG of the drawn signature (a data URL is fine)."
    )


class ConsentSignatureSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    document = serializers.UUIDField(source="document_id")
    full_name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    document_sha256 = serializers.CharField()
    source = serializers.CharField()


class PaperConsentRequestSerializer(serializers.Serializer):
    consent = serializers.UUIDField(help_text="The consent document's id.")
    document = serializers.CharField(
        max_length=7_000_000, help_text="The signed paper's scan: base64 PDF, PNG or JPEG."
    )


class IntakeQuestionSerializer(serializers.Serializer):
    id = serializers.SlugField(
        help_text="The question's stable slug (e.g. `blood_clot`), the same in every version "
        "of the form: the key of its answer in `answers`. Not a record's id."
    )
    text = serializers.CharField()
    kind = serializers.CharField(help_text="yes_no, text, region or side.")
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), allow_null=True)


class IntakeFormSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    questions = IntakeQuestionSerializer(many=True)
    last_signed_at = serializers.DateTimeField(allow_null=True)


class IntakeAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text="{question id: answer}: yes_no as true/false.")
    full_name = serializers.CharField(max_length=200, required=False, help_text="The signature.")


class HealthHistorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    signed_at = serializers.DateTimeField()
    red_flags = serializers.ListField(child=serializers.CharField())


class QuestionnaireSerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text="Opaque: names this questionnaire (a plan's measure) in "
        "`POST .../{id}/answers/` while it is due. Not a UUID."
    )
    measure = serializers.CharField()
    title = serializers.CharField()
    items = serializers.ListField(child=serializers.DictField())


class QuestionnaireAnswersSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(), help_text='[{"score": n}], PSFS also "activity".'
    )


class QuestionnaireScoreSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    measure = serializers.CharField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    taken_at = serializers.DateTimeField()
