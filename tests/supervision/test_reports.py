"""The progress report's lifecycle: written when due, signed, sent to the doctor
by email with a link, acknowledged with an answer that acts on the plan."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from referrals.models import PlanStatus, ReferralStatus
from scheduling.models import AppointmentStatus
from sessions_log.models import ReportStatus
from sessions_log.progress import plan_flags
from sessions_log.reports import (
    acknowledge_progress_report,
    send_progress_report,
    sign_progress_report,
    update_progress_report,
    write_progress_report,
)
from tests.factories import AppointmentFactory

REPORT = {
    "summary": "Neck pain down from 7 to 3 over 8 visits; turning the head freely.",
    "recommendation": "continue",
    "recommendation_note": "Four more visits to consolidate.",
}


@pytest.fixture
def due(plan, log_visits):
    """Pat's plan after its 8th and last visit: a report is due."""
    log_visits(plan, [(7, 5), (6, 4), (6, 4), (5, 3), (5, 3), (4, 3), (4, 2), (3, 2)],
               adverse_reaction="")  # fmt: skip
    assert "progress_report_due" in plan_flags(plan)
    return plan


@pytest.fixture
def sent(due, therapist, mailoutbox):
    report = write_progress_report(plan=due, by=therapist, data=REPORT)
    report = sign_progress_report(report=report, by=therapist)
    return send_progress_report(report=report, by=therapist)


def test_the_report_snapshots_the_episode(due, therapist):
    # given / when
    report = write_progress_report(plan=due, by=therapist, data=REPORT)
    # then
    assert report.status == ReportStatus.DRAFT
    assert report.visits_covered == 8
    snapshot = report.snapshot
    assert snapshot["diagnoses"] == [{"code": "M54.2", "description": "Cervicalgia"}]
    # 3 (latest pain before) - 7 (first) = -4
    assert snapshot["progress"]["pain_change"] == -4
    assert snapshot["progress"]["visits_completed"] == 8
    assert snapshot["notable_notes"][-1]["date"] == snapshot["progress"]["sessions"][-1]["date"]


def test_signing_the_report_settles_the_due_flag(due, therapist):
    # given a draft
    report = write_progress_report(plan=due, by=therapist, data=REPORT)
    assert "progress_report_due" in plan_flags(due)
    # when
    sign_progress_report(report=report, by=therapist)
    # then
    assert "progress_report_due" not in plan_flags(due)


def test_sending_emails_the_doctor_a_link(
    due, therapist, doctor, mailoutbox, django_capture_on_commit_callbacks
):
    # given a signed report
    report = sign_progress_report(
        report=write_progress_report(plan=due, by=therapist, data=REPORT), by=therapist
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        report = send_progress_report(report=report, by=therapist)
    # then
    assert report.status == ReportStatus.SENT
    [email] = mailoutbox
    assert email.to == [doctor.email]
    assert "after 8 visits" in email.subject
    assert f"/reports/{report.pk}/" in email.body and "Continue" in email.body


def test_a_report_needs_a_summary_and_a_recommendation(due, therapist):
    # given / when / then
    with pytest.raises(Invalid) as error:
        write_progress_report(plan=due, by=therapist, data={"recommendation": "more"})
    assert set(error.value.errors) == {"summary", "recommendation"}


def test_only_the_plans_therapist_writes_it(due, other_therapist):
    # given / when / then
    with pytest.raises(NotAllowed):
        write_progress_report(plan=due, by=other_therapist, data=REPORT)


def test_a_signed_report_is_locked(sent, therapist):
    # given / when / then
    with pytest.raises(Locked):
        update_progress_report(report=sent, by=therapist, data={"summary": "Changed"})
    with pytest.raises(InvalidTransition):
        sign_progress_report(report=sent, by=therapist)


def test_a_draft_is_edited_by_its_author(due, therapist):
    # given
    report = write_progress_report(plan=due, by=therapist, data=REPORT)
    # when
    report = update_progress_report(report=report, by=therapist, data={"recommendation": "change"})
    # then
    assert report.recommendation == "change"


def test_a_draft_cannot_be_acknowledged(due, therapist, doctor):
    # given
    report = write_progress_report(plan=due, by=therapist, data=REPORT)
    # when / then
    with pytest.raises(InvalidTransition):
        acknowledge_progress_report(report=report, by=doctor, decision="continue")


@pytest.mark.parametrize("user", ["other_doctor", "therapist"])
def test_only_the_referring_doctor_acknowledges(sent, request, user):
    # given / when / then
    with pytest.raises(NotAllowed):
        acknowledge_progress_report(
            report=sent, by=request.getfixturevalue(user), decision="continue"
        )


def test_continue_recertifies_the_plan(sent, doctor):
    # given / when
    report = acknowledge_progress_report(report=sent, by=doctor, decision="continue",
                                         certify_days=30)  # fmt: skip
    # then
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.decision == "continue"
    report.plan.refresh_from_db()
    assert report.plan.certified_until == timezone.localdate() + timedelta(days=29)


def test_change_sends_the_plan_back_to_the_therapist(sent, doctor):
    # given / when
    report = acknowledge_progress_report(
        report=sent, by=doctor, decision="change", note="Add the left upper back."
    )
    # then
    report.plan.refresh_from_db()
    assert report.plan.status == PlanStatus.DRAFT
    assert report.plan.doctor_comment == "Add the left upper back."


def test_change_needs_a_note(sent, doctor):
    # given / when / then
    with pytest.raises(Invalid):
        acknowledge_progress_report(report=sent, by=doctor, decision="change")
    sent.refresh_from_db()
    assert sent.status == ReportStatus.SENT


def test_end_completes_the_plan_with_a_discharge_summary_and_cancels_booked_visits(sent, doctor):
    # given a visit still booked next week
    visit = AppointmentFactory(plan=sent.plan, start=timezone.now() + timedelta(days=7))
    # when
    report = acknowledge_progress_report(
        report=sent, by=doctor, decision="end",
        discharge_summary="Goals met; discharged to a home stretching programme.",
    )  # fmt: skip
    # then
    plan = report.plan
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert plan.end_reason.startswith("Goals met")
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED
    # the episode ends with it, as on the doctor's page (one end-of-therapy service)
    plan.referral.refresh_from_db()
    assert plan.referral.status == ReferralStatus.COMPLETED


def test_end_needs_a_discharge_summary(sent, doctor):
    # given / when / then
    with pytest.raises(Invalid) as error:
        acknowledge_progress_report(report=sent, by=doctor, decision="end")
    assert "discharge_summary" in error.value.errors


def test_an_unknown_answer_is_refused(sent, doctor):
    # given / when / then
    with pytest.raises(Invalid) as error:
        acknowledge_progress_report(report=sent, by=doctor, decision="maybe")
    assert "decision" in error.value.errors
