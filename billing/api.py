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
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin
from clinic.audit import record
from clinic.etag import claim_version

from . import access, claims, coverage, documents, payers, payments, x12
from .access import roles_by_action
from .charging import void_charge
from .models import (
    Authorization,
    Charge,
    ChargeStatus,
    Claim,
    ClaimStatus,
    Coverage,
    Payer,
    Payment,
    ServiceCode,
)
from .serializers import (
    AuthorizationSerializer,
    AuthorizationUpdateSerializer,
    ChargeSerializer,
    ChargeWithDiagnosesSerializer,
    ClaimCreateSerializer,
    ClaimPaidSerializer,
    ClaimSerializer,
    CoverageSerializer,
    CoverageUpdateSerializer,
    LedgerSerializer,
    PayerSerializer,
    PaymentSerializer,
    ServiceCodeSerializer,
    VoidOrDenySerializer,
)

CRUD = {"list": "read", "retrieve": "read", "create": "create", "update": "update",
        "partial_update": "update"}  # fmt: skip
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}
TEXT = {(200, "text/plain"): OpenApiTypes.STR}


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class BillingViewSet(ClinicAPIMixin, viewsets.GenericViewSet):
    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

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
    roles = roles_by_action(access.SERVICE_CODE, **CRUD)
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
    roles = roles_by_action(access.PAYER, **CRUD)
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
    roles = roles_by_action(access.COVERAGE, **CRUD)
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
    roles = roles_by_action(access.AUTHORIZATION, **CRUD)
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
    roles = roles_by_action(
        access.CHARGE, list="read", retrieve="read", void="void", superbill="superbill"
    )
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


# --- claims ---------------------------------------------------------------------------------


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    patient = django_filters.UUIDFilter(field_name="coverage__patient")

    class Meta:
        model = Claim
        fields = ["status", "patient"]


class ClaimViewSet(
    BillingViewSet, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):  # fmt: skip
    model = Claim
    roles = roles_by_action(
        access.CLAIM, list="read", retrieve="read", create="create", submit="submit",
        deny="deny", paid="paid", x12="x12", pdf="pdf",
    )  # fmt: skip
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    audit_read_action = "claim.read"

    def scoped_queryset(self, user):
        return (
            access.claims_visible_to(user)
            .select_related("coverage")
            .prefetch_related("charges")
            .order_by("-created_at", "id")
        )

    def audit_patient_of(self, obj):
        return obj.coverage.patient_id

    def _answer(self, claim, code=200):
        return self.detail_response(self.get_queryset().get(pk=claim.pk), status=code)

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer})
    def create(self, request, *args, **kwargs):
        given = ClaimCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ids = given.validated_data["charges"]
        visible = list(access.charges_visible_to(request.user).filter(pk__in=ids))
        missing = sorted(str(i) for i in set(ids) - {c.pk for c in visible})
        if missing:
            return Response({"charges": [f"No charge {i}." for i in missing]}, status=400)
        claim = claims.create_claim(charges=visible, by=request.user)
        return self._answer(claim, status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(claims.submit_claim(claim=self.get_object(), by=request.user))

    @extend_schema(request=VoidOrDenySerializer)
    @action(detail=True, methods=["post"])
    def deny(self, request, pk=None):
        claim = self.get_object()
        given = VoidOrDenySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        reason = given.validated_data.get("reason", "")
        return self._answer(claims.deny_claim(claim=claim, by=request.user, reason=reason))

    @extend_schema(request=ClaimPaidSerializer)
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        claim = self.get_object()
        given = ClaimPaidSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            claims.mark_claim_paid(claim=claim, by=request.user, **given.validated_data)
        )

    @extend_schema(responses=TEXT)
    @action(detail=True, methods=["get"])
    def x12(self, request, pk=None):
        """The claim as an ANSI X12 837P (005010X222A1) interchange."""
        claim = self.get_object()
        record(actor=request.user, action="claim.x12_export", target=claim,
               patient=claim.coverage.patient)  # fmt: skip
        text = x12.claim_837p(claim)
        response = HttpResponse(text, content_type="text/plain; charset=ascii")
        response["Content-Disposition"] = f'attachment; filename="claim-{claim.number}.x12"'
        return response

    @extend_schema(responses=PDF)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """A CMS-1500-style summary of the claim."""
        claim = self.get_object()
        record(actor=request.user, action="claim.summary", target=claim,
               patient=claim.coverage.patient)  # fmt: skip
        return pdf_response(documents.claim_summary_pdf(claim), f"claim-{claim.number}.pdf")


# --- payments and the ledger -----------------------------------------------------------------


class PaymentFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()

    class Meta:
        model = Payment
        fields = ["patient"]


class PaymentViewSet(
    BillingViewSet, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):  # fmt: skip
    model = Payment
    roles = roles_by_action(access.PAYMENT, list="read", retrieve="read", create="create")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    audit_read_action = "payment.read"

    def scoped_queryset(self, user):
        return access.payments_visible_to(user).order_by("-created_at", "id")

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        payment = payments.record_payment(**given.validated_data, by=request.user)
        return self.detail_response(payment, status=status.HTTP_201_CREATED)


class LedgerView(ClinicAPIMixin, GenericAPIView):
    """`GET /patients/{id}/ledger/`: the patient's charges, payments and balance."""

    roles = roles_by_action(access.LEDGER, get="read")

    @extend_schema(responses=LedgerSerializer, tags=["patients"])
    def get(self, request, pk):
        patient = access.access_patient_billing(request.user, pk)
        record(actor=request.user, action="ledger.read", target=patient, patient=patient)
        return Response(LedgerSerializer(payments.ledger(patient)).data)
