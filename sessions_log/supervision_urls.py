"""The pages of the doctor's supervision: progress reports (sessions_log.report_pages)
and the contraindication gate's findings and clearances (referrals.precaution_pages)."""

from django.urls import path

from referrals import precaution_pages

from . import report_pages as pages

urlpatterns = [
    path("plans/<uuid:plan_id>/reports/new/", pages.report_new, name="progress_report_new"),
    path("reports/", pages.report_list, name="progress_reports"),
    path("reports/<uuid:report_id>/", pages.report_detail, name="progress_report"),
    path("reports/<uuid:report_id>/sign/", pages.report_sign, name="progress_report_sign"),
    path("reports/<uuid:report_id>/send/", pages.report_send, name="progress_report_send"),
    path(
        "reports/<uuid:report_id>/acknowledge/",
        pages.report_acknowledge,
        name="progress_report_acknowledge",
    ),
    path("patients/<uuid:patient_id>/findings/", precaution_pages.finding_new, name="finding_new"),
    path("clearances/", precaution_pages.clearances, name="clearances"),
    path(
        "precautions/<uuid:precaution_id>/clear/",
        precaution_pages.precaution_clear,
        name="precaution_clear",
    ),
]
