"""Attaching a document on the referral's page (API.md, Outside physicians and
documents): the patient page's form and service, the file filed on that
referral; the referral's documents listed beside it, each listed read audited;
the same door as the API's `referral` field."""

import pytest
from django.test import Client

from clinic.models import AuditEvent
from documents.models import Document
from tests.security.test_patient_leaks import refused, signed_in_both_ways

from .conftest import HTML_BYTES, PDF_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _attach(client, referral, file, kind="imaging"):
    return client.post(f"/referrals/{referral.pk}/documents/attach/", {"kind": kind, "file": file})


def _listed(client, referral):
    return client.get(f"/referrals/{referral.pk}/documents/", **HTMX)


def test_the_referral_page_loads_its_documents_with_the_upload_form(therapist, plan):
    client = _signed_in(therapist)
    page = client.get(f"/referrals/{plan.referral_id}/").content.decode()
    assert f'hx-get="/referrals/{plan.referral_id}/documents/"' in page
    fragment = _listed(client, plan.referral).content.decode()
    assert "Documents of this referral" in fragment and "<html" not in fragment
    assert f'action="/referrals/{plan.referral_id}/documents/attach/"' in fragment
    assert 'capture="environment"' in fragment  # the tablet's camera, as on the patient's page


def test_a_file_attached_on_the_referral_page_is_filed_on_that_referral(therapist, plan):
    client = _signed_in(therapist)
    answer = _attach(client, plan.referral, upload("xray.pdf", PDF_BYTES), kind="imaging")
    document = Document.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/referrals/{plan.referral_id}/#documents"
    assert (document.referral, document.patient, document.kind, document.content_type) == (
        plan.referral, plan.patient, "imaging", "application/pdf"
    )  # fmt: skip
    # and the referral's list shows it, the read audited
    fragment = _listed(client, plan.referral).content.decode()
    assert f"/documents/{document.pk}/view/" in fragment
    event = AuditEvent.objects.get(action="document.read", actor=therapist)
    assert (event.target_id, event.patient_id) == (str(document.pk), plan.patient_id)
    assert AuditEvent.objects.filter(action="document.upload", actor=therapist).exists()


def test_the_referrals_list_shows_only_its_own_documents(therapist, plan, imaging):
    # the imaging report filed on Pat herself is on her page, not on the referral's
    _attach(_signed_in(therapist), plan.referral, upload("rx.png", PNG_BYTES), "prescription")
    fragment = _listed(_signed_in(therapist), plan.referral).content.decode()
    assert f"/documents/{imaging.pk}/" not in fragment
    assert fragment.count("/view/") == 1


def test_an_html_file_named_scan_pdf_is_refused_on_the_referral_page(therapist, plan):
    client = _signed_in(therapist)
    answer = _attach(client, plan.referral, upload("scan.pdf", HTML_BYTES))
    page = client.get(answer["Location"].split("#")[0]).content.decode()
    assert not Document.objects.exists()
    assert "Only PDF, JPEG and PNG" in page


def test_the_front_desk_files_a_fax_on_the_referral_without_opening_it(front_desk, referral):
    client = _signed_in(front_desk)
    status_page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'hx-get="/referrals/{referral.pk}/documents/"' in status_page
    _attach(client, referral, upload("fax.pdf", PDF_BYTES), kind="prescription")
    document = Document.objects.get()
    assert document.referral == referral and document.uploaded_by == front_desk
    fragment = _listed(client, referral).content.decode()
    assert "Prescription" in fragment and f"/documents/{document.pk}/view/" not in fragment


def test_without_htmx_the_documents_are_a_page_of_their_own(doctor, referral, prescription):
    page = _signed_in(doctor).get(f"/referrals/{referral.pk}/documents/")
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert f"/documents/{prescription.pk}/view/" in html


def test_the_list_costs_the_same_few_queries_however_many_documents(
    therapist, plan, django_assert_max_num_queries
):
    client = _signed_in(therapist)
    _attach(client, plan.referral, upload("a.png", PNG_BYTES))
    _listed(client, plan.referral)  # warm the session
    with django_assert_max_num_queries(16) as counted:
        _listed(client, plan.referral)
    one = len(counted.captured_queries)
    for name in ("b.png", "c.png", "d.png"):
        _attach(client, plan.referral, upload(name, PNG_BYTES))
    with django_assert_max_num_queries(one):
        answer = _listed(client, plan.referral)
    assert answer.content.decode().count("/view/") == 4


@pytest.mark.parametrize("role", ["other_therapist", "other_doctor"])
def test_a_clinician_outside_the_episode_neither_sees_nor_files(request, role, plan):
    # Theo's plan takes the referral out of the intake queue every therapist reads
    referral = plan.referral
    client = _signed_in(request.getfixturevalue(role))
    assert _listed(client, referral).status_code == 404
    assert _attach(client, referral, upload("mri.png", PNG_BYTES)).status_code == 404
    assert not Document.objects.exists()


def test_the_biller_and_the_manager_file_nothing(biller, manager, referral, prescription):
    for user in (biller, manager):
        answer = _attach(_signed_in(user), referral, upload("mri.png", PNG_BYTES))
        assert answer.status_code == 403
    assert _listed(_signed_in(biller), referral).status_code == 403
    assert Document.objects.count() == 1


def test_a_signed_in_patient_reaches_none_of_it(patient, referral, prescription):
    pages, _api = signed_in_both_ways(patient)
    listed = _listed(pages, referral)
    assert refused(listed) and str(prescription.pk) not in listed.content.decode()
    assert refused(_attach(pages, referral, upload("mri.png", PNG_BYTES)))
    assert Document.objects.count() == 1
