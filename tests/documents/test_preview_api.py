"""A document's preview through the API (`GET /api/v1/documents/{id}/preview/`):
the same door as the page's preview and the file's content, each read audited as
`document.preview_read`; no preview and no access answer alike (404)."""

import io

import pytest
from PIL import Image

from clinic.models import AuditEvent
from documents.models import Document
from tests.security.test_patient_leaks import signed_in_both_ways

from .conftest import PDF_BYTES
from .test_previews import filed, picture, two_page_pdf

pytestmark = pytest.mark.django_db


def preview_url(document) -> str:
    return f"/api/v1/documents/{document.pk}/preview/"


def jpeg_of(answer) -> Image.Image:
    image = Image.open(io.BytesIO(b"".join(answer.streaming_content)))
    image.load()
    return image


def test_the_api_answers_the_preview_as_a_jpeg_and_audits_the_read(api, doctor, therapist, plan):
    # given Theo's scan of Pat's referral, a PDF of two pages
    document = filed(
        therapist, plan.patient, two_page_pdf(), "rx.pdf", "application/pdf", referral=plan.referral
    )
    # when Dana, whose referral it is, asks the API for its preview
    answer = api.as_(doctor).get(preview_url(document))
    # then she gets the first page as a small JPEG, never kept nor sniffed
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Cache-Control"] == "no-store"  # as every API answer: never kept on the way
    image = jpeg_of(answer)
    assert image.format == "JPEG" and max(image.size) == 320
    # and the read is audited as the page's is: by her, on the document, for Pat
    event = AuditEvent.objects.get(action="document.preview_read")
    assert (event.actor, event.target_id, event.patient_id) == (
        doctor, str(document.pk), plan.patient_id
    )  # fmt: skip


def test_the_api_and_the_page_answer_the_same_picture(api, doctor, therapist, plan, client):
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    client.force_login(doctor)
    on_page = b"".join(client.get(f"/documents/{document.pk}/preview/").streaming_content)
    on_api = b"".join(api.as_(doctor).get(preview_url(document)).streaming_content)
    assert on_api == on_page
    assert AuditEvent.objects.filter(action="document.preview_read").count() == 2


def test_no_preview_and_no_access_are_the_same_404(api, doctor, other_doctor, therapist, plan):
    # given a malformed PDF of Pat's (kept, with no preview) and a good scan
    hollow = filed(therapist, plan.patient, PDF_BYTES, "x.pdf", "application/pdf")
    scan = filed(therapist, plan.patient, picture(), referral=plan.referral)
    # when Dana asks for the hollow one's preview, and Otto (outside the episode) for the scan's
    missing = api.as_(doctor).get(preview_url(hollow))
    hidden = api.as_(other_doctor).get(preview_url(scan))
    # then both are the same 404, telling nothing of which it was
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    assert api.as_(doctor).get("/api/v1/documents/not-a-uuid/preview/").status_code == 404


def test_a_document_from_before_previews_gets_one_on_the_first_api_look(
    api, doctor, therapist, plan
):
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    Document.objects.filter(pk=document.pk).update(preview_state="pending", preview_name="")
    answer = api.as_(doctor).get(preview_url(document))
    assert answer.status_code == 200 and jpeg_of(answer).format == "JPEG"


def test_nobody_outside_the_door_gets_a_preview_through_the_api(
    api, other_doctor, other_therapist, biller, front_desk, manager, therapist, plan, patient
):
    # given Pat's scan on Dana's referral, filed by Theo
    document = filed(therapist, plan.patient, picture(), referral=plan.referral)
    url = preview_url(document)
    # then a doctor and a therapist outside the episode find nothing there
    assert api.as_(other_doctor).get(url).status_code == 404
    assert api.as_(other_therapist).get(url).status_code == 404
    # the biller and the front desk never receive a document's bytes (as content/)
    assert api.as_(biller).get(url).status_code == 403
    assert api.as_(front_desk).get(url).status_code == 403
    assert api.as_(manager).get(url).status_code == 200  # the manager reads every record
    # and Pat himself, signed in both ways, is refused: the staff API is not his door
    for client in signed_in_both_ways(patient):
        answer = client.get(url)
        assert answer.status_code in (401, 403), answer.status_code
        assert answer.get("Content-Type") != "image/jpeg"
    # no one refused left a read behind
    readers = set(
        AuditEvent.objects.filter(action="document.preview_read").values_list("actor", flat=True)
    )
    assert readers == {manager.pk}
