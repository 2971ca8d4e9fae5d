"""The patient pages: the sign-in link (`/p/<token>`, API.md) and `/portal/`."""

from django.urls import path

from . import consent_pages, home_views, intake_views, pages, paper_pages, questionnaire_views

app_name = "portal"

urlpatterns = [
    path("p/<str:token>", pages.link, name="link"),
    path("portal/", pages.home, name="home"),
    path("portal/signed-out/", pages.signed_out, name="signed_out"),
    path("portal/sign-out/", pages.sign_out, name="sign_out"),
    path("portal/details/", pages.preferences, name="preferences"),
    path("portal/health-history/", intake_views.intake_page, name="intake"),
    path("portal/health-history/thanks/", intake_views.intake_thanks, name="intake_thanks"),
    path("portal/questionnaires/", questionnaire_views.questionnaire_list, name="questionnaires"),
    path(
        "portal/questionnaires/<str:questionnaire_id>/",
        questionnaire_views.questionnaire_form,
        name="questionnaire",
    ),
    path("portal/stretches/", home_views.stretches, name="stretches"),
    path(
        "portal/stretches/<uuid:home_exercise_id>/done/",
        home_views.stretch_done,
        name="stretch_done",
    ),
    path("portal/documents/", paper_pages.documents, name="documents"),
    path("portal/documents/<uuid:paper_id>/", paper_pages.document_pdf, name="document_pdf"),
    path("portal/record/", paper_pages.record_download, name="record_download"),
    path("portal/consents/", consent_pages.consents, name="consents"),
    path("portal/consents/<uuid:consent_id>/", consent_pages.consent_sign, name="consent_sign"),
    path("portal/visits/<uuid:appointment_id>/confirm/", pages.visit_confirm, name="visit_confirm"),
    path("portal/visits/<uuid:appointment_id>/cancel/", pages.visit_cancel, name="visit_cancel"),
]
