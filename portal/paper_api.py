"""The patient's paper (API.md, The patient's side): their superbills and their
progress reports as PDFs, listed and downloaded with the patient's own token.
A superbill is the patient's to send to their plan; a progress report is theirs
once signed (their right of access). Another patient's id is a 404."""

from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from billing.documents import superbill_pdf
from billing.models import Charge, ChargeStatus
from clinic.pagination import Pagination
from clinic.printing import pdf_response
from sessions_log.models import ProgressReport
from sessions_log.printing import progress_report_pdf

from .api import PortalAPIMixin


@dataclass(frozen=True)
class Paper:
    id: str
    kind: str  # superbill | progress_report
    title: str
    date: date
    record: object


def papers_of(patient) -> list[Paper]:
    """The patient's superbills (charges not voided) and signed progress reports,
    newest first."""
    charges = (
        Charge.objects.filter(patient=patient)
        .exclude(status=ChargeStatus.VOID)
        .order_by("-service_date", "-created_at")
    )
    reports = ProgressReport.objects.filter(
        plan__patient=patient, signed_at__isnull=False
    ).order_by("-signed_at")
    papers = [
        Paper(str(c.pk), "superbill", f"Superbill, visit of {c.service_date:%b %-d, %Y}",
              c.service_date, c)
        for c in charges
    ] + [
        Paper(str(r.pk), "progress_report", "Progress report",
              timezone.localdate(r.signed_at), r)
        for r in reports
    ]  # fmt: skip
    return sorted(papers, key=lambda paper: paper.date, reverse=True)


def find_paper(patient, paper_id) -> Paper:
    """One of the patient's own papers; anything else is a 404 (not theirs, or none)."""
    paper = next((p for p in papers_of(patient) if p.id == str(paper_id)), None)
    if paper is None:
        raise Http404("No such document of yours.")
    return paper


def pdf_of(paper: Paper) -> HttpResponse:
    if paper.kind == "superbill":
        return pdf_response(superbill_pdf(paper.record), f"superbill-{paper.id}.pdf")
    report = progress_report_pdf(paper.record)
    return pdf_response(report, f"progress-report-{paper.id}.pdf")


class PortalPaperSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=["superbill", "progress_report"])
    title = serializers.CharField()
    date = serializers.DateField()
    url = serializers.SerializerMethodField()

    def get_url(self, paper) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/portal/documents/{paper.id}/")


@extend_schema(tags=["portal"])
class PaperListView(PortalAPIMixin, GenericAPIView):
    serializer_class = PortalPaperSerializer
    pagination_class = Pagination  # the API's pages, described as they are
    verbs = {"get": "read_documents"}

    @extend_schema(responses=PortalPaperSerializer(many=True))  # a page of them
    def get(self, request):
        self.audit("portal.documents_read")
        page = self.paginate_queryset(papers_of(self.patient))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["portal"])
class PaperView(PortalAPIMixin, GenericAPIView):
    verbs = {"get": "read_documents"}
    answers_etag = False  # a file

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, paper_id):
        paper = find_paper(self.patient, paper_id)
        self.audit("portal.document_read", target=paper.record)
        return pdf_of(paper)
