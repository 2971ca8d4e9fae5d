"""The plan of care leaving the app (API.md, Outside physicians and documents):
`GET .../pdf/` on a referral and on a plan (the plan of care), the plan's
discharge summary, for whoever may read the record, each print audited; and
`POST .../request-signature/`, the secure link to an outside physician. Mixed
into the viewsets of referrals/api.py."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from clinic.audit import record
from clinic.etag import etag_of
from clinic.printing import pdf_response

from . import printing, signature_links

PDF = extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})


def _printed(request, obj, action_name: str, pdf: bytes, filename: str):
    record(actor=request.user, action=action_name, target=obj, patient=obj.patient)
    return pdf_response(pdf, filename)


class ReferralPdfMixin:
    @PDF
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        referral = self.get_object()
        pdf = printing.referral_pdf(referral)
        return _printed(request, referral, "referral.pdf", pdf, f"referral-{referral.pk}.pdf")


class PlanPdfMixin:
    @PDF
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The plan of care, with its certification period and signature block."""
        plan = self.get_object()
        pdf = printing.plan_of_care_pdf(plan)
        return _printed(request, plan, "plan.pdf", pdf, f"plan-of-care-{plan.pk}.pdf")

    @PDF
    @action(detail=True, methods=["get"], url_path="discharge/pdf")
    def discharge(self, request, pk=None):
        """The discharge summary of a plan that ended (404 while therapy goes on)."""
        plan = self.get_object()
        pdf = printing.discharge_pdf(plan)
        if pdf is None:
            raise NotFound("This plan has not ended: no discharge summary yet.")
        return _printed(request, plan, "plan.discharge_pdf", pdf, f"discharge-{plan.pk}.pdf")

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "SignatureRequest",
                fields={
                    "id": serializers.UUIDField(),
                    "sent_to": serializers.EmailField(),
                    "expires_at": serializers.DateTimeField(),
                },
            )
        },
    )
    @action(detail=True, methods=["post"], url_path="request-signature")
    def request_signature(self, request, pk=None):
        """Its therapist emails the outside physician a single-use link to sign."""
        link = signature_links.request_signature(plan=self.get_object(), by=request.user)
        body = {"id": str(link.pk), "sent_to": link.email, "expires_at": link.expires_at}
        # a created record, answered with its ETag like every other
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": etag_of(link)})
