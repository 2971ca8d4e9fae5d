"""Who reads which document (documents/access.py): a referral's documents go
with its episode; a patient's own with the patient's clinical record; the front
desk lists metadata and never receives the bytes; a second doctor and a second
therapist see nothing at all."""

import pytest

from clinic.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"

# role -> (sees the metadata, receives the content)
EXPECTED = {
    "doctor": (True, True),
    "therapist": (True, True),
    "manager": (True, True),
    "front_desk": (True, False),
    "other_doctor": (False, False),
    "other_therapist": (False, False),
}


@pytest.fixture
def documents(plan, prescription, imaging):
    """Theo's plan under Dana's referral, its scan, and Pat's own imaging report."""
    return [prescription, imaging]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_reads_what_the_policy_allows_and_nothing_more(request, api, documents, role):
    user = request.getfixturevalue(role)
    sees, receives = EXPECTED[role]
    client = api.as_(user)
    for document in documents:
        # when the role asks for the document's metadata and its content
        meta = client.get(f"{URL}{document.pk}/")
        body = client.get(f"{URL}{document.pk}/content/")
        # then each answer is the policy's, and outside scope is "missing"
        assert meta.status_code == (200 if sees else 404), (role, document.kind)
        expected = 200 if receives else (403 if role == "front_desk" else 404)
        assert body.status_code == expected, (role, document.kind)
    listed = {row["id"] for row in client.get(URL).json()["results"]}
    assert listed == ({str(d.pk) for d in documents} if sees else set())


def test_a_second_doctor_gets_404_and_leaves_only_her_own_trace(api, other_doctor, documents):
    for document in documents:
        assert api.as_(other_doctor).get(f"{URL}{document.pk}/content/").status_code == 404
    assert not AuditEvent.objects.filter(actor=other_doctor, action="document.content_read")


def test_a_malformed_id_is_missing_too(api, doctor, documents):
    assert api.as_(doctor).get(f"{URL}not-a-uuid/content/").status_code == 404
    assert api.as_(doctor).get(f"{URL}not-a-uuid/").status_code == 404


def test_the_list_filters_by_patient_and_referral(api, doctor, documents, referral):
    prescription, imaging = documents
    by_referral = api.as_(doctor).get(URL, {"referral": referral.pk}).json()["results"]
    assert [row["id"] for row in by_referral] == [str(prescription.pk)]
    by_patient = api.as_(doctor).get(URL, {"patient": referral.patient_id}).json()["results"]
    assert {row["id"] for row in by_patient} == {str(prescription.pk), str(imaging.pk)}


def test_listing_takes_the_same_queries_for_2_and_12_documents(api, doctor, referral, therapist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents import services

    from .conftest import upload

    def add(n):
        for _ in range(n):
            services.upload_document(
                by=therapist, patient=referral.patient, referral=referral, kind="report",
                file=upload(),
            )  # fmt: skip

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.as_(doctor).get(URL).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(10)
    assert count() == few


def test_a_second_doctor_reads_the_documents_after_breaking_the_glass(api, other_doctor, documents):
    from clinic.break_glass import break_the_glass

    # given Otto outside Pat's episodes, who then breaks the glass for Pat
    client = api.as_(other_doctor)
    assert client.get(f"{URL}{documents[0].pk}/content/").status_code == 404
    break_the_glass(
        patient=documents[0].patient, reason="Seen in the emergency room.", by=other_doctor
    )
    # when he reads the documents
    listed = {row["id"] for row in client.get(URL).json()["results"]}
    contents = [client.get(f"{URL}{d.pk}/content/") for d in documents]
    # then both open, and each read is in the audit trail under his name
    assert listed == {str(d.pk) for d in documents}
    assert [c.status_code for c in contents] == [200, 200]
    assert (
        AuditEvent.objects.filter(actor=other_doctor, action="document.content_read").count() == 2
    )


def test_the_glass_opens_reads_only_never_an_upload(api, other_doctor, documents):
    from clinic.break_glass import break_the_glass

    from .conftest import upload

    # given Otto with the glass broken for Pat
    patient = documents[0].patient
    break_the_glass(patient=patient, reason="Seen in the emergency room.", by=other_doctor)
    # when he attaches a file to Pat's referral
    answer = api.as_(other_doctor).post(
        URL, {"patient": patient.pk, "referral": documents[0].referral_id, "kind": "other",
              "file": upload()}, format="multipart",
    )  # fmt: skip
    # then the referral is outside his scope for writing
    assert answer.status_code == 400
    assert "referral" in answer.json()


def test_a_therapist_waiting_on_the_intake_queue_sees_no_document_of_the_patient(
    api, other_therapist, documents, doctor
):
    from tests.factories import ReferralFactory

    # given a new signed referral of Pat waiting in the intake queue
    ReferralFactory(patient=documents[0].patient, doctor=doctor)
    # when Tess, who could pick it up, asks for Pat's documents
    client = api.as_(other_therapist)
    # then the queue opens that referral alone: no earlier document of Pat
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{documents[1].pk}/content/").status_code == 404
