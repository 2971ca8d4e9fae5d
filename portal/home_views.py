"""The home programme for the patient (the API and the page, with a "done" tap),
and the patient's whole record."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from clinic.pagination import Pagination
from scheduling.reminders import clinic_context
from sessions_log.fhir_media import FhirJSONRenderer
from sessions_log.home_programme import log_done, programme_of

from . import sign_in
from .access import patient_page
from .api import PortalAPIMixin
from .record import own_record


class PortalExerciseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="exercise.name")
    region = serializers.CharField(source="exercise.region")
    instructions = serializers.CharField(source="exercise.instructions")
    hold_seconds = serializers.IntegerField()
    repetitions = serializers.IntegerField()
    times_per_day = serializers.IntegerField()
    done_today = serializers.IntegerField()
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, row) -> str:
        return self.context["request"].build_absolute_uri(
            static(f"exercises/{row.exercise.code}.svg")
        )


class DoneSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    done_at = serializers.DateTimeField()


@extend_schema(tags=["portal"])
class HomeProgrammeView(PortalAPIMixin, GenericAPIView):
    serializer_class = PortalExerciseSerializer
    pagination_class = Pagination  # the API's pages, described as they are
    verbs = {"get": "read_home_programme"}

    @extend_schema(responses=PortalExerciseSerializer(many=True))  # a page of them
    def get(self, request):
        self.audit("portal.home_programme_read")
        page = self.paginate_queryset(programme_of(self.patient))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["portal"])
class DoneView(PortalAPIMixin, GenericAPIView):
    serializer_class = DoneSerializer
    verbs = {"post": "exercise_done"}

    @extend_schema(request=None, responses={201: DoneSerializer})
    def post(self, request, pk):
        row = get_object_or_404(programme_of(self.patient), pk=pk)
        done = log_done(home_exercise=row)
        return Response(DoneSerializer(done).data, status=status.HTTP_201_CREATED)


@patient_page("read_home_programme")
def stretches(request):
    patient = request.patient_caller.patient
    sign_in.audit_by_patient(patient, "portal.home_programme_read", via="patient pages")
    context = {"patient": patient, "rows": programme_of(patient), **clinic_context()}
    return render(request, "portal/stretches.html", context)


@require_POST
@patient_page("exercise_done")
def stretch_done(request, home_exercise_id):
    row = get_object_or_404(programme_of(request.patient_caller.patient), pk=home_exercise_id)
    log_done(home_exercise=row)
    messages.success(request, f"Well done: {row.exercise.name}.")
    return redirect("portal:stretches")


@extend_schema(tags=["portal"])
class RecordView(PortalAPIMixin, GenericAPIView):
    """The patient's whole record as a FHIR R4 bundle: their right of access."""

    verbs = {"get": "read_record"}
    # JSON, or for a FHIR client that asks, `application/fhir+json` (as the staff export)
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, FhirJSONRenderer]

    @extend_schema(responses={200: dict})
    def get(self, request):
        self.audit("portal.record_read")

        def url_of(paper_id) -> str:  # the paper through this API, with the same token
            return request.build_absolute_uri(reverse("api:portal-document", args=[paper_id]))

        return Response(own_record(request.user, url_of=url_of))
