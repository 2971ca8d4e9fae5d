"""Previews of documents (issue 16): an image scaled down, a PDF's first page
rendered (pypdfium2), a JPEG at most PREVIEW_PX on its longer side. Made when
the file is uploaded (documents uploaded before previews existed get theirs on
the first look), kept in the private `documents` storage beside the original,
and read only through the content door (documents/pages.py `document_preview`),
each read audited.

A file that will not decode (a malformed PDF, a truncated PNG) or is too large to
decode safely gets no preview: its state says so and it is never tried again;
nothing about it is an error for the person uploading or looking."""

import io
import logging
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction

from clinic.audit import record

from .models import JPEG, PDF, PNG, Document, PreviewState

log = logging.getLogger(__name__)

PREVIEW_PX = 320  # shown at 160 CSS px: sharp on a tablet's screen
PREVIEW_TYPE = "image/jpeg"
# decoding a picture costs width x height x 4 bytes whatever its file size: a 10 MB
# PNG may claim 100 million pixels. Past this, no preview (Pillow's own guard is 178M).
MAX_PIXELS = 40_000_000
MAX_PDF_SCALE = 4.0  # a tiny page is not blown up past four times its size


class NoPreview(Exception):
    """The file cannot be previewed (malformed, or too large to decode)."""


if TYPE_CHECKING:
    from PIL import Image


# Pillow and pypdfium2 are imported by the upload that needs them: a web worker
# that never takes an upload never holds them (issue 17's memory).


def _from_image(data: bytes) -> "Image.Image":
    from PIL import Image, ImageOps

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise NoPreview(f"{image.width}x{image.height} pixels")
        # the file's structure checked without decoding it (a PNG's chunks and their
        # CRCs): WeasyPrint lets Pillow decode truncated images, process-wide
        image.verify()
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (PREVIEW_PX, PREVIEW_PX))  # a JPEG decodes at a fraction of its size
        image = ImageOps.exif_transpose(image)  # a phone's photo stands as it was taken
        image.thumbnail((PREVIEW_PX, PREVIEW_PX))
        return image
    except NoPreview:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise NoPreview(str(error)) from error


def _from_pdf(data: bytes) -> "Image.Image":
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise NoPreview(str(error)) from error
    try:
        if len(pdf) < 1:
            raise NoPreview("no page")
        page = pdf[0]
        width, height = page.get_size()  # in points
        if width <= 0 or height <= 0:
            raise NoPreview("an empty page")
        scale = min(PREVIEW_PX / max(width, height), MAX_PDF_SCALE)
        return page.render(scale=scale).to_pil()
    except pdfium.PdfiumError as error:
        raise NoPreview(str(error)) from error
    finally:
        pdf.close()


def preview_bytes(data: bytes, content_type: str) -> bytes:
    """The preview of a file, as JPEG bytes; NoPreview when there can be none."""
    from PIL import Image

    if content_type == PDF:
        image = _from_pdf(data)
    elif content_type in (JPEG, PNG):
        image = _from_image(data)
    else:
        raise NoPreview(content_type)
    if image.mode in ("RGBA", "LA", "P"):
        flat = Image.new("RGB", image.size, "white")  # a transparent scan on paper white
        image = image.convert("RGBA")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    out = io.BytesIO()
    try:
        image.convert("RGB").save(out, format="JPEG", quality=80, optimize=True)
    except (OSError, ValueError) as error:  # a truncated image fails only when loaded
        raise NoPreview(str(error)) from error
    return out.getvalue()


def store_preview(*, storage, original_name: str, data: bytes, content_type: str) -> str:
    """The preview saved beside the original; "" when there can be none."""
    try:
        preview = preview_bytes(data, content_type)
    except NoPreview as reason:
        log.info("no preview for %s: %s", original_name, reason)
        return ""
    except Exception:  # a decoder's surprise (Pillow and PDFium read hostile files)
        log.warning("no preview for %s: the decoder failed", original_name, exc_info=True)
        return ""
    return storage.save(f"{original_name}.preview.jpg", ContentFile(preview))


def read_file(file) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def ensure_preview(document: Document, *, storage) -> bool:
    """A document uploaded before previews: its preview made now, once. True when
    it has one."""
    if document.preview_state != PreviewState.PENDING:
        return document.preview_state == PreviewState.READY
    with storage.open(document.storage_name, "rb") as original:
        name = store_preview(
            storage=storage,
            original_name=document.storage_name,
            data=original.read(),
            content_type=document.content_type,
        )
    with transaction.atomic():
        # two first looks at once: the first one's preview stays, the other's goes
        updated = Document.objects.filter(pk=document.pk, preview_state=PreviewState.PENDING)
        state = PreviewState.READY if name else PreviewState.NONE
        if not updated.update(preview_state=state, preview_name=name):
            if name:
                storage.delete(name)
            document.refresh_from_db(fields=["preview_state", "preview_name"])
            return document.preview_state == PreviewState.READY
    document.preview_state, document.preview_name = state, name
    return bool(name)


def open_preview(*, document: Document, by, storage):
    """The preview's bytes for someone the content door let through; audited."""
    record(actor=by, action="document.preview_read", target=document, patient=document.patient)
    return storage.open(document.preview_name, "rb")
