"""The no-login page a reminder links to: the patient confirms or cancels.

A GET only shows the visit (mail scanners open links); the answer is a POST.
The token is signed, expires, and works once (scheduling.reminders)."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from clinic.errors import DomainConflict, Invalid

from . import reminders, waitlist
from .visits import answer_reminder_link

app_name = "confirm"

TEMPLATE = "public/confirm.html"


@require_http_methods(["GET", "POST"])
def visit(request, token: str):
    try:
        if request.method == "POST":
            answer = request.POST.get("answer", "")
            appointment = answer_reminder_link(token=token, answer=answer)
            return render(
                request,
                TEMPLATE,
                {**reminders.message_context_for(appointment), "answered": answer},
            )
        appointment = reminders.appointment_for_link(token)
    except reminders.LinkInvalid as error:
        return render(request, TEMPLATE, {"problem": str(error), **reminders.clinic_context()})
    return render(request, TEMPLATE, reminders.message_context_for(appointment))


@require_http_methods(["GET", "POST"])
def offer(request, token: str):
    """A waitlist offer's link: GET shows the slot (to this patient only), POST
    books it if it is still free (scheduling.waitlist.accept_offer)."""
    try:
        chosen = waitlist.offer_for_link(token)
    except reminders.LinkInvalid as error:
        return render(request, OFFER, {"problem": str(error), **reminders.clinic_context()})
    context = waitlist.offer_context(chosen)
    if request.method == "POST":
        try:
            waitlist.accept_offer(offer=chosen)
        except (DomainConflict, Invalid) as error:
            problem = str(error) if isinstance(error, DomainConflict) else (
                "This visit can no longer be booked here; please call us."
            )  # fmt: skip
            return render(request, OFFER, {**context, "problem": problem}, status=409)
        return render(request, OFFER, {**context, "booked": True})
    return render(request, OFFER, context)


OFFER = "public/offer.html"

urlpatterns = [
    path("offer/<str:token>/", offer, name="offer"),
    path("<str:token>/", visit, name="visit"),
]
