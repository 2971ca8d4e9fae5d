"""A progress report acknowledged by the outside physician through the link
(API.md, Outside physicians and documents: "Progress reports are acknowledged
the same way"): sending it emails a single-use link, the 6-digit code goes to
the same address, the physician types a name and draws a signature; the report
is acknowledged, the acknowledgement shown on its page and printed on its PDF;
every step audited naming the physician. The plan's own signature link is
untouched by it."""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from clinic.models import AuditEvent
from referrals.models import LinkOutcome, LinkPurpose, PhysicianLink, PlanStatus
from sessions_log import reports
from sessions_log.models import ProgressReport, ReportStatus

from .test_signature_link import _code, a_signature, eager_tasks, proposed  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(proposed, therapist):  # noqa: F811 - the fixture
    """Theo's signed progress report on the plan Dr. Okafor certified."""
    PhysicianLink.objects.all().delete()
    proposed.status, proposed.approved_at = PlanStatus.APPROVED, proposed.created_at
    proposed.save(update_fields=["status", "approved_at"])
    data = {"summary": "Neck pain down from 7 to 3.", "recommendation": "continue"}
    written = reports.write_progress_report(plan=proposed, by=therapist, data=data)
    return reports.sign_progress_report(report=written, by=therapist)


def _sent(api, therapist, report, mailoutbox, capture) -> str:
    with capture(execute=True):
        answer = api.as_(therapist).post(f"/api/v1/progress-reports/{report.pk}/send/")
    assert answer.status_code == 200, answer.json()
    mail = mailoutbox[-1]
    assert mail.to == ["ada@harbor.example"]
    assert mail.subject.startswith("Progress report to acknowledge for")
    return re.search(r"https?://\S+/sign/(\S+)/report/", mail.body).group(1)


def _verified_phone(token, mailoutbox, capture) -> Client:
    phone = Client()
    with capture(execute=True):
        phone.post(f"/sign/{token}/code/")
    assert "acknowledge the progress report" in mailoutbox[-1].body
    phone.post(f"/sign/{token}/verify/", {"code": _code(mailoutbox)})
    return phone


def test_the_physician_acknowledges_the_report_through_the_link(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks, private_documents
):
    capture = django_capture_on_commit_callbacks
    # given Theo sends the signed report to Dr. Okafor
    token = _sent(api, therapist, report, mailoutbox, capture)
    phone = Client()
    page = phone.get(f"/sign/{token}/report/")
    html = page.content.decode()
    assert page.status_code == 200 and "Neck pain down from 7 to 3." in html
    assert page["Referrer-Policy"] == "same-origin"
    assert "Acknowledge the report" not in html  # not before the code
    # when she asks for the code, enters it (the plan's steps, back to this page)
    with capture(execute=True):
        asked = phone.post(f"/sign/{token}/code/")
    assert asked["Location"] == f"/sign/{token}/report/"
    entered = phone.post(f"/sign/{token}/verify/", {"code": _code(mailoutbox)})
    assert entered["Location"] == f"/sign/{token}/report/"
    assert "Acknowledge the report" in phone.get(f"/sign/{token}/report/").content.decode()
    # and types her name and draws her signature
    done = phone.post(
        f"/sign/{token}/report/answer/",
        {"typed_name": "Ada Okafor, MD", "signature": a_signature()},
    )
    # then the report is acknowledged, the link spent
    assert done.status_code == 200 and "acknowledged" in done.content.decode()
    report.refresh_from_db()
    link = report.physician_link
    assert report.status == ReportStatus.ACKNOWLEDGED and report.acknowledged_at == link.used_at
    assert (link.outcome, link.typed_name) == (LinkOutcome.ACKNOWLEDGED, "Ada Okafor, MD")
    assert (report.decision, report.acknowledged_by) == ("", None)  # she answers no decision
    assert phone.get(f"/sign/{token}/report/").status_code == 410
    # and Theo's page shows who acknowledged it, with the drawn signature
    theo = Client()
    theo.force_login(therapist)
    html = theo.get(f"/reports/{report.pk}/").content.decode()
    assert "Acknowledged by Dr. Ada Okafor" in html and "Ada Okafor, MD" in html
    assert 'src="data:image/png;base64,' in html
    # and so does the PDF, signature included
    pdf = api.as_(therapist).get(f"/api/v1/progress-reports/{report.pk}/pdf/")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Acknowledged by Dr. Ada Okafor" in text and "secure link" in text
    assert sum(len(p.images) for p in reader.pages) == 1
    # every step audited, naming the physician
    steps = dict(
        AuditEvent.objects.filter(target_id__in=[str(report.pk), str(report.plan_id)])
        .exclude(action__in=["report.sign", "report.write", "report.read", "report.pdf"])
        .values_list("action", "detail")
    )
    for action in (
        "report.acknowledgement_requested", "report.acknowledgement_code_sent",
        "report.acknowledgement_code_verified", "report.acknowledged_by_physician",
    ):  # fmt: skip
        assert "Okafor" in steps[action], action


def test_the_api_shows_the_acknowledged_report(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks
):
    token = _sent(api, therapist, report, mailoutbox, django_capture_on_commit_callbacks)
    phone = _verified_phone(token, mailoutbox, django_capture_on_commit_callbacks)
    phone.post(f"/sign/{token}/report/answer/", {"typed_name": "Ada", "signature": a_signature()})
    body = api.as_(therapist).get(f"/api/v1/progress-reports/{report.pk}/").json()
    assert body["status"] == "acknowledged" and body["acknowledged_at"]


def test_without_the_code_or_a_signature_nothing_is_acknowledged(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    token = _sent(api, therapist, report, mailoutbox, capture)
    answer = {"typed_name": "Ada Okafor", "signature": a_signature()}
    assert Client().post(f"/sign/{token}/report/answer/", answer).status_code == 302
    phone = _verified_phone(token, mailoutbox, capture)
    unsigned = phone.post(f"/sign/{token}/report/answer/", {"typed_name": "Ada", "signature": ""})
    assert unsigned.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT and report.physician_link.outcome == ""


def test_the_report_link_opens_neither_the_plans_page_nor_its_answer(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    token = _sent(api, therapist, report, mailoutbox, capture)
    phone = _verified_phone(token, mailoutbox, capture)
    assert phone.get(f"/sign/{token}/").status_code == 410
    approve = {"answer": "approve", "typed_name": "Ada", "signature": a_signature()}
    assert phone.post(f"/sign/{token}/answer/", approve).status_code == 410
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT


def test_a_plans_link_opens_no_report_page(
    api,
    therapist,
    proposed,  # noqa: F811 - the fixture
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        api.as_(therapist).post(f"/api/v1/treatment-plans/{proposed.pk}/request-signature/")
    token = re.search(r"/sign/(\S+)/", mailoutbox[-1].body).group(1)
    assert Client().get(f"/sign/{token}/report/").status_code == 410


def test_a_waiting_report_is_no_plan_waiting_for_its_signature(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks
):
    _sent(api, therapist, report, mailoutbox, django_capture_on_commit_callbacks)
    theo = Client()
    theo.force_login(therapist)
    plan_page = theo.get(f"/plans/{report.plan_id}/").content.decode()
    assert "Waiting for the physician" not in plan_page
    report_page = theo.get(f"/reports/{report.pk}/").content.decode()
    assert "Waiting for Dr. Ada Okafor" in report_page


def test_a_physician_without_email_gets_nothing_and_the_report_stays_signed(api, therapist, report):
    report.plan.referral.outside_physician.__class__.objects.update(email="")
    answer = api.as_(therapist).post(f"/api/v1/progress-reports/{report.pk}/send/")
    assert answer.status_code == 400 and "email" in answer.json()
    report.refresh_from_db()
    assert report.status == ReportStatus.SIGNED and report.physician_link is None
    assert not PhysicianLink.objects.filter(purpose=LinkPurpose.PROGRESS_REPORT).exists()


def test_the_link_is_single_use_even_twice_at_once(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks
):
    token = _sent(api, therapist, report, mailoutbox, django_capture_on_commit_callbacks)
    _verified_phone(token, mailoutbox, django_capture_on_commit_callbacks)
    link = ProgressReport.objects.get(pk=report.pk).physician_link
    PhysicianLink.objects.filter(pk=link.pk).update(verified_at=link.created_at)
    link.refresh_from_db()
    reports.acknowledge_by_outside_physician(link=link, typed_name="Ada", signature=a_signature())
    from clinic.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        reports.acknowledge_by_outside_physician(
            link=link, typed_name="Ada", signature=a_signature()
        )


def test_a_waiting_report_is_reminded_with_its_own_words(
    api, therapist, report, mailoutbox, django_capture_on_commit_callbacks, clock
):
    from datetime import timedelta

    from referrals.signature_links import remind_waiting_physicians

    old = _sent(api, therapist, report, mailoutbox, django_capture_on_commit_callbacks)
    clock.traveller.shift(timedelta(days=3, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_waiting_physicians() == 1
    reminder = mailoutbox[-1]
    assert reminder.subject.startswith("Reminder: Progress report to acknowledge for")
    fresh = re.search(r"/sign/(\S+)/report/", reminder.body).group(1)
    # the fresh link opens the report, the older one no more
    assert Client().get(f"/sign/{fresh}/report/").status_code == 200
    assert Client().get(f"/sign/{old}/report/").status_code == 410
