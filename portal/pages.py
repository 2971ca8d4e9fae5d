"""The patient pages (phone first): the sign-in link, the visits to come with
confirm and cancel, contact and reminder preferences, signing out. Each page's
door is `patient_page(verb)` (portal/access.py); the services are the API's."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clinic.errors import DomainConflict, Invalid
from clinic.models import Patient
from clinic.patients import update_own_contact
from scheduling.reminders import clinic_context
from scheduling.visits import (
    cancel_by_patient,
    cancel_deadline,
    confirm_by_patient,
    patient_may_cancel,
)

from . import sign_in
from .access import PAGE_SESSION_KEY, access_own_appointment, own_upcoming_visits, patient_page
from .models import PatientSessionKind
from .serializers import PortalMeSerializer

VIA = "patient pages"


class BirthDateForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your date of birth",
        help_text="To check it is you.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )


@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """The address in the message: asks the date of birth, then signs in once.
    A GET changes nothing (mail scanners open links)."""
    try:
        sign_in.usable_link(token)
    except sign_in.LinkGone:
        return render(request, "portal/link_gone.html", clinic_context(), status=410)
    form = BirthDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _session, secret = sign_in.redeem(
                token=token,
                date_of_birth=form.cleaned_data["date_of_birth"],
                kind=PatientSessionKind.PAGES,
                user_agent=request.headers.get("User-Agent", ""),
            )
        except sign_in.LinkGone:
            return render(request, "portal/link_gone.html", clinic_context(), status=410)
        except Invalid as wrong:
            form.add_error("date_of_birth", wrong.errors["date_of_birth"][0])
        else:
            request.session.flush()  # whoever was signed in in this browser is not any more
            request.session[PAGE_SESSION_KEY] = secret
            return redirect("portal:home")
    return render(request, "portal/link.html", {"form": form, **clinic_context()})


def signed_out(request):
    """Where a patient without a live session lands: how to get a new link."""
    context = {"idle_minutes": settings.PATIENT_SESSION_IDLE_MINUTES, **clinic_context()}
    return render(request, "portal/signed_out.html", context)


@require_POST
@patient_page("sign_out")
def sign_out(request):
    sign_in.end_session(request.patient_caller.session)
    request.session.flush()
    return redirect("portal:signed_out")


def _visit_rows(patient):
    return [
        {"visit": v, "may_cancel": patient_may_cancel(v), "cancel_until": cancel_deadline(v)}
        for v in own_upcoming_visits(patient)
    ]


@patient_page("home")
def home(request):
    patient = request.patient_caller.patient
    sign_in.audit_by_patient(patient, "portal.visits_read", via=VIA)
    context = {"patient": patient, "rows": _visit_rows(patient), **clinic_context()}
    return render(request, "portal/home.html", context)


@require_POST
@patient_page("confirm")
def visit_confirm(request, appointment_id):
    visit = access_own_appointment(request.patient_caller, appointment_id, "confirm")
    try:
        confirm_by_patient(appointment=visit, via=VIA)
        messages.success(request, "Thank you: your visit is confirmed.")
    except DomainConflict as refused:
        messages.error(request, refused.detail)
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
@patient_page("cancel")
def visit_cancel(request, appointment_id):
    """A question first (a stray tap on a phone cancels nothing), then the answer."""
    visit = access_own_appointment(request.patient_caller, appointment_id, "cancel")
    if request.method == "POST":
        try:
            cancel_by_patient(appointment=visit, via=VIA)
            messages.success(request, "Your visit is cancelled. Call us to book another time.")
        except DomainConflict as refused:
            messages.error(request, refused.detail)
        return redirect("portal:home")
    context = {
        "patient": visit.patient,
        "visit": visit,
        "may_cancel": patient_may_cancel(visit),
        **clinic_context(),
    }
    return render(request, "portal/cancel.html", context)


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["email", "phone", "reminder_channel", "reminder_consent"]
        labels = {
            "reminder_channel": "Send my reminders by",
            "reminder_consent": "Yes, send me appointment reminders",
        }
        widgets = {"reminder_channel": forms.RadioSelect}
        help_texts = {"reminder_consent": ""}

    def clean(self):
        data = super().clean()
        checked = PortalMeSerializer(instance=self.instance, data=data, partial=True, context={})
        if not checked.is_valid():
            for field, problems in checked.errors.items():
                self.add_error(field if field in self.fields else None, problems[0])
        return data


@require_http_methods(["GET", "POST"])
@patient_page("update_me")
def preferences(request):
    patient = request.patient_caller.patient
    form = PreferencesForm(request.POST or None, instance=Patient.objects.get(pk=patient.pk))
    if request.method == "POST" and form.is_valid():
        update_own_contact(patient=patient, data=form.cleaned_data, via=VIA)
        messages.success(request, "Your details are saved.")
        return redirect("portal:preferences")
    feed = request.build_absolute_uri(
        reverse("calendar:patient_feed", args=[patient.calendar_token])
    )
    context = {"form": form, "patient": patient, "feed_url": feed, **clinic_context()}
    return render(request, "portal/preferences.html", context)
