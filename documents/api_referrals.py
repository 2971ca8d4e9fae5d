"""`POST /api/v1/referrals/` also takes a paper prescription (API.md, Outside
physicians and documents): with `outside_physician` and `document` instead of a
staff doctor, a therapist transcribes it. The scan lives in this layer, so the
referrals' viewset is extended here and registered in its place
(clinic/api_urls.py); everything else about referrals is the parent's."""

from collections.abc import Mapping

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status

from clinic.api_base import plain_data
from clinic.serializers import ScopedRelatedField
from referrals import api as referrals_api
from referrals.models import OutsidePhysician
from referrals.serializers import ReferralSerializer, ReferralWriteSerializer

from .models import Document
from .transcription import transcribe_prescription


class TranscriptionSerializer(ReferralWriteSerializer):
    # the patient is the scan's: a therapist may transcribe for a patient not yet
    # in their care (the paper intake), so it is only checked against the scan
    patient = serializers.UUIDField(required=False, help_text="The scan's patient, if given.")
    outside_physician = ScopedRelatedField(OutsidePhysician)
    document = ScopedRelatedField(Document, help_text="The scanned prescription.")


REFERRAL_CREATE = PolymorphicProxySerializer(
    component_name="ReferralCreate",
    serializers=[ReferralWriteSerializer, TranscriptionSerializer],
    resource_type_field_name=None,
)


def transcribing(request) -> bool:
    # any JSON may arrive (null, a list): only an object can name a physician
    data = request.data if request.method == "POST" else None
    return isinstance(data, Mapping) and "outside_physician" in data


class ReferralViewSet(referrals_api.ReferralViewSet):
    def verb_for(self, request):
        verb = super().verb_for(request)
        return "transcribe" if verb == "create" and transcribing(request) else verb

    @extend_schema(request=REFERRAL_CREATE, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        if not transcribing(request):
            return super().create(request, *args, **kwargs)
        given = TranscriptionSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = plain_data(given.validated_data)
        referral = transcribe_prescription(
            by=request.user,
            document=data.pop("document"),
            physician=data.pop("outside_physician"),
            patient_id=data.pop("patient", None),
            renewal_of=data.pop("renewal_of", None),
            data=data,
        )
        return self.detail_response(self._reread(referral), status=status.HTTP_201_CREATED)
