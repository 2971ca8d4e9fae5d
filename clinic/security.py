"""Account protection: the login lockout answer and who may unlock."""

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
