"""The session-note and modality endpoints with billing in them (API.md,
Billing): a note's `services` (write and read; frozen at signing), signing
that charges in the same transaction, and each modality's `service_code`.

These extend sessions_log's and referrals' views from above, so those apps
stay unaware of billing; the project's URL module routes to these."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from clinic.api_base import plain_data
from clinic.etag import claim_version
from referrals.api import ModalityViewSet
from sessions_log.api import SessionNoteViewSet
from sessions_log.models import SessionNote
from sessions_log.services import keep_as_fetched

from .charging import sign_note_and_charge
from .models import NoteService, ServiceMapping
from .note_services import correct_note_with_services, log_session_with_services
from .serializers import (
    BilledNoteSerializer,
    BilledNoteUpdateSerializer,
    BilledNoteWriteSerializer,
    ModalityBillingSerializer,
)


@extend_schema_view(partial_update=extend_schema(request=BilledNoteUpdateSerializer))
class BilledSessionNoteViewSet(SessionNoteViewSet):
    serializer_class = BilledNoteSerializer

    def scoped_queryset(self, user):
        if self.action == "sign":
            # signing reads the note again under its lock, with what its answer shows
            return SessionNote.objects.visible_to(user, glass=self.reading)
        services = NoteService.objects.order_by("position")
        return super().scoped_queryset(user).prefetch_related(Prefetch("services", services))

    @extend_schema(request=BilledNoteWriteSerializer, responses={201: BilledNoteSerializer})
    def create(self, request, *args, **kwargs):
        given = BilledNoteWriteSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = plain_data(given.validated_data)
        note = log_session_with_services(
            therapist=request.user, appointment=data.pop("appointment"), data=data
        )
        # answered from what was written (areas and services kept on the note): no re-read
        return self.detail_response(note, status=status.HTTP_201_CREATED)

    @extend_schema(request=BilledNoteUpdateSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        note = self.get_object()
        given = BilledNoteUpdateSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(note, request)
        correct_note_with_services(
            note=note, by=request.user, data=plain_data(given.validated_data)
        )
        return self._answer(note)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Signs the note and makes its charge, in one transaction."""
        # answered from the note as signing read it (areas, services): no re-read
        signed = sign_note_and_charge(note=self.get_object(), by=request.user)
        keep_as_fetched(signed, "addenda", [])  # a draft has none; they follow signing
        return self.detail_response(signed)


class BilledModalityViewSet(ModalityViewSet):
    serializer_class = ModalityBillingSerializer

    def get_serializer_context(self):
        defaults = ServiceMapping.objects.filter(payer=None)
        codes = dict(defaults.values_list("modality_id", "service_code_id"))
        return {**super().get_serializer_context(), "default_codes": codes}
