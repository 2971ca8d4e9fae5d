"""REST API of scheduling (API.md): appointments and appointment series. Views are
thin: scope through `visible_to(user)`, check structure, call the booking service."""

from datetime import timedelta

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api_base import ClinicAPIMixin
from clinic.etag import claim_version
from clinic.vocabulary import Role

from . import booking, visits
from .access import APPOINTMENT, SERIES
from .availability import free_starts
from .models import Appointment, AppointmentSeries
from .serializers import (
    AppointmentCreateSerializer,
    AppointmentMoveSerializer,
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    FreeSlotSerializer,
    ReasonSerializer,
    ReminderSerializer,
    SeriesBookedSerializer,
    SeriesCancelSerializer,
    SeriesCreateSerializer,
    SeriesSerializer,
)
from .series import book_series, cancel_series


class AppointmentFilter(django_filters.FilterSet):
    therapist = django_filters.UUIDFilter()
    patient = django_filters.UUIDFilter()
    status = django_filters.MultipleChoiceFilter(
        choices=Appointment._meta.get_field("status").choices
    )
    start_after = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    start_before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Appointment
        fields = ["therapist", "patient", "status", "start_after", "start_before"]


APPOINTMENT_ACTION = extend_schema(request=None, responses=AppointmentSerializer)


@extend_schema_view(partial_update=extend_schema(request=AppointmentMoveSerializer))
class AppointmentViewSet(
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = Appointment
    policy = APPOINTMENT
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter

    def scoped_queryset(self, user):
        return Appointment.objects.visible_to(user, glass=self.reading).order_by("start", "id")

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    @extend_schema(request=AppointmentCreateSerializer, responses={201: AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        given = AppointmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        appointment = booking.book_appointment(**given.validated_data, by=request.user)
        return self.detail_response(appointment, status=status.HTTP_201_CREATED)

    @extend_schema(request=AppointmentMoveSerializer, responses=AppointmentSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        appointment = self.get_object()
        given = AppointmentMoveSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(appointment, request)
        when = {"start": appointment.start, "end": appointment.end, **given.validated_data}
        moved = booking.move_appointment(appointment=appointment, **when, by=request.user)
        return self.detail_response(moved)

    @extend_schema(request=ReasonSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        given = ReasonSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        appointment = visits.cancel_appointment(
            appointment=self.get_object(), by=request.user, **given.validated_data
        )
        return self.detail_response(appointment)

    @APPOINTMENT_ACTION
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        appointment = visits.check_in(appointment=self.get_object(), by=request.user)
        return self.detail_response(appointment)

    @APPOINTMENT_ACTION
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        appointment = visits.mark_no_show(appointment=self.get_object(), by=request.user)
        return self.detail_response(appointment)

    @APPOINTMENT_ACTION
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        """Undo a check-in, no-show or cancellation of the last 24 hours (front desk)."""
        appointment = visits.revert_status(appointment=self.get_object(), by=request.user)
        return self.detail_response(appointment)

    @extend_schema(responses=ReminderSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reminders(self, request, pk=None):
        """A bare list (API.md, Reminders): the outbox rows of this visit."""
        appointment = self.get_object()
        rows = appointment.reminders.order_by("due_at", "kind")
        return Response(ReminderSerializer(rows, many=True).data)


def series_visible_to(user, *, glass: bool = False):
    """The series whose appointments `user` may see (same rule as appointments)."""
    series = AppointmentSeries.objects.all()
    if user.role in (Role.FRONT_DESK, Role.MANAGER):
        return series
    visits = Appointment.objects.visible_to(user, glass=glass).filter(series__isnull=False)
    return series.filter(pk__in=visits.values("series"))


class SeriesViewSet(
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = AppointmentSeries
    policy = SERIES
    serializer_class = SeriesSerializer

    def scoped_queryset(self, user):
        return series_visible_to(user, glass=self.reading).prefetch_related("appointments")

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    @extend_schema(request=SeriesCreateSerializer, responses={201: SeriesBookedSerializer})
    def create(self, request, *args, **kwargs):
        given = SeriesCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        booked = book_series(
            plan=data["plan"],
            therapist=data["therapist"],
            first_start=data["start"],
            duration_minutes=data["duration_minutes"],
            rrule=data["rrule"],
            by=request.user,
            on_conflict=data["on_conflict"],
            extend=data["extend"],
            room=data.get("room"),
            moves={m["occurrence"]: m["start"] for m in data.get("moves", [])},
        )
        # answered from what book_series returned: no second read of the series
        series = booked.series
        series.booked_appointments = booked.appointments
        series.skipped = booked.skipped
        series.short_by = booked.short_by
        return self.detail_response(
            series, serializer_class=SeriesBookedSerializer, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=SeriesCancelSerializer, responses=SeriesSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        series = self.get_object()
        given = SeriesCancelSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        cancel_series(
            series=series,
            from_date=given.validated_data["from"],
            reason=given.validated_data.get("reason", ""),
            by=request.user,
        )
        return self.detail_response(self.get_queryset().get(pk=series.pk))


class AvailabilityView(ClinicAPIMixin, APIView):
    """The free starts of one therapist's day (API.md, Scheduling (v1 additions)):
    working hours, closures, time off and live visits considered; a bare list."""

    policy, verbs = APPOINTMENT, {"get": "read"}

    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses=FreeSlotSerializer(many=True),
        tags=["appointments"],
    )
    def get(self, request):
        given = AvailabilityQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        day, minutes = given.validated_data["date"], given.validated_data["duration_minutes"]
        free = free_starts(
            therapist=given.validated_data["therapist"],
            days=[day],
            duration=timedelta(minutes=minutes),
        )
        return Response(FreeSlotSerializer(free[day], many=True).data)
