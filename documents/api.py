"""`/api/v1/documents/` (API.md, Outside physicians and documents): upload,
list and read metadata, and stream the content through the door."""

import django_filters
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin

from . import previews, services
from .access import DOCUMENT, access_document
from .models import Document, DocumentKind
from .serializers import DocumentSerializer, DocumentUploadSerializer


class DocumentFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()
    referral = django_filters.UUIDFilter()
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)

    class Meta:
        model = Document
        fields = ["patient", "referral", "kind"]


def too_large(detail: str) -> Response:
    return Response({"detail": detail, "code": "too_large"}, status=413)


class DocumentViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = Document
    policy = DOCUMENT
    verbs = {"preview": "content"}  # the preview is the file's, shown small: the same door
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    parser_classes = [MultiPartParser, FormParser]
    audit_read_action = "document.read"

    def scoped_queryset(self, user):
        return Document.objects.visible_to(user, glass=self.reading).select_related("patient")

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentSerializer,
            413: OpenApiResponse(OpenApiTypes.OBJECT, description="Past DOCUMENT_MAX_MB."),
        },
    )
    def create(self, request, *args, **kwargs):
        given = DocumentUploadSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        try:
            document = services.upload_document(by=request.user, **given.validated_data)
        except services.TooLarge as error:
            return too_large(str(error))
        return self.detail_response(document, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"])
    def content(self, request, pk=None):
        """The file itself, as an attachment, to those who may read the episode."""
        document = access_document(request.user, pk, "content", glass=True)
        stream = services.open_content(document=document, by=request.user)
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=document.download_name,
            content_type=document.content_type,
        )
        # a browser must neither guess another type nor run anything it opens
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    @extend_schema(responses={(200, previews.PREVIEW_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The document's preview (a JPEG: an image scaled down, a PDF's first page),
        through the content door as the page's preview is, each read audited. No
        preview possible is a 404, the same answer as a document out of reach."""
        document = access_document(request.user, pk, "content", glass=True)
        storage = services.document_storage()
        if not previews.ensure_preview(document, storage=storage):
            raise Http404("No such document.")
        response = FileResponse(
            previews.open_preview(document=document, by=request.user, storage=storage),
            content_type=previews.PREVIEW_TYPE,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
