"""Clinical documents as PDF (issue 16): rendered by WeasyPrint from the same
component templates as the pages (templates/pdf/ wraps them in the clinic's
letterhead and a print stylesheet), one letter-size page where the content fits.

A signed record prints once: the first print after its signature is kept in the
private `documents` storage with its SHA-256, and every later print is that
same file (`signed_copy`), so what the physician certified is what is reprinted,
whatever changes around it later."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from .models import SignedCopy


def letterhead() -> dict:
    return {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
    }


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # loaded only when a PDF is made

    html = render_to_string(
        template, {"clinic": letterhead(), "printed_at": timezone.localtime(), **context}
    )
    return HTML(string=html).write_pdf()


def signed_copy(record, kind: str, render) -> bytes:
    """The kept PDF of a signed `record`, made by `render()` on its first print."""
    key = {"target_type": kind, "target_id": str(record.pk)}
    kept = SignedCopy.objects.filter(**key).first()
    if kept is None:
        kept = _keep(key, render())
    with storages["documents"].open(kept.storage_name, "rb") as stored:
        return stored.read()


def _keep(key: dict, pdf: bytes) -> SignedCopy:
    storage = storages["documents"]
    name = storage.save(f"signed/{key['target_type']}/{key['target_id']}.pdf", ContentFile(pdf))
    try:
        with transaction.atomic():
            return SignedCopy.objects.create(
                **key, storage_name=name, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
            )
    except IntegrityError:  # printed twice at once: the first one kept stays the copy
        storage.delete(name)
        return SignedCopy.objects.get(**key)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
