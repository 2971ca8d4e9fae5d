"""REST API of session notes, addenda, outcome measurements, plan progress and
the FHIR export (API.md). Thin views over `sessions_log.services`."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from clinic.api_base import AuditedReadMixin, ClinicAPIMixin, plain_data
from clinic.audit import record
from clinic.etag import claim_version, etag_of_answer
from clinic.models import Patient
from clinic.printing import pdf_response
from documents.fhir import add_document_references
from documents.fhir_consents import add_consents
from referrals.access import PLAN
from referrals.models import TreatmentPlan, patients_in_care

from . import fhir, printing, progress, reports, services
from .access import MEASUREMENT, NOTE, RECORD, REPORT
from .fhir_media import FhirJSONParser, FhirJSONRenderer
from .models import NoteArea, OutcomeMeasurement, ProgressReport, ReportStatus, SessionNote
from .serializers import (
    AcknowledgeSerializer,
    AddendumSerializer,
    MeasurementSerializer,
    MeasurementWriteSerializer,
    ProgressReportDetailSerializer,
    ProgressReportSerializer,
    ProgressReportUpdateSerializer,
    ProgressReportWriteSerializer,
    ProgressSerializer,
    SessionNoteSerializer,
    SessionNoteUpdateSerializer,
    SessionNoteWriteSerializer,
)


@extend_schema_view(partial_update=extend_schema(request=SessionNoteUpdateSerializer))
class SessionNoteViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = SessionNote
    policy = NOTE
    serializer_class = SessionNoteSerializer
    audit_read_action = "note.read"

    def scoped_queryset(self, user):
        areas = NoteArea.objects.prefetch_related("modalities")
        return (
            SessionNote.objects.visible_to(user, glass=self.reading)
            .prefetch_related(Prefetch("areas", areas), "addenda")
            .order_by("-created_at", "id")
        )

    def _answer(self, note, code=status.HTTP_200_OK):
        return self.detail_response(self.get_queryset().get(pk=note.pk), status=code)

    @extend_schema(request=SessionNoteWriteSerializer, responses={201: SessionNoteSerializer})
    def create(self, request, *args, **kwargs):
        given = SessionNoteWriteSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = plain_data(given.validated_data)
        note = services.log_session(
            therapist=request.user, appointment=data.pop("appointment"), data=data
        )
        # answered from what log_session wrote (its areas kept on the note): no re-read
        return self.detail_response(note, status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionNoteUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        note = self.get_object()
        given = SessionNoteUpdateSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(note, request)
        services.correct_session_note(
            note=note, by=request.user, data=plain_data(given.validated_data)
        )
        return self._answer(note)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._answer(services.sign_session_note(note=self.get_object(), by=request.user))

    @extend_schema(request=AddendumSerializer, responses={201: AddendumSerializer})
    @action(detail=True, methods=["post"])
    def addenda(self, request, pk=None):
        note = self.get_object()
        given = AddendumSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        addendum = services.add_addendum(note=note, by=request.user, **given.validated_data)
        return self.detail_response(
            addendum, serializer_class=AddendumSerializer, status=status.HTTP_201_CREATED
        )


class MeasurementViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = OutcomeMeasurement
    policy = MEASUREMENT
    serializer_class = MeasurementSerializer
    audit_read_action = "measurement.read"

    def scoped_queryset(self, user):
        scoped = OutcomeMeasurement.objects.visible_to(user, glass=self.reading)
        return scoped.select_related("plan").order_by("taken_at", "id")

    def audit_patient_of(self, obj):
        return obj.plan.patient_id

    @extend_schema(request=MeasurementWriteSerializer, responses={201: MeasurementSerializer})
    def create(self, request, *args, **kwargs):
        given = MeasurementWriteSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        measurement = services.record_measurement(by=request.user, **given.validated_data)
        return self.detail_response(measurement, status=status.HTTP_201_CREATED)


class PlanProgressView(ClinicAPIMixin, AuditedReadMixin, GenericAPIView):
    """`GET /treatment-plans/{id}/progress/`: how the patient responds to the plan."""

    model = TreatmentPlan
    policy, verbs = PLAN, {"get": "progress"}
    audit_read_action = "plan.progress_read"

    def scoped_queryset(self, user):
        return TreatmentPlan.objects.visible_to(user, glass=True).select_related("referral")

    @extend_schema(responses=ProgressSerializer, tags=["treatment-plans"])
    def get(self, request, pk):
        plan = self.get_object()
        self.audit_read(plan)
        answer = progress.plan_progress(plan)
        return Response(answer, headers={"ETag": etag_of_answer(answer)})


class PatientFhirView(ClinicAPIMixin, GenericAPIView):
    """`GET /patients/{id}/fhir/`: the patient's record as a FHIR R4 Bundle, holding
    exactly what the caller may read (API.md, Roles): a patient without an episode
    of the caller's is a 404. JSON, or for a FHIR client that asks,
    `application/fhir+json`."""

    model = Patient
    policy, verbs = RECORD, {"get": "export"}
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, FhirJSONRenderer]
    parser_classes = [*ClinicAPIMixin.parser_classes, FhirJSONParser]

    def scoped_queryset(self, user):
        return patients_in_care(user, glass=True)

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["patients"])
    def get(self, request, pk):
        patient = self.get_object()
        record(actor=request.user, action="patient.fhir_export", target=patient, patient=patient)
        bundle = fhir.patient_bundle(patient, reader=request.user)
        bundle = add_document_references(bundle, patient=patient, reader=request.user)
        bundle = add_consents(bundle, patient=patient)
        # the record's entries, not the bundle's id and time of assembly
        return Response(bundle, headers={"ETag": etag_of_answer(bundle["entry"])})


# --- progress reports ------------------------------------------------------------------


class ProgressReportFilter(django_filters.FilterSet):
    plan = django_filters.UUIDFilter()
    patient = django_filters.UUIDFilter(field_name="plan__patient")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = ProgressReport
        fields = ["plan", "patient", "status"]


@extend_schema(responses=ProgressReportDetailSerializer)
@extend_schema_view(partial_update=extend_schema(request=ProgressReportUpdateSerializer))
class ProgressReportViewSet(
    ClinicAPIMixin,
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The therapist's episode summary to the doctor: written, signed, sent, and
    acknowledged by the referring doctor with a decision (sessions_log.reports)."""

    model = ProgressReport
    policy = REPORT
    filterset_class = ProgressReportFilter
    audit_read_action = "report.read"

    def scoped_queryset(self, user):
        return (
            ProgressReport.objects.visible_to(user, glass=self.reading)
            .select_related("plan")
            .order_by("-created_at", "id")
        )

    def audit_patient_of(self, obj):
        return obj.plan.patient_id

    def get_serializer_class(self):
        if self.action == "list":
            return ProgressReportSerializer
        return ProgressReportDetailSerializer

    def _answer(self, report, code=status.HTTP_200_OK):
        return self.detail_response(self.get_queryset().get(pk=report.pk), status=code)

    @extend_schema(responses=ProgressReportSerializer)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ProgressReportWriteSerializer, responses={201: ProgressReportDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        given = ProgressReportWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        report = reports.write_progress_report(plan=data.pop("plan"), by=request.user, data=data)
        return self._answer(report, status.HTTP_201_CREATED)

    @extend_schema(request=ProgressReportUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        report = self.get_object()
        given = ProgressReportUpdateSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(report, request)
        reports.update_progress_report(
            report=report, by=request.user, data=dict(given.validated_data)
        )
        return self._answer(report)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._answer(reports.sign_progress_report(report=self.get_object(), by=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._answer(reports.send_progress_report(report=self.get_object(), by=request.user))

    @extend_schema(request=AcknowledgeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self.get_object()
        given = AcknowledgeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self._answer(
            reports.acknowledge_progress_report(
                report=report, by=request.user, **given.validated_data
            )
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        report = self.get_object()
        printed = printing.progress_report_pdf(report)
        record(actor=request.user, action="report.pdf", target=report, patient=report.plan.patient)
        return pdf_response(printed, f"progress-report-{report.pk}.pdf")
