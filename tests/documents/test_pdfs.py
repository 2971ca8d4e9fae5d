"""Clinical documents as PDF (API.md, Outside physicians and documents): a
referral, the plan of care with its certification period and signature block, a
progress report and a discharge summary, for whoever may read the record, each
on one page with the clinic's letterhead. A signed record's PDF is kept with its
SHA-256 and reprinted as it is. Read by extracting the PDF's text."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent, SignedCopy
from referrals import plans
from referrals.models import PlanStatus, TreatmentPlan
from scheduling.therapy import end_therapy
from sessions_log.models import ProgressReport
from tests.factories import TreatmentPlanFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> tuple[str, int]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), len(
        reader.pages
    )


@pytest.fixture
def proposed(referral, therapist):
    plan = TreatmentPlanFactory(
        referral=referral, therapist=therapist, status=PlanStatus.PROPOSED, approved_at=None
    )
    plan.areas.create(region="neck", side="left")
    plan.goals.create(description="Turn the head", measure="nprs", baseline=6, target=2)
    return plan


def test_the_referral_prints_with_the_letterhead_on_one_page(
    api, doctor, referral, private_documents
):
    text, pages = text_of(api.as_(doctor).get(f"/api/v1/referrals/{referral.pk}/pdf/"))
    assert pages == 1
    assert "Riverside Medical Massage" in text and "12 Harbor Street" in text
    assert referral.patient.full_name in text and "M54.2" in text and "Cervicalgia" in text
    assert f"Signed by {doctor}" in text


def test_an_unsigned_plan_of_care_prints_its_period_and_a_blank_signature_block(
    api, therapist, proposed, settings, private_documents
):
    settings.PLAN_CERTIFICATION_MAX_DAYS = 90
    text, pages = text_of(api.as_(therapist).get(f"/api/v1/treatment-plans/{proposed.pk}/pdf/"))
    starts = max(timezone.localdate(), proposed.start_date)
    ends = starts + timedelta(days=89)
    assert pages == 1
    assert "Plan of care" in text and "Certification period" in text
    assert f"{starts:%b} {starts.day}, {starts.year}" in text
    assert f"{ends:%b} {ends.day}, {ends.year}" in text
    assert "Physician's signature" in text and "Turn the head" in text
    assert not SignedCopy.objects.exists()  # nothing signed: nothing kept


def test_the_approved_plan_of_care_is_kept_with_its_hash_and_reprinted_as_kept(
    api, doctor, therapist, proposed, private_documents
):
    # given Dana approves the plan, certifying it
    plans.approve_plan(plan=proposed, by=doctor)
    url = f"/api/v1/treatment-plans/{proposed.pk}/pdf/"
    first = api.as_(therapist).get(url)
    text, _ = text_of(first)
    assert f"Approved and certified by {doctor}" in text
    kept = SignedCopy.objects.get()
    assert kept.sha256 == hashlib.sha256(first.content).hexdigest()
    # when the plan's notes change afterwards (the row, behind the printout)
    TreatmentPlan.objects.filter(pk=proposed.pk).update(doctor_comment="changed later")
    proposed.areas.update(notes="Changed after the signature")
    again = api.as_(doctor).get(url)
    # then the reprint is the very file that was certified
    assert again.content == first.content
    assert "Changed after the signature" not in text_of(again)[0]
    assert AuditEvent.objects.filter(action="plan.pdf").count() == 2


def test_the_progress_report_and_the_discharge_summary_print(
    api, doctor, therapist, plan, private_documents
):
    report = ProgressReport.objects.create(
        plan=plan, author=therapist, visits_covered=4, summary="Pain down by half.",
        recommendation="discharge", status="signed", signed_at=timezone.now(),
        snapshot={"patient": {"name": plan.patient.full_name}, "diagnoses": []},
    )  # fmt: skip
    text, pages = text_of(api.as_(doctor).get(f"/api/v1/progress-reports/{report.pk}/pdf/"))
    assert pages == 1 and "Progress report" in text and "Pain down by half." in text
    discharge = f"/api/v1/treatment-plans/{plan.pk}/discharge/pdf/"
    assert api.as_(doctor).get(discharge).status_code == 404  # therapy goes on
    end_therapy(plan=plan, by=doctor, discharge_summary="Goals met; home exercises.")
    text, pages = text_of(api.as_(therapist).get(discharge))
    assert pages == 1 and "Discharge summary" in text and "Goals met; home exercises." in text


@pytest.mark.parametrize(
    "role, expected",
    [("other_doctor", 404), ("other_therapist", 404), ("front_desk", 403), ("manager", 200)],
)
def test_only_those_who_read_the_record_print_it(
    request, api, referral, plan, role, expected, private_documents
):
    client = api.as_(request.getfixturevalue(role))
    assert client.get(f"/api/v1/referrals/{referral.pk}/pdf/").status_code == expected
    assert client.get(f"/api/v1/treatment-plans/{plan.pk}/pdf/").status_code == expected
