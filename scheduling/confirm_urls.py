"""The no-login page a reminder links to: the patient confirms or cancels.

A GET only shows the visit (mail scanners open links); the answer is a POST.
The token is signed, expires, and works once (scheduling.reminders)."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from . import reminders
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


urlpatterns = [
    path("<str:token>/", visit, name="visit"),
]
