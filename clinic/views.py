"""The clinic core's pages: sign-in and each role's home, the patient directory
(register, edit). Scheduling pages live in scheduling/views.py, clinical pages
in referrals/views/ and sessions_log/views/; every row comes through a
`visible_to(user)` door."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .access import PATIENT, access_patient, allowed
from .forms import PatientForm
from .models import Patient
from .patients import register_patient, update_patient
from .vocabulary import Role

HOMES = {
    Role.DOCTOR: "my_patients",
    Role.THERAPIST: "today",
    Role.FRONT_DESK: "calendar",
    Role.MANAGER: "admin:index",
    Role.BILLING: "billing_queue",  # billing helper: the biller's work queue
}
PAGE_SIZE = 50


# --- sign in and home ---------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    return redirect(HOMES.get(request.user.role, "logout"))


# --- patients --------------------------------------------------------------------------------


def search_patients(queryset, term: str):
    for word in term.split():
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(phone__icontains=word)
        )
    return queryset


@allowed(PATIENT, "read")
def patient_directory(request):
    """The clinic's directory: the front desk's patients, and where a doctor
    finds anyone to write a referral for (demographics only); a therapist's own."""
    term = request.GET.get("q", "").strip()
    patients = search_patients(Patient.objects.visible_to(request.user).active(), term)
    return render(
        request,
        "clinic/patient_directory.html",
        {
            "patients": patients[:PAGE_SIZE],
            "q": term,
            "can_register": PATIENT.may(request.user, "create"),
        },
    )


@allowed(PATIENT, "create")
def patient_new(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = register_patient(data=form.cleaned_data, by=request.user)
        messages.success(request, f"{patient} is registered.")
        return redirect("patient_detail", patient_id=patient.pk)
    return render(request, "clinic/patient_form.html", {"form": form, "patient": None})


@allowed(PATIENT, "update")
def patient_edit(request, patient_id):
    """Contact details and reminder channel: the front desk's (API.md, Roles)."""
    patient = access_patient(request.user, patient_id, "update")
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        update_patient(patient=patient, data=data, by=request.user)
        messages.success(request, "Contact details saved.")
        return redirect("patient_detail", patient_id=patient.pk)
    return render(request, "clinic/patient_form.html", {"form": form, "patient": patient})


# --- the therapist's day -------------------------------------------------------------------


# --- the week calendar ----------------------------------------------------------------------


# --- one visit -----------------------------------------------------------------------------------


# --- reminders ----------------------------------------------------------------------------


@require_POST
@login_required
def session_keepalive(request):
    """The tablet's "Stay signed in": any request renews the idle deadline."""
    return HttpResponse(status=204)
