"""Account protection: the client's address, the login lockout answer."""

import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

LOCKOUT_MESSAGE = (
    "Too many failed sign-ins for this username from this device. "
    "Try again in 15 minutes, or ask the clinic manager to unlock the account."
)


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes' answer once a username+address pair is locked: JSON for
    the API (the tablets' token endpoint), a page for the browser."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE, "code": "locked_out"}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)


def client_ip(request) -> str | None:
    """The address of the client, for the audit trail, the lockout and the write
    limit. Behind TRUSTED_PROXY_COUNT proxies it is the entry the outermost of
    them added to X-Forwarded-For, counted from the right: whatever a client
    writes there itself stays to the left, unread. With no proxy trusted (the
    default) the header is ignored and the socket's peer is the client."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # a proxy that forwards garbage is misconfigured: keep the peer
