"""The OpenAPI schema's settings (drf-spectacular), part of the settings
(clinic/settings.py imports them). How the schema describes what every view
shares is clinic/api_schema.py's."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic API",
    "DESCRIPTION": "Referrals, treatment plans, appointments and session notes for a "
    "rehabilitative medical massage clinic.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every status its own, named enum: a generated client gets one type per status
    "ENUM_NAME_OVERRIDES": {
        "ReminderChannelEnum": "clinic.models.ReminderChannel",
        "ReportStatusEnum": "sessions_log.models.ReportStatus",
        "AppointmentStatusEnum": "clinic.vocabulary.AppointmentStatus",
        "ReminderStatusEnum": "scheduling.models.ReminderStatus",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "TreatmentPlanStatusEnum": "referrals.models.PlanStatus",
        "AppointmentKindEnum": "scheduling.models.AppointmentKind",
        "SkipReasonEnum": "scheduling.series.SKIP_REASONS",
        # two choice sets called `kind` (documents' and precautions'): named, or
        # drf-spectacular invents a hashed name for one of them and warns
        "DocumentKindEnum": "documents.models.DocumentKind",
        "PrecautionKindEnum": "referrals.models.PrecautionKind",
        # billing's
        "ChargeStatusEnum": "billing.models.ChargeStatus",
        "ChargeKindEnum": "billing.models.ChargeKind",
        "ClaimStatusEnum": "billing.models.ClaimStatus",
        "PayerKindEnum": "billing.models.PayerKind",
    },
}
