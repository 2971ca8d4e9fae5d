"""Clinical documents as PDF (issue 16): rendered by WeasyPrint from the same
component templates as the pages (templates/pdf/ wraps them in the clinic's
letterhead and a print stylesheet), one letter-size page where the content fits.

A signed record prints once: the first print after its signature is kept in the
private `documents` storage with its SHA-256, and every later print is that
same file (`signed_copy`), so what the physician certified is what is reprinted,
whatever changes around it later."""

import hashlib
import subprocess
import sys
from pathlib import Path

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
    html = render_to_string(
        template, {"clinic": letterhead(), "printed_at": timezone.localtime(), **context}
    )
    return html_to_pdf(html)


PDF_PROCESS = Path(__file__).with_name("pdf_process.py")


class PdfRenderingError(RuntimeError):
    """WeasyPrint's process failed or ran out of time; its last words are the message."""


def html_to_pdf(html: str) -> bytes:
    """The one place a PDF is drawn: every document, superbill and claim summary.

    By default in a process of its own (clinic/pdf_process.py), which costs about
    half a second a PDF and keeps WeasyPrint's 40 MB out of the web worker for good;
    `PDF_RENDERING = "inline"` draws it here (the test suite's default, for speed)."""
    if settings.PDF_RENDERING == "inline":
        from weasyprint import HTML  # loaded only when a PDF is made

        return HTML(string=html).write_pdf()
    try:
        done = subprocess.run(
            [sys.executable, "-P", str(PDF_PROCESS)],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=settings.PDF_RENDERING_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PdfRenderingError(
            f"the PDF took longer than {settings.PDF_RENDERING_TIMEOUT} s to draw"
        ) from error
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF-"):
        words = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise PdfRenderingError(
            f"the PDF process ended with {done.returncode}: {' / '.join(words) or 'no output'}"
        )
    return done.stdout


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
