"""`/api/v1/physicians/` (API.md, Outside physicians and documents): the
referring physicians outside the clinic. A directory, not a clinical record:
the front desk, therapists and doctors create and read it, the manager reads.
Its role table is referrals/access.py's `PHYSICIAN`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from rest_framework import mixins, serializers, status, viewsets

from clinic.api_base import ClinicAPIMixin
from clinic.audit import record
from clinic.errors import Invalid

from .access import PHYSICIAN
from .models import OutsidePhysician


class PhysicianSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutsidePhysician
        fields = ["id", "first_name", "last_name", "npi", "practice", "email", "phone", "fax"]
        extra_kwargs = {"npi": {"help_text": "10 digits; the last is the Luhn check digit."}}


def add_physician(*, by, data: dict) -> OutsidePhysician:
    PHYSICIAN.check(by, "create")
    physician = OutsidePhysician.objects.create(created_by=by, **data)
    record(actor=by, action="physician.create", target=physician)
    return physician


EDITABLE = ("first_name", "last_name", "npi", "practice", "email", "phone", "fax")


@transaction.atomic
def change_physician(*, physician: OutsidePhysician, by, data: dict) -> OutsidePhysician:
    """A directory entry corrected (a new fax number, a typo in the NPI): checked
    as a new one is (the NPI by its check digit, once in the directory), else
    `Invalid` naming the field and nothing saved. A link already emailed keeps
    the address it went to (referrals/signature_links.py)."""
    PHYSICIAN.check(by, "update")
    changed = [name for name in EDITABLE if name in data and data[name] != getattr(physician, name)]
    for name in changed:
        setattr(physician, name, data[name])
    try:
        physician.full_clean(exclude=["created_by"])
    except ValidationError as error:
        raise Invalid(error.message_dict) from error
    if changed:
        physician.save(update_fields=[*changed, "updated_at"])
        record(actor=by, action="physician.update", target=physician, detail=", ".join(changed))
    return physician


class PhysicianViewSet(
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = OutsidePhysician
    policy = PHYSICIAN
    serializer_class = PhysicianSerializer

    def scoped_queryset(self, user):
        physicians = OutsidePhysician.objects.all()
        search = self.request.query_params.get("search", "").strip()
        if search:
            physicians = physicians.filter(
                Q(last_name__icontains=search) | Q(first_name__icontains=search) | Q(npi=search)
            )
        return physicians

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def create(self, request, *args, **kwargs):
        given = PhysicianSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        physician = add_physician(by=request.user, data=given.validated_data)
        return self.detail_response(physician, status=status.HTTP_201_CREATED)
