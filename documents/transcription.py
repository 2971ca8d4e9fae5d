"""A paper prescription becomes a referral (API.md, Outside physicians and
documents): the therapist transcribes it next to its scan, and the scan is filed
on the referral it became, in the same transaction."""

from django.db import transaction

from clinic.audit import record
from clinic.errors import Invalid
from referrals.transcription import transcribe_referral

from .models import Document, DocumentKind


@transaction.atomic
def transcribe_prescription(
    *, by, document: Document, physician, data: dict, renewal_of=None, patient_id=None
):
    """`document` and `physician` come from the caller's scope (the API's fields);
    the patient is the document's (`patient_id`, if given, must be it)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.kind != DocumentKind.PRESCRIPTION:
        raise Invalid.field("document", "Only a scanned prescription can be transcribed.")
    if document.referral_id is not None:
        raise Invalid.field("document", "This prescription is already a referral.")
    if patient_id is not None and str(patient_id) != str(document.patient_id):
        raise Invalid.field("patient", "The scanned prescription is another patient's.")
    referral = transcribe_referral(
        by=by, patient=document.patient, physician=physician, data=data, renewal_of=renewal_of
    )
    document.referral = referral
    document.save(update_fields=["referral", "updated_at"])
    record(actor=by, action="document.file", target=document, patient=document.patient)
    return referral
