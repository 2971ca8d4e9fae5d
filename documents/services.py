"""Storing an uploaded document: judged by its content, limited in size,
hashed, and kept in the private `documents` storage (settings.STORAGES)."""

import hashlib
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid

from .access import DOCUMENT
from .models import JPEG, PDF, PNG, Document, PreviewState
from .previews import read_file, store_preview

# The first bytes of each accepted format; anything else (HTML named scan.pdf,
# an executable, a Word file) is refused whatever its name says.
MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


class TooLarge(Exception):
    """Past DOCUMENT_MAX_MB: the API answers 413."""


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_MB * 1024 * 1024


def sniff(file) -> str | None:
    """The media type the content declares by its magic bytes, or None."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def document_storage():
    return storages["documents"]


@transaction.atomic
def upload_document(*, by, patient, kind: str, file, referral=None) -> Document:
    """`patient` and `referral` come from the caller's scope (the API's fields)."""
    DOCUMENT.check(by, "create")
    if referral is not None and referral.patient_id != patient.pk:
        raise Invalid.field("referral", "This referral belongs to another patient.")
    if file.size > max_bytes():
        raise TooLarge(f"A document may be at most {settings.DOCUMENT_MAX_MB} MB.")
    content_type = sniff(file)
    if content_type is None:
        raise Invalid.field(
            "file", "Only PDF, JPEG and PNG files are accepted (judged by content)."
        )
    digest = sha256_of(file)
    storage = document_storage()
    name = storage.save(f"{patient.pk}/{uuid.uuid4().hex}", file)
    preview = ""
    try:
        preview = store_preview(
            storage=storage, original_name=name, data=read_file(file), content_type=content_type
        )
        document = Document.objects.create(
            patient=patient, referral=referral, kind=kind, content_type=content_type,
            size=file.size, sha256=digest, storage_name=name, uploaded_by=by,
            uploaded_at=timezone.now(), preview_name=preview,
            preview_state=PreviewState.READY if preview else PreviewState.NONE,
        )  # fmt: skip
        record(actor=by, action="document.upload", target=document, patient=patient)
    except BaseException:
        for stored in filter(None, (name, preview)):
            storage.delete(stored)  # no row, no file: nothing half-written
        raise
    return document


def open_content(*, document: Document, by):
    """The stored bytes, for someone the door let through; the read is audited."""
    record(actor=by, action="document.content_read", target=document, patient=document.patient)
    return document_storage().open(document.storage_name, "rb")
