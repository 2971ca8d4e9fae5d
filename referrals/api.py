"""REST API of referrals, treatment plans, the diagnosis look-up and the
modality catalog (API.md). Thin views over `referrals.services`."""

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin, plain_data
from clinic.api_schema import read_as_role_dependent
from clinic.audit import record
from clinic.etag import claim_version
from clinic.models import Patient

from . import contraindications, icd10, plans, services
from .access import DIAGNOSIS, MODALITY, PLAN, PRECAUTION, REFERRAL
from .api_printing import PlanPdfMixin, ReferralPdfMixin
from .models import (
    Modality,
    PlanArea,
    Precaution,
    PrecautionKind,
    Referral,
    ReferralStatus,
    TreatmentPlan,
)
from .serializers import (
    ApproveSerializer,
    ClearanceSerializer,
    CommentSerializer,
    FindingWriteSerializer,
    PlanReasonSerializer,
    PrecautionSerializer,
    ReferralSerializer,
    ReferralStatusSerializer,
    ReferralUpdateSerializer,
    ReferralWriteSerializer,
    SummarySerializer,
    TreatmentPlanSerializer,
    TreatmentPlanStatusSerializer,
    TreatmentPlanUpdateSerializer,
    TreatmentPlanWriteSerializer,
)

DIAGNOSES = inline_serializer(
    "DiagnosisMatch",
    fields={"code": serializers.CharField(), "description": serializers.CharField()},
    many=True,
)


class DiagnosisLookupView(ClinicAPIMixin, APIView):
    """Billable ICD-10-CM codes whose code or description matches `search`."""

    policy, verbs = DIAGNOSIS, {"get": "search"}

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="A code (M54.2) or words.")],
        responses=DIAGNOSES,
        tags=["diagnoses"],
    )
    def get(self, request):
        return Response(icd10.search(request.query_params.get("search", "")[:100], limit=50))


class ModalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Modality
        fields = ["code", "name", "description"]


class ModalityViewSet(ClinicAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    policy = MODALITY
    serializer_class = ModalitySerializer
    queryset = Modality.objects.filter(is_active=True).order_by("name", "code")


# --- referrals -----------------------------------------------------------------------


class ReferralFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()

    class Meta:
        model = Referral
        fields = ["patient"]


@extend_schema(responses=ReferralSerializer)
@extend_schema_view(
    **read_as_role_dependent("ReferralOrStatus", ReferralSerializer, ReferralStatusSerializer),
    partial_update=extend_schema(request=ReferralUpdateSerializer),
)
class ReferralViewSet(
    ReferralPdfMixin,
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = Referral
    policy = REFERRAL
    filterset_class = ReferralFilter
    audit_read_action = "referral.read"

    def scoped_queryset(self, user):
        referrals = (
            Referral.objects.visible_to(user, glass=self.reading)
            .with_visits_used()
            .select_related("patient")
            .order_by("-created_at", "id")
        )
        if not REFERRAL.may(user, "read_clinical"):
            return referrals
        return referrals.prefetch_related(
            "diagnoses", "target_areas", "recommended_modalities", "precaution_flags"
        )

    def get_serializer_class(self):
        if not REFERRAL.may(self.request.user, "read_clinical"):
            return ReferralStatusSerializer
        return ReferralSerializer

    def _reread(self, referral):
        return self.get_queryset().get(pk=referral.pk)

    @extend_schema(request=ReferralWriteSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        given = ReferralWriteSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = plain_data(given.validated_data)
        referral = services.create_referral(
            doctor=request.user,
            patient=data.pop("patient"),
            renewal_of=data.pop("renewal_of", None),
            data=data,
        )
        return self.detail_response(self._reread(referral), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReferralUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        referral = self.get_object()
        given = ReferralUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        claim_version(referral, request)
        services.update_referral(
            referral=referral, by=request.user, data=plain_data(given.validated_data)
        )
        return self.detail_response(self._reread(referral))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        referral = services.sign_referral(referral=self.get_object(), by=request.user)
        return self.detail_response(self._reread(referral))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        referral = services.complete_referral(referral=self.get_object(), by=request.user)
        return self.detail_response(self._reread(referral))


# --- treatment plans ---------------------------------------------------------------


class TreatmentPlanFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()
    referral = django_filters.UUIDFilter()
    status = django_filters.ChoiceFilter(choices=TreatmentPlan._meta.get_field("status").choices)

    class Meta:
        model = TreatmentPlan
        fields = ["patient", "referral", "status"]


@extend_schema(responses=TreatmentPlanSerializer)
@extend_schema_view(
    **read_as_role_dependent(
        "TreatmentPlanOrStatus", TreatmentPlanSerializer, TreatmentPlanStatusSerializer
    ),
    partial_update=extend_schema(request=TreatmentPlanUpdateSerializer),
)
class TreatmentPlanViewSet(
    PlanPdfMixin,
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = TreatmentPlan
    policy = PLAN
    filterset_class = TreatmentPlanFilter
    audit_read_action = "plan.read"

    def scoped_queryset(self, user):
        plans = TreatmentPlan.objects.visible_to(user, glass=self.reading)
        plans = plans.order_by("-created_at", "id")
        if not PLAN.may(user, "read_clinical"):
            return plans
        areas = PlanArea.objects.prefetch_related("modalities")
        return plans.with_visits_used().prefetch_related(Prefetch("areas", areas), "goals")

    def get_serializer_class(self):
        if not PLAN.may(self.request.user, "read_clinical"):
            return TreatmentPlanStatusSerializer
        return TreatmentPlanSerializer

    def _answer(self, plan, code=status.HTTP_200_OK):
        return self.detail_response(self.get_queryset().get(pk=plan.pk), status=code)

    @extend_schema(request=TreatmentPlanWriteSerializer, responses={201: TreatmentPlanSerializer})
    def create(self, request, *args, **kwargs):
        given = TreatmentPlanWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        data = plain_data(given.validated_data)
        plan = plans.create_plan(therapist=request.user, referral=data.pop("referral"), data=data)
        return self._answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=TreatmentPlanUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        plan = self.get_object()
        given = TreatmentPlanUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        claim_version(plan, request)
        plans.update_plan(plan=plan, by=request.user, data=plain_data(given.validated_data))
        return self._answer(plan)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._answer(plans.propose_plan(plan=self.get_object(), by=request.user))

    @extend_schema(request=ApproveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        given = ApproveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(plans.approve_plan(plan=plan, by=request.user, **given.validated_data))

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        plan = self.get_object()
        given = CommentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            plans.request_plan_changes(plan=plan, by=request.user, **given.validated_data)
        )

    @extend_schema(request=SummarySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        plan = self.get_object()
        given = SummarySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(plans.complete_plan(plan=plan, by=request.user, **given.validated_data))

    @extend_schema(request=PlanReasonSerializer)
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        plan = self.get_object()
        given = PlanReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            plans.discontinue_plan(plan=plan, by=request.user, **given.validated_data)
        )


# --- precautions: the contraindication gate ------------------------------------------


class PrecautionFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()
    kind = django_filters.ChoiceFilter(choices=PrecautionKind.choices)
    cleared = django_filters.BooleanFilter(
        field_name="cleared_at", lookup_expr="isnull", exclude=True, label="Cleared by a doctor."
    )
    waiting = django_filters.BooleanFilter(
        method="filter_waiting", label="Stop flags waiting for the doctor's clearance."
    )

    class Meta:
        model = Precaution
        fields = ["patient", "kind", "cleared", "waiting"]

    def filter_waiting(self, queryset, name, value):
        waiting = contraindications.waiting_for_clearance(queryset)
        return waiting if value else queryset.exclude(pk__in=waiting.values("pk"))


@extend_schema(responses=PrecautionSerializer)
class PrecautionViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The flags in effect (signed referrals' and therapists' findings, cleared
    or not); a draft referral's flags are read with the referral. A clinician
    records a finding; the patient's doctor clears a flag."""

    model = Precaution
    policy = PRECAUTION
    serializer_class = PrecautionSerializer
    filterset_class = PrecautionFilter
    audit_read_action = "precaution.read"

    def scoped_queryset(self, user):
        scoped = Precaution.objects.visible_to(user, glass=self.reading)
        return scoped.in_effect().order_by("-created_at", "id")

    @extend_schema(request=FindingWriteSerializer, responses={201: PrecautionSerializer})
    def create(self, request, *args, **kwargs):
        given = FindingWriteSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        finding = contraindications.raise_finding(by=request.user, **given.validated_data)
        return self.detail_response(finding, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClearanceSerializer)
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        precaution = self.get_object()
        given = ClearanceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        cleared = contraindications.clear_precaution(
            precaution=precaution, by=request.user, **given.validated_data
        )
        return self.detail_response(cleared)


# --- a patient's episodes of care ----------------------------------------------------


class EpisodeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="effective_status", read_only=True)
    in_scope = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "doctor", "status", "signed_at", "valid_until", "in_scope"]
        read_only_fields = fields


class PatientEpisodesView(ClinicAPIMixin, APIView):
    """`GET /patients/{id}/episodes/`: every episode (referral) of the patient as a
    summary, without clinical content; `in_scope` says which the caller may open.
    The others open only by break-the-glass. Another doctor's draft is no episode."""

    policy, verbs = REFERRAL, {"get": "episodes"}

    @extend_schema(responses=EpisodeSerializer(many=True), tags=["patients"])
    def get(self, request, pk):
        user = request.user
        patient = get_object_or_404(Patient.objects.visible_to(user, glass=True), pk=pk)
        readable = Referral.objects.visible_to(user, glass=True).filter(patient=patient)
        episodes = (
            Referral.objects.filter(patient=patient)
            .exclude(Q(status=ReferralStatus.DRAFT) & ~Q(doctor=user))
            .annotate(in_scope=Exists(readable.filter(pk=OuterRef("pk"))))
            .order_by("-created_at", "id")
        )
        record(actor=user, action="patient.episodes_read", target=patient, patient=patient)
        return Response(EpisodeSerializer(episodes, many=True).data)
