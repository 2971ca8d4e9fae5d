"""The email provider's reports, through anymail's tracking signal (its webhook
views check the provider's signature or the shared basic-auth secret before
sending it). A bounce, a complaint or a rejection marks the address bad."""

from .contacts import mark_email_bounced

BAD_ADDRESS_EVENTS = {"bounced", "complained", "rejected"}


def on_tracking_event(sender, event, esp_name: str, **kwargs) -> None:
    if event.event_type not in BAD_ADDRESS_EVENTS or not event.recipient:
        return
    reason = event.description or event.reject_reason or event.event_type
    mark_email_bounced(
        email=event.recipient, reason=f"{event.event_type}: {reason}", provider=esp_name
    )
