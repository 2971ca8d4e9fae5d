"""REST API of billing (API.md, Billing): service codes, payers, coverages,
authorizations, charges (void, superbill), claims (837P, submit, deny, paid),
payments and the patient's ledger. Thin views over billing's services; every
row through billing.access."""

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin
from clinic.audit import record
from clinic.etag import claim_version

from . import access, coverage, documents, payers
from .charging import void_charge
from .models import (
    Authorization,
    Charge,
    ChargeStatus,
    Coverage,
    Payer,
    ServiceCode,
)
from .serializers import (
    AuthorizationSerializer,
    AuthorizationUpdateSerializer,
    ChargeSerializer,
    ChargeWithDiagnosesSerializer,
    CoverageSerializer,
    CoverageUpdateSerializer,
    PayerSerializer,
    ServiceCodeSerializer,
    VoidOrDenySerializer,
)

PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}
TEXT = {(200, "text/plain"): OpenApiTypes.STR}


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class BillingViewSet(ClinicAPIMixin, viewsets.GenericViewSet):
    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        if hasattr(self, "audit_read"):  # reads of a patient's billing are audited
            self.audit_read(obj)
        return self.detail_response(obj)

    def perform_content_negotiation(self, request, force=False):
        # the PDF and 837P answers are files, and any error about them is JSON,
        # whatever the client said it accepts
        return super().perform_content_negotiation(request, force=True)


# --- catalog --------------------------------------------------------------------------------


class ServiceCodeViewSet(
    BillingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):  # fmt: skip
    model = ServiceCode
    policy = access.SERVICE_CODE
    serializer_class = ServiceCodeSerializer
    queryset = ServiceCode.objects.filter(is_active=True).order_by("code")
    lookup_value_regex = "[A-Za-z0-9]{1,5}"

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        code = payers.save_service_code(code=data.pop("code"), data=data, by=request.user,
                                        create=True)  # fmt: skip
        return self.detail_response(code, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        current = self.get_object()
        given = self.get_serializer(current, data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        data = {k: v for k, v in given.validated_data.items() if k != "code"}
        code = payers.save_service_code(code=current.code, data=data, by=request.user,
                                        create=False)  # fmt: skip
        return self.detail_response(code)


class PayerViewSet(
    BillingViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):  # fmt: skip
    model = Payer
    policy = access.PAYER
    serializer_class = PayerSerializer
    queryset = Payer.objects.prefetch_related("fees").order_by("name", "id")

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        payer = payers.create_payer(data=given.validated_data, by=request.user)
        return self.detail_response(self.get_queryset().get(pk=payer.pk), status=201)

    def update(self, request, *args, partial=False, **kwargs):
        payer = self.get_object()
        given = self.get_serializer(payer, data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(payer, request)
        payers.update_payer(payer=payer, data=given.validated_data, by=request.user)
        return self.detail_response(self.get_queryset().get(pk=payer.pk))


# --- coverage and authorizations -----------------------------------------------------------


class CoverageFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()

    class Meta:
        model = Coverage
        fields = ["patient"]


class CoverageViewSet(
    BillingViewSet, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin, mixins.UpdateModelMixin,
):  # fmt: skip
    model = Coverage
    policy = access.COVERAGE
    serializer_class = CoverageSerializer
    filterset_class = CoverageFilter
    audit_read_action = "coverage.read"

    def scoped_queryset(self, user):
        return access.coverages_visible_to(user).order_by("patient", "priority", "-valid_from")

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        made = coverage.record_coverage(patient=data.pop("patient"), data=data, by=request.user)
        return self.detail_response(made, status=status.HTTP_201_CREATED)

    @extend_schema(request=CoverageUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        current = self.get_object()
        given = CoverageUpdateSerializer(data=request.data, partial=partial,
                                         context=self.get_serializer_context())  # fmt: skip
        given.is_valid(raise_exception=True)
        claim_version(current, request)
        changed = coverage.update_coverage(
            coverage=current, data=dict(given.validated_data), by=request.user
        )
        return self.detail_response(changed)


class AuthorizationFilter(django_filters.FilterSet):
    coverage = django_filters.UUIDFilter()
    patient = django_filters.UUIDFilter(field_name="coverage__patient")

    class Meta:
        model = Authorization
        fields = ["coverage", "patient"]


class AuthorizationViewSet(
    BillingViewSet, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin, mixins.UpdateModelMixin,
):  # fmt: skip
    model = Authorization
    policy = access.AUTHORIZATION
    serializer_class = AuthorizationSerializer
    filterset_class = AuthorizationFilter
    audit_read_action = "authorization.read"

    def scoped_queryset(self, user):
        return (
            access.authorizations_visible_to(user)
            .select_related("coverage")
            .prefetch_related("codes")
            .order_by("-valid_from", "id")
        )

    def audit_patient_of(self, obj):
        return obj.coverage.patient_id

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return coverage.attach_usage(page) if page is not None else page

    def detail_response(self, obj, serializer_class=None, status=200):
        obj = self.get_queryset().get(pk=obj.pk)
        coverage.attach_usage([obj])
        return super().detail_response(obj, serializer_class, status)

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        made = coverage.record_authorization(
            coverage=data.pop("coverage"), data=data, by=request.user
        )
        return self.detail_response(made, status=status.HTTP_201_CREATED)

    @extend_schema(request=AuthorizationUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        current = self.get_object()
        given = AuthorizationUpdateSerializer(data=request.data, partial=partial,
                                              context=self.get_serializer_context())  # fmt: skip
        given.is_valid(raise_exception=True)
        claim_version(current, request)
        changed = coverage.update_authorization(
            authorization=current, data=dict(given.validated_data), by=request.user
        )
        return self.detail_response(changed)


# --- charges --------------------------------------------------------------------------------


class ChargeFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()
    note = django_filters.UUIDFilter()
    status = django_filters.ChoiceFilter(choices=ChargeStatus.choices)

    class Meta:
        model = Charge
        fields = ["patient", "note", "status"]


@extend_schema(responses=ChargeWithDiagnosesSerializer)
class ChargeViewSet(
    BillingViewSet, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    model = Charge
    policy = access.CHARGE
    filterset_class = ChargeFilter
    audit_read_action = "charge.read"

    def get_serializer_class(self):
        # the front desk reads amounts and service codes, never diagnosis codes
        if self.role == "front_desk":
            return ChargeSerializer
        return ChargeWithDiagnosesSerializer

    def scoped_queryset(self, user):
        return (
            access.charges_visible_to(user)
            .prefetch_related("lines")
            .order_by("-service_date", "-created_at", "id")
        )

    @extend_schema(request=VoidOrDenySerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        charge = self.get_object()
        given = VoidOrDenySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        void_charge(charge=charge, by=request.user, reason=given.validated_data.get("reason", ""))
        return self.detail_response(self.get_queryset().get(pk=charge.pk))

    @extend_schema(responses=PDF)
    @action(detail=True, methods=["get"])
    def superbill(self, request, pk=None):
        charge = self.get_object()
        record(actor=request.user, action="charge.superbill", target=charge,
               patient=charge.patient)  # fmt: skip
        return pdf_response(documents.superbill_pdf(charge), f"superbill-{charge.pk}.pdf")
