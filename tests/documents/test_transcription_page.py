"""The therapist's side of a paper prescription: the paper intake lists the
scans waiting, the transcription page shows the scan beside the referral form,
and saving or signing there is the API's transcription."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinic.models import AuditEvent
from documents import services
from referrals.models import OutsidePhysician, Referral
from tests.factories import PatientFactory

from .conftest import PNG_BYTES, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def fax(front_desk, doctor):
    quinn = PatientFactory(first_name="Quinn", last_name="Faxley", created_by=doctor)
    return services.upload_document(
        by=front_desk, patient=quinn, kind="prescription", file=upload("fax.png", PNG_BYTES)
    )


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _form(**extra):
    return {
        "diagnoses": ["M54.2"], "side_neck": "bilateral",
        "recommended_modalities": ["trigger_point"],
        "visits_prescribed": "8", "frequency_per_week": "2",
        "valid_until": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "first_name": "Ada", "last_name": "Okafor", "npi": "1234567893",
        "email": "ada@practice.example", **extra,
    }  # fmt: skip


def test_the_paper_intake_lists_the_scan_and_the_page_shows_it(therapist, fax):
    client = _signed_in(therapist)
    listing = client.get("/paper/")
    page = client.get(f"/documents/{fax.pk}/transcribe/")
    scan = client.get(f"/documents/{fax.pk}/view/")
    assert "Faxley" in listing.content.decode()
    assert f"/documents/{fax.pk}/transcribe/" in listing.content.decode()
    assert page.status_code == 200 and f"/documents/{fax.pk}/view/" in page.content.decode()
    # the scan inline, for this page's frame only, and its read audited
    assert scan.status_code == 200 and scan["Content-Type"] == "image/png"
    assert "attachment" not in scan.get("Content-Disposition", "")
    assert "frame-ancestors 'self'" in scan["Content-Security-Policy"]
    assert AuditEvent.objects.filter(actor=therapist, action="document.content_read").exists()


def test_signing_on_the_page_transcribes_with_a_new_physician(therapist, fax):
    # when Theo types Ada from the letterhead and signs for the document
    answer = _signed_in(therapist).post(f"/documents/{fax.pk}/transcribe/", _form(sign="1"))
    # then the referral is Ada's, signed by Theo, and the scan is filed on it
    referral = Referral.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/referrals/{referral.pk}/"
    assert referral.outside_physician == OutsidePhysician.objects.get(npi="1234567893")
    assert (referral.status, referral.signed_by, referral.source) == (
        "signed",
        therapist,
        "document",
    )
    fax.refresh_from_db()
    assert fax.referral == referral
    detail = _signed_in(therapist).get(answer["Location"]).content.decode()
    assert "Okafor" in detail and "transcribed by" in detail


def test_a_bad_npi_is_named_and_nothing_is_written(therapist, fax):
    answer = _signed_in(therapist).post(f"/documents/{fax.pk}/transcribe/", _form(npi="1234567890"))
    assert answer.status_code == 400
    assert "check digit" in answer.content.decode()
    assert not Referral.objects.exists() and not OutsidePhysician.objects.exists()


def test_a_refused_transcription_leaves_no_new_physician(therapist, fax):
    # given a prescription whose validity ends today: it is refused
    body = _form(sign="1", valid_until=timezone.localdate().isoformat())
    answer = _signed_in(therapist).post(f"/documents/{fax.pk}/transcribe/", body)
    # then the date is named, and the physician typed with it is not kept either
    assert answer.status_code == 400 and "after today" in answer.content.decode()
    assert not Referral.objects.exists() and not OutsidePhysician.objects.exists()


@pytest.mark.parametrize("role", ["doctor", "front_desk", "manager"])
def test_only_therapists_transcribe_on_the_page(request, fax, role):
    client = _signed_in(request.getfixturevalue(role))
    assert client.get(f"/documents/{fax.pk}/transcribe/").status_code == 403
    assert client.get("/paper/").status_code == 403


def test_a_saved_transcription_is_signed_later_from_the_referral_page(therapist, fax):
    client = _signed_in(therapist)
    saved = client.post(f"/documents/{fax.pk}/transcribe/", _form(save="1"))
    referral = Referral.objects.get()
    detail = client.get(saved["Location"]).content.decode()
    assert referral.status == "draft"
    assert (
        f"/referrals/{referral.pk}/sign/" in detail and f"/referrals/{referral.pk}/edit/" in detail
    )
    assert client.get(f"/referrals/{referral.pk}/edit/").status_code == 200
    client.post(f"/referrals/{referral.pk}/sign/")
    referral.refresh_from_db()
    assert (referral.status, referral.signed_by) == ("signed", therapist)
