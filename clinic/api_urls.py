"""/api/v1/ (API.md). The project's URL module, so it may gather every app's API."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from billing import api as billing_api
from billing import claims_api as billing_claims_api
from billing import notes_api as billing_notes_api
from documents import api as documents_api
from documents import api_referrals as documents_referrals
from portal import api as portal_api
from portal import consent_api, home_views, intake_views, paper_api, questionnaire_views
from referrals import api as referrals_api
from referrals.physicians import PhysicianViewSet
from scheduling import api as scheduling_api
from scheduling import places_api as scheduling_places
from scheduling import waitlist_api as scheduling_waitlist
from sessions_log import api as sessions_api
from sessions_log import home_programme_api

from . import api as clinic_api
from .api_docs import SchemaView, SwaggerView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("staff", clinic_api.StaffViewSet, basename="staff")
router.register("patients", clinic_api.PatientViewSet, basename="patient")
router.register("appointments", scheduling_api.AppointmentViewSet, basename="appointment")
router.register("appointment-series", scheduling_api.SeriesViewSet, basename="appointment-series")
router.register("locations", scheduling_places.LocationViewSet, basename="location")
router.register("rooms", scheduling_places.RoomViewSet, basename="room")
router.register("waitlist", scheduling_waitlist.WaitlistViewSet, basename="waitlist-entry")
router.register(
    "waitlist-offers", scheduling_waitlist.WaitlistOfferViewSet, basename="waitlist-offer"
)
router.register("audit-events", clinic_api.AuditEventViewSet, basename="audit-event")
router.register("break-glass", clinic_api.BreakGlassViewSet, basename="break-glass")
# --- billing helper: modalities show their service code (billing.notes_api)
router.register("modalities", billing_notes_api.BilledModalityViewSet, basename="modality")
router.register("referrals", documents_referrals.ReferralViewSet, basename="referral")
router.register("treatment-plans", referrals_api.TreatmentPlanViewSet, basename="treatment-plan")
# --- billing helper: a note's services, and signing that charges (billing.notes_api)
router.register(
    "session-notes", billing_notes_api.BilledSessionNoteViewSet, basename="session-note"
)
router.register("measurements", sessions_api.MeasurementViewSet, basename="measurement")
router.register("progress-reports", sessions_api.ProgressReportViewSet, basename="progress-report")
router.register("precautions", referrals_api.PrecautionViewSet, basename="precaution")
router.register("documents", documents_api.DocumentViewSet, basename="document")
router.register("physicians", PhysicianViewSet, basename="physician")
# --- billing helper (API.md, Billing)
router.register("service-codes", billing_api.ServiceCodeViewSet, basename="service-code")
router.register("payers", billing_api.PayerViewSet, basename="payer")
router.register("coverages", billing_api.CoverageViewSet, basename="coverage")
router.register("authorizations", billing_api.AuthorizationViewSet, basename="authorization")
router.register("charges", billing_api.ChargeViewSet, basename="charge")
router.register("claims", billing_claims_api.ClaimViewSet, basename="claim")
router.register("payments", billing_claims_api.PaymentViewSet, basename="payment")
router.register("exercises", home_programme_api.ExerciseViewSet, basename="exercise")

app_name = "api"

urlpatterns = [
    path("auth/token/", clinic_api.AuthTokenView.as_view(), name="token"),
    path("auth/logout/", clinic_api.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", clinic_api.LogoutAllView.as_view(), name="logout-all"),
    path("me/", clinic_api.MeView.as_view(), name="me"),
    path("diagnoses/", referrals_api.DiagnosisLookupView.as_view(), name="diagnoses"),
    path("availability/", scheduling_api.AvailabilityView.as_view(), name="availability"),
    path(
        "treatment-plans/<str:pk>/progress/",
        sessions_api.PlanProgressView.as_view(),
        name="treatment-plan-progress",
    ),
    path(
        "treatment-plans/<str:pk>/home-programme/",
        home_programme_api.HomeProgrammeView.as_view(),
        name="treatment-plan-home-programme",
    ),
    path("patients/<str:pk>/fhir/", sessions_api.PatientFhirView.as_view(), name="patient-fhir"),
    path(
        "patients/<str:pk>/episodes/",
        referrals_api.PatientEpisodesView.as_view(),
        name="patient-episodes",
    ),
    path(
        "patients/<str:pk>/ledger/", billing_claims_api.LedgerView.as_view(), name="patient-ledger"
    ),
    # the patient's side (API.md): a patient token reaches only /api/v1/portal/
    path("patients/<str:pk>/invite/", portal_api.InviteView.as_view(), name="patient-invite"),
    path("portal/session/", portal_api.SessionView.as_view(), name="portal-session"),
    path("portal/me/", portal_api.MeView.as_view(), name="portal-me"),
    path("portal/appointments/", portal_api.VisitListView.as_view(), name="portal-appointments"),
    path(
        "portal/appointments/<str:pk>/confirm/",
        portal_api.ConfirmVisitView.as_view(),
        name="portal-appointment-confirm",
    ),
    path(
        "portal/appointments/<str:pk>/cancel/",
        portal_api.CancelVisitView.as_view(),
        name="portal-appointment-cancel",
    ),
    path(
        "patients/<str:pk>/consents/",
        consent_api.PaperConsentView.as_view(),
        name="patient-consents",
    ),
    path("portal/intake/", intake_views.IntakeView.as_view(), name="portal-intake"),
    path(
        "portal/questionnaires/",
        questionnaire_views.QuestionnaireListView.as_view(),
        name="portal-questionnaires",
    ),
    path(
        "portal/questionnaires/<str:pk>/answers/",
        questionnaire_views.QuestionnaireAnswerView.as_view(),
        name="portal-questionnaire-answers",
    ),
    path("portal/record/", home_views.RecordView.as_view(), name="portal-record"),
    path("portal/documents/", paper_api.PaperListView.as_view(), name="portal-documents"),
    path("portal/documents/<str:paper_id>/", paper_api.PaperView.as_view(), name="portal-document"),
    path("portal/home-programme/", home_views.HomeProgrammeView.as_view(), name="portal-home"),
    path(
        "portal/home-programme/<str:pk>/done/",
        home_views.DoneView.as_view(),
        name="portal-home-done",
    ),
    path("portal/consents/", consent_api.ConsentListView.as_view(), name="portal-consents"),
    path(
        "portal/consents/<str:pk>/sign/",
        consent_api.ConsentSignView.as_view(),
        name="portal-consent-sign",
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
