"""Documents of Pat's record: the scanned prescription of Dana's referral, and
an imaging report filed on Pat herself."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><html><script>alert(1)</script></html>"


def upload(name="scan.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def storage(private_documents):
    return private_documents


@pytest.fixture
def prescription(referral, therapist):
    """The paper prescription of Dana's referral, scanned by Theo."""
    return services.upload_document(
        by=therapist, patient=referral.patient, referral=referral, kind="prescription",
        file=upload(),
    )  # fmt: skip


@pytest.fixture
def imaging(patient, front_desk):
    """An MRI report faxed in for Pat, filed on Pat by the front desk."""
    return services.upload_document(
        by=front_desk, patient=patient, kind="imaging", file=upload("mri.png", PNG_BYTES)
    )
