from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messages: email and text providers"

    def ready(self):
        from anymail.signals import tracking

        from .email_events import on_tracking_event

        tracking.connect(on_tracking_event, dispatch_uid="messaging.bounces")
