"""REST API of billing's claims (837P, PDF, submit, deny, paid), payments and the
patient's ledger (API.md, Billing). Thin views over billing's services; every
row through billing.access."""

import django_filters
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin
from clinic.audit import record

from . import access, claims, documents, payments, x12
from .api import PDF, TEXT, BillingViewSet, pdf_response
from .models import Claim, ClaimStatus, Payment
from .serializers import (
    ClaimCreateSerializer,
    ClaimPaidSerializer,
    ClaimSerializer,
    LedgerSerializer,
    PaymentSerializer,
    VoidOrDenySerializer,
)

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
    policy = access.CLAIM
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

    @extend_schema(request=None, responses={201: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def secondary(self, request, pk=None):
        """The same charges claimed from the patient's secondary coverage, once the
        primary payer has answered (paid or denied)."""
        made = claims.create_secondary_claim(primary=self.get_object(), by=request.user)
        return self._answer(made, status.HTTP_201_CREATED)

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
    policy = access.PAYMENT
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

    policy, verbs = access.LEDGER, {"get": "read"}

    @extend_schema(responses=LedgerSerializer, tags=["patients"])
    def get(self, request, pk):
        patient = access.access_patient_billing(request.user, pk)
        record(actor=request.user, action="ledger.read", target=patient, patient=patient)
        return Response(LedgerSerializer(payments.ledger(patient)).data)
