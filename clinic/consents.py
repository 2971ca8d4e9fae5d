"""Consent (API.md, The patient's side): versioned documents the manager
publishes, the patient's drawn signature (or a paper consent the front desk
scans), and the gate before every session note: no note while the patient has
not signed the current consent to treatment (`409 consent_missing`)."""

import base64
import binascii
import struct

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from .access import CONSENT
from .audit import current_ip, record
from .errors import Conflict, ConsentMissing, Invalid, InvalidTransition
from .models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ConsentSource,
    Patient,
    User,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 300 * 1024  # a drawn signature is a few kilobytes
SCAN_TYPES = {b"%PDF": "application/pdf", PNG_MAGIC[:4]: "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_SCAN_BYTES = 1536 * 1024  # base64 of it stays under Django's 2.5 MB request limit


def current_treatment_consent() -> ConsentDocument | None:
    return ConsentDocument.objects.current().filter(kind=ConsentKind.TREATMENT).first()


def has_signed(patient: Patient, document: ConsentDocument) -> bool:
    return ConsentSignature.objects.filter(patient=patient, document=document).exists()


def consent_missing(patient: Patient) -> bool:
    """True while the clinic asks for consent and the patient has not signed the
    current version (no published document: nothing to sign, no gate)."""
    if not settings.CONSENT_REQUIRED:
        return False
    # one round trip, published or not: it runs in every session note's create
    current = ConsentDocument.objects.current().filter(kind=ConsentKind.TREATMENT)
    return current.exclude(signatures__patient=patient).exists()


def check_consent(patient: Patient) -> None:
    """The gate before a session note."""
    if consent_missing(patient):
        raise ConsentMissing(
            f"{patient.full_name} has not signed the current consent to treatment: "
            "ask them to sign it on their phone, or record a consent signed on paper."
        )


# --- the manager publishes ----------------------------------------------------------------


@transaction.atomic
def publish_consent(*, kind: str, title: str, text: str, by: User | None) -> ConsentDocument:
    """A new version of a consent document; patients are asked to sign it again."""
    if by is not None:
        CONSENT.check(by, "publish")
    if kind not in ConsentKind.values:
        raise Invalid.field("kind", f"Choose one of {', '.join(ConsentKind.values)}.")
    if not title.strip() or not text.strip():
        raise Invalid(
            {"title": ["Give a title."]} if not title.strip() else {"text": ["Give the text."]}
        )
    newest = ConsentDocument.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
    document = ConsentDocument.objects.create(
        kind=kind, version=newest + 1, title=title.strip(), text=text.strip(), created_by=by
    )
    record(
        actor=by, action="consent.published", target=document, detail=f"version {document.version}"
    )
    return document


# --- the patient signs, or the front desk records paper --------------------------------------


def decode_base64(value, *, field: str, limit: int) -> bytes:
    text = str(value or "")
    if text.startswith("data:"):
        text = text.partition(",")[2]  # a canvas' data URL
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid.field(field, "Send the image as base64.") from None
    if not data:
        raise Invalid.field(field, "The image is empty.")
    if len(data) > limit:
        raise Invalid.field(field, f"The image is larger than {limit // 1024} KB.")
    return data


def check_drawn_signature(data: bytes) -> None:
    """A PNG of a believable size (a canvas, not a pixel)."""
    if not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        raise Invalid.field("signature_png", "The signature must be a PNG image.")
    width, height = struct.unpack(">II", data[16:24])
    if width < 100 or height < 40:
        raise Invalid.field("signature_png", "The signature image is too small to read.")


def _signable(document: ConsentDocument, patient: Patient) -> None:
    current = ConsentDocument.objects.current().filter(pk=document.pk).exists()
    if not current:
        raise InvalidTransition("A newer version of this document exists; sign that one.")
    if has_signed(patient, document):
        raise Conflict("You have already signed this version.")


def _store(**fields) -> ConsentSignature:
    try:
        with transaction.atomic():
            return ConsentSignature.objects.create(**fields)
    except IntegrityError as error:  # signed twice at once
        raise Conflict("This version is already signed.") from error


@transaction.atomic
def sign_consent(
    *,
    patient: Patient,
    document: ConsentDocument,
    full_name: str,
    signature_png,
    user_agent: str = "",
) -> ConsentSignature:
    """The patient's drawn signature of the current version."""
    full_name = " ".join(str(full_name or "").split())
    if len(full_name) < 2:
        raise Invalid.field("full_name", "Type your full name.")
    if not signature_png:
        raise Invalid.field("signature_png", "Draw your signature in the box.")
    image = decode_base64(signature_png, field="signature_png", limit=MAX_IMAGE_BYTES)
    check_drawn_signature(image)
    _signable(document, patient)
    signature = _store(
        document=document, patient=patient, source=ConsentSource.DRAWN, full_name=full_name[:200],
        image=image, image_type="image/png", document_sha256=document.sha256,
        signed_at=timezone.now(), ip=current_ip.get(), user_agent=(user_agent or "")[:300],
    )  # fmt: skip
    record(
        actor=None, action="consent.signed", target=signature, patient=patient,
        detail=f"by the patient: {document} sha256 {document.sha256[:12]}",
    )  # fmt: skip
    return signature


def scan_type(data: bytes) -> str:
    for magic, content_type in SCAN_TYPES.items():
        if data.startswith(magic):
            return content_type
    raise Invalid.field("document", "The scan must be a PDF, PNG or JPEG.")


@transaction.atomic
def record_paper_consent(
    *, patient: Patient, document: ConsentDocument, scan, by: User
) -> ConsentSignature:
    """The front desk records a consent the patient signed on paper, with its scan."""
    CONSENT.check(by, "record_paper")
    image = decode_base64(scan, field="document", limit=MAX_SCAN_BYTES)
    content_type = scan_type(image)
    _signable(document, patient)
    signature = _store(
        document=document, patient=patient, source=ConsentSource.PAPER,
        full_name=patient.full_name, image=image, image_type=content_type,
        document_sha256=document.sha256, signed_at=timezone.now(), ip=current_ip.get(),
        recorded_by=by,
    )  # fmt: skip
    record(
        actor=by, action="consent.paper", target=signature, patient=patient, detail=str(document)
    )
    return signature


def documents_for(patient: Patient) -> list[dict]:
    """The current documents and, for each, when the patient signed it (or None)."""
    documents = list(ConsentDocument.objects.current())
    signed = dict(
        ConsentSignature.objects.filter(patient=patient, document__in=documents).values_list(
            "document_id", "signed_at"
        )
    )
    return [{"document": d, "signed_at": signed.get(d.pk)} for d in documents]


def patients_missing_consent(patient_ids) -> set:
    """Of these patients, those the gate would stop (one query, for a day's list)."""
    if not settings.CONSENT_REQUIRED:
        return set()
    document = current_treatment_consent()
    if document is None:
        return set()
    signed = ConsentSignature.objects.filter(document=document, patient_id__in=list(patient_ids))
    return set(patient_ids) - set(signed.values_list("patient_id", flat=True))
