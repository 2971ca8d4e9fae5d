from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient's side: sign-in links, the patient's session, the portal API
    and the patient pages (API.md, The patient's side)."""

    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"
