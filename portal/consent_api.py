"""Consent through the API (API.md, The patient's side): the patient lists the
current documents and signs one with a drawn signature; the front desk records a
consent signed on paper, with its scan."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.access import CONSENT, access_patient
from clinic.api_base import ERRORS, ClinicAPIMixin
from clinic.consents import documents_for, record_paper_consent, sign_consent
from clinic.errors import Invalid
from clinic.models import ConsentDocument
from clinic.pagination import Pagination

from .api import PortalAPIMixin
from .serializers import (
    ConsentSignatureSerializer,
    ConsentSignRequestSerializer,
    PaperConsentRequestSerializer,
    PortalConsentSerializer,
)

# an image or a scan can be larger than a request may be (API.md: a JSON 413)
TOO_LARGE = OpenApiResponse(
    ERRORS["413"].response,
    description="The body (the drawing or the scan with it) is larger than the server accepts.",
)


@extend_schema(tags=["portal"])
class ConsentListView(PortalAPIMixin, GenericAPIView):
    serializer_class = PortalConsentSerializer
    pagination_class = Pagination  # the API's pages, described as they are
    verbs = {"get": "read_consents"}

    @extend_schema(responses=PortalConsentSerializer(many=True))  # a page of them
    def get(self, request):
        rows = documents_for(self.patient)
        self.audit("portal.consents_read")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["portal"])
class ConsentSignView(PortalAPIMixin, GenericAPIView):
    serializer_class = ConsentSignRequestSerializer
    verbs = {"post": "sign_consent"}

    @extend_schema(
        request=ConsentSignRequestSerializer,
        responses={201: ConsentSignatureSerializer, 413: TOO_LARGE},
    )
    def post(self, request, pk):
        document = get_object_or_404(ConsentDocument.objects.current(), pk=pk)
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        signature = sign_consent(
            patient=self.patient,
            document=document,
            full_name=given.validated_data["full_name"],
            signature_png=given.validated_data["signature_png"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(ConsentSignatureSerializer(signature).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["patients"])
class PaperConsentView(ClinicAPIMixin, GenericAPIView):
    """The front desk records a consent the patient signed on paper."""

    policy = CONSENT
    verbs = {"post": "record_paper"}
    serializer_class = PaperConsentRequestSerializer

    @extend_schema(
        request=PaperConsentRequestSerializer,
        responses={201: ConsentSignatureSerializer, 413: TOO_LARGE},
    )
    def post(self, request, pk):
        patient = access_patient(request.user, pk)
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        document = ConsentDocument.objects.filter(pk=given.validated_data["consent"]).first()
        if document is None:
            raise Invalid.field("consent", "No such consent document.")
        signature = record_paper_consent(
            patient=patient,
            document=document,
            scan=given.validated_data["document"],
            by=request.user,
        )
        return Response(ConsentSignatureSerializer(signature).data, status=status.HTTP_201_CREATED)
