from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient's side: sign-in links, the patient's session, the portal API
    and the patient pages (API.md, The patient's side)."""

    name = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from scheduling.reminders import message_composing

        from . import sign_in

        # every reminder carries a sign-in link (API.md, The patient's side)
        message_composing.connect(sign_in.link_for_reminder, dispatch_uid="portal_link")
