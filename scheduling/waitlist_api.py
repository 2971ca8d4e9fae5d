"""`/api/v1/waitlist/` (API.md, Scheduling (v1 additions)) and the offers made
from it, `/api/v1/waitlist-offers/`: the front desk keeps both, the manager
reads them, no one else (scheduling/access.py `WAITLIST`). Reads of a
patient's entry or offer are audited like every patient record's."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin
from clinic.etag import claim_version
from clinic.models import Patient, User
from clinic.serializers import ScopedRelatedField
from clinic.vocabulary import Role
from referrals.models import TreatmentPlan

from . import waitlist
from .access import WAITLIST
from .models import WEEKDAYS, WaitlistEntry, WaitlistOffer
from .serializers import AppointmentSerializer


class WaitlistEntrySerializer(serializers.ModelSerializer):
    patient = ScopedRelatedField(Patient)
    plan = ScopedRelatedField(TreatmentPlan, select_related=["referral"])
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.with_role(Role.THERAPIST), required=False, allow_null=True
    )
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=WEEKDAYS), allow_empty=False, max_length=7,
        help_text="RRULE day codes, e.g. [\"MO\", \"TH\"].",
    )  # fmt: skip

    class Meta:
        model = WaitlistEntry
        fields = ["id", "patient", "plan", "therapist", "earliest", "latest", "weekdays",
                  "from_time", "to_time", "active", "withdrawn_at", "withdraw_reason"]  # fmt: skip
        read_only_fields = ["id", "active", "withdrawn_at", "withdraw_reason"]


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True,
        help_text="Why the patient no longer waits (kept with the entry).",
    )  # fmt: skip


class WaitlistOfferSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="entry.patient_id", read_only=True)

    class Meta:
        model = WaitlistOffer
        fields = ["id", "entry", "patient", "therapist", "room", "start", "end", "status",
                  "sent_by", "booked"]  # fmt: skip
        read_only_fields = fields


class WaitlistViewSet(
    AuditedReadMixin,
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = WaitlistEntry
    policy = WAITLIST
    serializer_class = WaitlistEntrySerializer
    audit_read_action = "waitlist.read"

    def scoped_queryset(self, user):
        entries = WaitlistEntry.objects.visible_to(user).order_by("created_at", "id")
        # the list shows the open entries (`?all=1`: every one); one entry is read by its id
        if self.action != "list" or self.request.query_params.get("all"):
            return entries
        return entries.filter(active=True)

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        entry = waitlist.add_entry(data=given.validated_data, by=request.user)
        return self.detail_response(entry, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        entry = self.get_object()
        given = self.get_serializer(entry, data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(entry, request)
        changed = waitlist.change_entry(entry=entry, data=given.validated_data, by=request.user)
        return self.detail_response(changed)

    @extend_schema(request=WithdrawSerializer, responses={200: WaitlistEntrySerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        entry = self.get_object()
        given = WithdrawSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        claim_version(entry, request)
        withdrawn = waitlist.withdraw_entry(
            entry=entry, by=request.user, reason=given.validated_data.get("reason", "")
        )
        return self.detail_response(withdrawn)


class WaitlistOfferViewSet(
    AuditedReadMixin,
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = WaitlistOffer
    policy = WAITLIST
    serializer_class = WaitlistOfferSerializer
    verbs = {"list": "offers", "retrieve": "offers"}
    audit_read_action = "waitlist.offer.read"

    def audit_patient_of(self, obj):
        return obj.entry.patient_id

    def scoped_queryset(self, user):
        return (
            WaitlistOffer.objects.visible_to(user)
            .select_related("entry")
            .order_by("status", "start", "id")
        )

    @extend_schema(
        request=None,
        responses={201: AppointmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        visit = waitlist.accept_offer(offer=self.get_object(), by=request.user)
        return self.detail_response(
            visit, serializer_class=AppointmentSerializer, status=status.HTTP_201_CREATED
        )
