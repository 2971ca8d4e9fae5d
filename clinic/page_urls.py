"""The server-rendered pages (templates + htmx); the API lives under /api/v1/."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from billing.workflows import BILLED_NOTE_WORKFLOW
from documents import pages as document_pages
from documents import physician_pages
from portal import staff_pages as portal_pages
from referrals import link_pages
from referrals import views as referral_views
from scheduling import calendar_pages, series_pages, sheet_pages, waitlist_page_urls
from scheduling import views as scheduling_views
from sessions_log import report_link_pages
from sessions_log import views as note_views

from . import two_factor, views

# --- billing helper: the note pages write services and charge at signing
BILLED = {"workflow": BILLED_NOTE_WORKFLOW}

urlpatterns = [
    path("", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    # --- totp helper: the second sign-in step and its enrolment
    path("account/verify/", two_factor.verify, name="two_factor_verify"),
    path("account/two-factor/", two_factor.enrol, name="two_factor"),
    # patients
    path("patients/", views.patient_directory, name="patient_directory"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<uuid:patient_id>/", scheduling_views.patient_detail, name="patient_detail"),
    path("patients/<uuid:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<uuid:patient_id>/invite/", portal_pages.patient_invite, name="patient_invite"),
    path(
        "patients/<uuid:patient_id>/calendar/rotate/",
        scheduling_views.patient_calendar_rotate,
        name="patient_calendar_rotate",
    ),
    # the doctor
    path("my-patients/", note_views.my_patients, name="my_patients"),
    path(
        "patients/<uuid:patient_id>/referrals/new/",
        referral_views.referral_new,
        name="referral_new",
    ),
    path("referrals/<uuid:referral_id>/", referral_views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/edit/", referral_views.referral_edit, name="referral_edit"),
    path("referrals/<uuid:referral_id>/sign/", referral_views.referral_sign, name="referral_sign"),
    path("icd10/", referral_views.icd10_search, name="icd10_search"),
    path("icd10/pick/", referral_views.icd10_pick, name="icd10_pick"),
    path("plans/review/", referral_views.plans_to_review, name="plans_to_review"),
    path("plans/<uuid:plan_id>/approve/", referral_views.plan_approve, name="plan_approve"),
    path("plans/<uuid:plan_id>/send-back/", referral_views.plan_send_back, name="plan_send_back"),
    path("plans/<uuid:plan_id>/progress/", note_views.plan_progress_page, name="plan_progress"),
    path("plans/<uuid:plan_id>/end/", note_views.end_therapy, name="end_therapy"),
    # the therapist
    path("today/", scheduling_views.today, name="today"),
    path("account/calendar/rotate/", scheduling_views.calendar_rotate, name="calendar_rotate"),
    path("intake/", referral_views.intake_queue, name="intake_queue"),
    path("paper/", document_pages.paper_intake, name="paper_intake"),
    # the directory of outside physicians: documents/physician_pages.py
    path("physicians/", physician_pages.physician_directory, name="physician_directory"),
    path("physicians/new/", physician_pages.physician_new, name="physician_new"),
    path(
        "physicians/<uuid:physician_id>/edit/",
        physician_pages.physician_edit,
        name="physician_edit",
    ),
    # the outside physician's secret link (no account): referrals/link_pages.py
    path("sign/<str:token>/", link_pages.physician_sign, name="physician_sign"),
    path("sign/<str:token>/code/", link_pages.physician_code, name="physician_code"),
    path("sign/<str:token>/verify/", link_pages.physician_verify, name="physician_verify"),
    path("sign/<str:token>/answer/", link_pages.physician_answer, name="physician_answer"),
    # the same link for a progress report: sessions_log/report_link_pages.py
    path("sign/<str:token>/report/", report_link_pages.physician_report, name="physician_report"),
    path(
        "sign/<str:token>/report/answer/",
        report_link_pages.physician_report_answer,
        name="physician_report_answer",
    ),
    path(
        "patients/<uuid:patient_id>/documents/",
        document_pages.document_upload,
        name="document_upload",
    ),
    path(
        "referrals/<uuid:referral_id>/documents/",
        document_pages.referral_documents,
        name="referral_documents",
    ),
    path(
        "referrals/<uuid:referral_id>/documents/attach/",
        document_pages.referral_document_upload,
        name="referral_document_upload",
    ),
    path(
        "documents/<uuid:document_id>/transcribe/",
        document_pages.prescription_transcribe,
        name="prescription_transcribe",
    ),
    path("documents/<uuid:document_id>/view/", document_pages.document_view, name="document_view"),
    path(
        "documents/<uuid:document_id>/preview/",
        document_pages.document_preview,
        name="document_preview",
    ),
    path("plans/", referral_views.my_plans, name="my_plans"),
    path("referrals/<uuid:referral_id>/plan/", referral_views.plan_new, name="plan_new"),
    path("plans/<uuid:plan_id>/", referral_views.plan_detail, name="plan_detail"),
    path("plans/<uuid:plan_id>/edit/", referral_views.plan_edit, name="plan_edit"),
    path("plans/<uuid:plan_id>/propose/", referral_views.plan_propose, name="plan_propose"),
    path(
        "plans/<uuid:plan_id>/request-signature/",
        referral_views.plan_request_signature,
        name="plan_request_signature",
    ),
    path("visits/<uuid:appointment_id>/note/", note_views.note_new, BILLED, name="note_new"),
    path("notes/<uuid:note_id>/", note_views.note_detail, BILLED, name="note_detail"),
    path("notes/<uuid:note_id>/sign/", note_views.note_sign, BILLED, name="note_sign"),
    path("notes/<uuid:note_id>/addendum/", note_views.note_addendum, name="note_addendum"),
    # the front desk
    path("week/", calendar_pages.calendar, name="calendar"),
    path("week/book/", calendar_pages.calendar_book, name="calendar_book"),
    path("week/sheet/", sheet_pages.sheet, name="day_sheet"),
    path("waitlist/", include(waitlist_page_urls)),  # waitlist, _new, _edit, _withdraw
    path(
        "visits/<uuid:appointment_id>/",
        scheduling_views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "visits/<uuid:appointment_id>/check-in/",
        scheduling_views.appointment_check_in,
        name="appointment_check_in",
    ),
    path(
        "visits/<uuid:appointment_id>/no-show/",
        scheduling_views.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "visits/<uuid:appointment_id>/revert/",
        scheduling_views.appointment_revert,
        name="appointment_revert",
    ),
    path(
        "visits/<uuid:appointment_id>/move/",
        scheduling_views.appointment_move,
        name="appointment_move",
    ),
    path(
        "visits/<uuid:appointment_id>/cancel/",
        scheduling_views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("plans/<uuid:plan_id>/series/new/", series_pages.series_new, name="series_new"),
    path(
        "plans/<uuid:plan_id>/series/preview/",
        series_pages.series_preview,
        name="series_preview",
    ),
    path("reminders/", scheduling_views.reminder_list, name="reminder_list"),
]
