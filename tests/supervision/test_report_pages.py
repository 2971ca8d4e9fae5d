"""The progress report's pages: the therapist writes, signs and sends; the doctor
reads the printable summary and answers. Scoped like every clinical record."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import PlanStatus
from sessions_log.models import ProgressReport, ReportStatus
from sessions_log.reports import send_progress_report, sign_progress_report, write_progress_report
from tests.conftest import rewriting_history
from tests.factories import TreatmentPlanFactory
from tests.writes import nothing_written

REPORT = {"summary": "Pain 7 -> 3; sleeping through.", "recommendation": "discharge"}


def _as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def report(plan, therapist, log_visits):
    log_visits(plan, [(7, 5), (5, 4), (3, 2)])
    report = write_progress_report(plan=plan, by=therapist, data=REPORT)
    return send_progress_report(report=sign_progress_report(report=report, by=therapist),
                                by=therapist)  # fmt: skip


def test_the_therapist_writes_a_report_from_the_page(plan, therapist, log_visits):
    # given
    log_visits(plan, [(7, 5), (5, 4)])
    # when
    response = _as(therapist).post(reverse("progress_report_new", args=[plan.pk]), REPORT)
    # then
    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("progress_report", args=[report.pk])
    assert report.status == ReportStatus.DRAFT


def test_a_report_without_summary_is_shown_again_with_the_error(plan, therapist):
    # given / when
    with nothing_written():
        response = _as(therapist).post(reverse("progress_report_new", args=[plan.pk]),
                                       {"recommendation": "continue"})  # fmt: skip
    # then
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()


def test_the_doctor_reads_the_printable_summary(report, doctor):
    # given / when
    response = _as(doctor).get(reverse("progress_report", args=[report.pk]))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "M54.2" in body and "Cervicalgia" in body
    assert "Discharge" in body
    assert "css/report.css" in body
    assert "Acknowledge and answer" in body


@pytest.mark.parametrize(("user", "status"), [("other_doctor", 404), ("other_therapist", 404),
                                              ("front_desk", 403)])  # fmt: skip
def test_the_report_stays_within_scope(report, request, user, status):
    # given / when
    response = _as(request.getfixturevalue(user)).get(reverse("progress_report", args=[report.pk]))
    # then
    assert response.status_code == status


def test_the_doctor_ends_therapy_from_the_report(report, doctor):
    # given / when
    response = _as(doctor).post(
        reverse("progress_report_acknowledge", args=[report.pk]),
        {"decision": "end", "discharge_summary": "Goals met; home programme."},
    )
    # then
    assert response.status_code == 302
    report.refresh_from_db()
    report.plan.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.plan.status == PlanStatus.COMPLETED


def test_a_refused_answer_changes_nothing(report, doctor):
    # given / when an end without its discharge summary
    _as(doctor).post(reverse("progress_report_acknowledge", args=[report.pk]), {"decision": "end"})
    # then
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT


def test_the_therapist_signs_and_sends_from_the_page(plan, therapist, log_visits, mailoutbox):
    # given a draft
    log_visits(plan, [(6, 4)])
    report = write_progress_report(plan=plan, by=therapist, data=REPORT)
    client = _as(therapist)
    # when
    client.post(reverse("progress_report_sign", args=[report.pk]))
    client.post(reverse("progress_report_send", args=[report.pk]))
    # then
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT


def _report_page_queries(referral, therapist, doctor, log_visits, sessions) -> int:
    plan = TreatmentPlanFactory(referral=referral, therapist=therapist, planned_visits=40)
    log_visits(plan, [(6, 4)] * sessions)
    report = write_progress_report(plan=plan, by=therapist, data=REPORT)
    client = _as(doctor)
    client.get(reverse("progress_report", args=[report.pk]))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("progress_report", args=[report.pk])).status_code == 200
    return len(queries)


def test_the_report_page_takes_the_same_queries_for_3_and_40_sessions(
    referral, therapist, doctor, log_visits
):
    # given two plans' reports, over 3 and over 40 visits
    referral.visits_prescribed = 60
    with rewriting_history():
        referral.save()
    # when
    few = _report_page_queries(referral, therapist, doctor, log_visits, 3)
    many = _report_page_queries(referral, therapist, doctor, log_visits, 40)
    # then the snapshot holds the episode: no query per session
    assert few == many
    assert many <= 8


def test_the_doctor_lists_the_reports_to_answer(report, doctor, other_doctor):
    # given a sent report / when
    mine = _as(doctor).get(reverse("progress_reports"))
    theirs = _as(other_doctor).get(reverse("progress_reports"))
    # then only the referring doctor sees it
    assert "after 3 visits" in mine.content.decode()
    assert "after 3 visits" not in theirs.content.decode()
