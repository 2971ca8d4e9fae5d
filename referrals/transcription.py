"""Referrals from outside physicians (API.md, Outside physicians and documents).
A prescription that arrives on paper is transcribed by a therapist next to its
scan; signing it then records that the scanned document is the signature
(`signed_by` the transcriber, `source` document). Everything else about the
episode is as usual. The scan itself is filed by documents/transcription.py."""

from django.db import transaction

from clinic.models import Patient, User

from .access import REFERRAL
from .models import OutsidePhysician, Referral, ReferralSource
from .services import new_referral


@transaction.atomic
def transcribe_referral(
    *,
    by: User,
    patient: Patient,
    physician: OutsidePhysician,
    data: dict,
    renewal_of: Referral | None = None,
) -> Referral:
    REFERRAL.check(by, "transcribe")
    prescriber = {
        "outside_physician": physician,
        "transcribed_by": by,
        "source": ReferralSource.DOCUMENT,
    }
    return new_referral(
        by=by,
        patient=patient,
        data=data,
        renewal_of=renewal_of,
        prescriber=prescriber,
        action="transcribe",
    )
