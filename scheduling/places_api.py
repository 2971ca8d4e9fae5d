"""`/api/v1/locations/` and `/api/v1/rooms/` (API.md, Scheduling (v1
additions)): the clinic's places, kept by the manager and read by all staff
(scheduling/access.py `LOCATION`, `ROOM`). Not clinical records: no patient,
so reads are not audited; writes are (scheduling.locations)."""

import uuid

from rest_framework import mixins, status, viewsets

from clinic.api_base import ClinicAPIMixin
from clinic.etag import claim_version

from . import locations
from .access import LOCATION, ROOM
from .models import Location, Room
from .serializers import LocationSerializer, RoomSerializer


class PlaceViewSet(
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    add = change = None  # the service functions of scheduling.locations

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        place = type(self).add(data=given.validated_data, by=request.user)
        return self.detail_response(place, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        place = self.get_object()
        given = self.get_serializer(place, data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(place, request)
        changed = type(self).change(place, data=given.validated_data, by=request.user)
        return self.detail_response(changed)


class LocationViewSet(PlaceViewSet):
    model = Location
    policy = LOCATION
    serializer_class = LocationSerializer

    @staticmethod
    def add(*, data, by):
        return locations.add_location(data=data, by=by)

    @staticmethod
    def change(place, *, data, by):
        return locations.change_location(location=place, data=data, by=by)

    def scoped_queryset(self, user):
        return Location.objects.order_by("name", "id")


class RoomViewSet(PlaceViewSet):
    model = Room
    policy = ROOM
    serializer_class = RoomSerializer

    @staticmethod
    def add(*, data, by):
        return locations.add_room(data=data, by=by)

    @staticmethod
    def change(place, *, data, by):
        return locations.change_room(room=place, data=data, by=by)

    def scoped_queryset(self, user):
        rooms = Room.objects.order_by("location__name", "name", "id")
        location = self.request.query_params.get("location")
        if not location:
            return rooms
        try:
            return rooms.filter(location_id=uuid.UUID(location))
        except ValueError:
            return rooms.none()
