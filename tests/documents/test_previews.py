"""Previews of documents (issue 16): an image scaled down and a PDF's first page,
made on upload, kept through the storage API beside the original, shown in the
patient's and the referral's lists, and served only through the content door,
each read audited. A malformed file gets no preview, and no error."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import storages
from django.test import Client
from PIL import Image

from clinic.models import AuditEvent
from documents import services
from documents.models import Document, PreviewState
from documents.previews import PREVIEW_PX
from tests.security.test_patient_leaks import refused, signed_in_both_ways

from .conftest import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def picture(size=(1200, 900), color="red", fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def two_page_pdf() -> bytes:
    """A real PDF (Pillow writes them): a red first page, a blue second one."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (612, 792), "red"), Image.new("RGB", (612, 792), "blue")
    first.save(out, format="PDF", save_all=True, append_images=[second])
    return out.getvalue()


def png_claiming(width, height) -> bytes:
    """A PNG whose header claims a huge picture: decoding it would take gigabytes."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)


def filed(user, patient, data, name="scan.png", content_type="image/png", **extra):
    return services.upload_document(
        by=user, patient=patient, kind="imaging", file=upload(name, data, content_type), **extra
    )


def stored(name) -> Image.Image:
    with storages["documents"].open(name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_photo_gets_a_small_jpeg_beside_the_original(therapist, plan):
    document = filed(therapist, plan.patient, picture((1200, 900)))
    assert document.preview_state == PreviewState.READY
    # beside the original, in the same private storage
    assert document.preview_name.startswith(document.storage_name)
    image = stored(document.preview_name)
    assert image.format == "JPEG" and image.size == (PREVIEW_PX, 240)


def test_a_pdf_is_previewed_by_its_first_page(therapist, plan):
    document = filed(therapist, plan.patient, two_page_pdf(), "rx.pdf", "application/pdf")
    assert document.preview_state == PreviewState.READY
    image = stored(document.preview_name).convert("RGB")
    assert max(image.size) == PREVIEW_PX
    red, green, blue = image.getpixel((image.width // 2, image.height // 2))
    assert red > 200 and green < 60 and blue < 60  # the red first page, not the blue second


@pytest.mark.parametrize(
    "data, content_type",
    [
        (PDF_BYTES, "application/pdf"),  # the magic bytes of a PDF, and nothing of one
        (b"%PDF-1.7\n" + b"\x00garbage" * 500, "application/pdf"),
        (picture(fmt="PNG")[:200], "image/png"),  # truncated
        (png_claiming(20000, 20000), "image/png"),  # 400 million pixels claimed
    ],
    ids=["hollow-pdf", "garbage-pdf", "truncated-png", "pixel-bomb"],
)
def test_a_malformed_or_outsize_file_is_kept_without_a_preview(
    api, therapist, plan, data, content_type
):
    # the API takes it as before: the upload never fails for want of a preview
    answer = api.as_(therapist).post(
        "/api/v1/documents/",
        {"patient": str(plan.patient_id), "kind": "imaging", "file": upload("f", data)},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    document = Document.objects.get()
    assert (document.preview_state, document.preview_name) == (PreviewState.NONE, "")
    assert storages["documents"].listdir(str(plan.patient_id))[1] == [
        document.storage_name.split("/")[1]
    ]
    # and asking for the preview is a plain 404, the list showing none
    client = _signed_in(therapist)
    assert client.get(f"/documents/{document.pk}/preview/").status_code == 404
    assert "/preview/" not in client.get(f"/patients/{plan.patient_id}/").content.decode()


def test_the_preview_goes_through_the_door_and_each_read_is_audited(doctor, therapist, plan):
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    client = _signed_in(doctor)
    answer = client.get(f"/documents/{document.pk}/preview/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg" and answer["X-Content-Type-Options"] == "nosniff"
    assert "private" in answer["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(answer.streaming_content))).format == "JPEG"
    event = AuditEvent.objects.get(action="document.preview_read")
    assert (event.actor, event.target_id, event.patient_id) == (
        doctor, str(document.pk), plan.patient_id
    )  # fmt: skip


def test_the_lists_show_the_preview_to_those_who_may_open_the_file(
    doctor, front_desk, therapist, plan
):
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    url = f"/documents/{document.pk}/preview/"
    doctor_client = _signed_in(doctor)
    assert url in doctor_client.get(f"/patients/{plan.patient_id}/").content.decode()
    fragment = doctor_client.get(
        f"/referrals/{plan.referral_id}/documents/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert url in fragment
    # the front desk lists the paper it files, never its content: no picture of it
    desk = _signed_in(front_desk)
    assert url not in desk.get(f"/patients/{plan.patient_id}/").content.decode()
    assert desk.get(url).status_code == 403


def test_nobody_outside_the_door_sees_a_preview(
    other_doctor, other_therapist, biller, manager, therapist, plan, patient
):
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    url = f"/documents/{document.pk}/preview/"
    assert _signed_in(other_doctor).get(url).status_code == 404
    assert _signed_in(other_therapist).get(url).status_code == 404
    assert _signed_in(biller).get(url).status_code == 403
    assert _signed_in(manager).get(url).status_code == 200  # the manager reads every record
    pages, _api = signed_in_both_ways(patient)
    assert refused(pages.get(url))
    assert not AuditEvent.objects.filter(
        action="document.preview_read", actor__in=[other_doctor, other_therapist, biller]
    ).exists()


def test_a_document_from_before_previews_gets_one_on_the_first_look(doctor, therapist, plan):
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    storages["documents"].delete(document.preview_name)
    Document.objects.filter(pk=document.pk).update(preview_state="pending", preview_name="")
    answer = _signed_in(doctor).get(f"/documents/{document.pk}/preview/")
    document.refresh_from_db()
    assert answer.status_code == 200 and document.preview_state == PreviewState.READY
    assert storages["documents"].exists(document.preview_name)


def test_a_malformed_document_from_before_previews_is_tried_once(doctor, therapist, plan):
    document = filed(therapist, plan.patient, PDF_BYTES, "x.pdf", "application/pdf")
    Document.objects.filter(pk=document.pk).update(preview_state="pending")
    client = _signed_in(doctor)
    assert client.get(f"/documents/{document.pk}/preview/").status_code == 404
    document.refresh_from_db()
    assert document.preview_state == PreviewState.NONE
