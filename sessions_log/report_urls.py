"""The progress report's pages (sessions_log.report_pages)."""

from django.urls import path

from . import report_pages as pages

urlpatterns = [
    path("plans/<uuid:plan_id>/reports/new/", pages.report_new, name="progress_report_new"),
    path("reports/<uuid:report_id>/", pages.report_detail, name="progress_report"),
    path("reports/<uuid:report_id>/sign/", pages.report_sign, name="progress_report_sign"),
    path("reports/<uuid:report_id>/send/", pages.report_send, name="progress_report_send"),
    path(
        "reports/<uuid:report_id>/acknowledge/",
        pages.report_acknowledge,
        name="progress_report_acknowledge",
    ),
]
