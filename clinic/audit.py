"""The audit trail: services and access functions call `record()` explicitly,
in the same transaction as the read or change they describe."""

from contextvars import ContextVar

from .models import AuditEvent
from .security import client_ip

# The client address of the request being served; set by AuditContextMiddleware
# so services need not carry the request around. None for tasks and commands.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def record(*, actor, action: str, target, patient=None, detail: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        patient=patient,
        ip=current_ip.get(),
        detail=detail[:500],
    )


def record_many(*, actor, action: str, targets, patient_of) -> None:
    """One event per row of a list read, in one INSERT."""
    ip = current_ip.get()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=action,
            target_type=t._meta.model_name,
            target_id=str(t.pk),
            patient_id=patient_of(t),
            ip=ip,
        )
        for t in targets
    )


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
