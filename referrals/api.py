"""REST API of referrals, treatment plans, the diagnosis look-up and the
modality catalog (API.md). Thin views over `referrals.services`."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api_base import (
    ALL_ROLES,
    CLINICIANS,
    DOCTOR,
    NO_FRONT_DESK,
    THERAPIST,
    AuditedReadMixin,
    ClinicAPIMixin,
    plain_data,
)
from clinic.etag import claim_version
from clinic.vocabulary import Role

from . import contraindications, icd10, services
from .models import Modality, PlanArea, Precaution, PrecautionKind, Referral, TreatmentPlan
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

READ = {"list": ALL_ROLES, "retrieve": ALL_ROLES}
DIAGNOSES = inline_serializer(
    "DiagnosisMatch",
    fields={"code": serializers.CharField(), "description": serializers.CharField()},
    many=True,
)


class DiagnosisLookupView(ClinicAPIMixin, APIView):
    """Billable ICD-10-CM codes whose code or description matches `search`."""

    roles = {"get": ALL_ROLES}

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
    roles = {"list": ALL_ROLES}
    serializer_class = ModalitySerializer
    queryset = Modality.objects.filter(is_active=True).order_by("name", "code")


# --- referrals -----------------------------------------------------------------------


class ReferralFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()

    class Meta:
        model = Referral
        fields = ["patient"]


@extend_schema(responses=ReferralSerializer)
class ReferralViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = Referral
    roles = {
        **READ,
        "create": DOCTOR,
        "update": DOCTOR,
        "partial_update": DOCTOR,
        "sign": DOCTOR,
        "complete": DOCTOR,
    }
    filterset_class = ReferralFilter
    audit_read_action = "referral.read"

    def scoped_queryset(self, user):
        referrals = (
            Referral.objects.visible_to(user)
            .with_visits_used()
            .select_related("patient")
            .order_by("-created_at", "id")
        )
        if self.role == Role.FRONT_DESK:
            return referrals
        return referrals.prefetch_related(
            "diagnoses", "target_areas", "recommended_modalities", "precaution_flags"
        )

    def get_serializer_class(self):
        if self.role == Role.FRONT_DESK:
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
class TreatmentPlanViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = TreatmentPlan
    roles = {
        **READ,
        "create": THERAPIST,
        "update": THERAPIST,
        "partial_update": THERAPIST,
        "propose": THERAPIST,
        "approve": DOCTOR,
        "request_changes": DOCTOR,
        "complete": CLINICIANS,
        "discontinue": CLINICIANS,
    }
    filterset_class = TreatmentPlanFilter
    audit_read_action = "plan.read"

    def scoped_queryset(self, user):
        plans = TreatmentPlan.objects.visible_to(user).order_by("-created_at", "id")
        if self.role == Role.FRONT_DESK:
            return plans
        areas = PlanArea.objects.prefetch_related("modalities")
        return plans.with_visits_used().prefetch_related(Prefetch("areas", areas), "goals")

    def get_serializer_class(self):
        if self.role == Role.FRONT_DESK:
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
        plan = services.create_plan(
            therapist=request.user, referral=data.pop("referral"), data=data
        )
        return self._answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=TreatmentPlanUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        plan = self.get_object()
        given = TreatmentPlanUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        claim_version(plan, request)
        services.update_plan(plan=plan, by=request.user, data=plain_data(given.validated_data))
        return self._answer(plan)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._answer(services.propose_plan(plan=self.get_object(), by=request.user))

    @extend_schema(request=ApproveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        given = ApproveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            services.approve_plan(plan=plan, by=request.user, **given.validated_data)
        )

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        plan = self.get_object()
        given = CommentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            services.request_plan_changes(plan=plan, by=request.user, **given.validated_data)
        )

    @extend_schema(request=SummarySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        plan = self.get_object()
        given = SummarySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            services.complete_plan(plan=plan, by=request.user, **given.validated_data)
        )

    @extend_schema(request=PlanReasonSerializer)
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        plan = self.get_object()
        given = PlanReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            services.discontinue_plan(plan=plan, by=request.user, **given.validated_data)
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
        waiting = {"kind__in": contraindications.STOP_KINDS, "cleared_at__isnull": True}
        return queryset.filter(**waiting) if value else queryset.exclude(**waiting)


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
    roles = {
        "list": NO_FRONT_DESK,
        "retrieve": NO_FRONT_DESK,
        "create": CLINICIANS,
        "clear": DOCTOR,
    }
    serializer_class = PrecautionSerializer
    filterset_class = PrecautionFilter
    audit_read_action = "precaution.read"

    def scoped_queryset(self, user):
        return Precaution.objects.visible_to(user).in_effect().order_by("-created_at", "id")

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
