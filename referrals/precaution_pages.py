"""Pages of the contraindication gate: a clinician records a finding (e.g. a
suspected DVT), the doctor sees the clearance requests and clears them. Thin
views over referrals.contraindications."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinic.access import allowed
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from clinic.vocabulary import Region, Side

from . import contraindications
from .access import PRECAUTION
from .models import Precaution, PrecautionKind, patients_in_care

SERVICE_ERRORS = (Invalid, DomainConflict, NotAllowed)


class FindingForm(forms.Form):
    kind = forms.ChoiceField(choices=PrecautionKind.choices, label="Finding")
    region = forms.ChoiceField(choices=[("", "—")] + Region.choices, required=False)
    side = forms.ChoiceField(choices=[("", "—")] + Side.choices, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _back(request, fallback: str, *args):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, *args)


@require_POST
@allowed(PRECAUTION, "create")
def finding_new(request, patient_id):
    patient = get_object_or_404(patients_in_care(request.user), pk=patient_id)
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what you found.")
    else:
        try:
            finding = contraindications.raise_finding(
                by=request.user, patient=patient, **form.cleaned_data
            )
        except SERVICE_ERRORS as error:
            show_service_error(request, error)
        else:
            messages.warning(request, f"Recorded: {contraindications.describe(finding)}.")
    return _back(request, "patient_detail", patient.pk)


@allowed(PRECAUTION, "clearances")
def clearances(request):
    waiting = list(contraindications.pending_clearances(request.user).order_by("created_at"))
    rows = [{"precaution": p, "text": contraindications.describe(p)} for p in waiting]
    return render(request, "referrals/clearances.html", {"rows": rows})


@require_POST
@allowed(PRECAUTION, "clear")
def precaution_clear(request, precaution_id):
    precaution = get_object_or_404(Precaution.objects.visible_to(request.user), pk=precaution_id)
    try:
        contraindications.clear_precaution(
            precaution=precaution, by=request.user, note=request.POST.get("note", "")
        )
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Cleared: {precaution.get_kind_display()}.")
    return _back(request, "clearances")


def precautions_panel(patient) -> dict:
    """The context of components/_precautions.html, for the visit and patient pages."""
    return {
        "precautions": contraindications.precautions_for_visit(patient),
        "patient": patient,
        "finding_kinds": PrecautionKind.choices,
        "regions": Region.choices,
        "sides": Side.choices,
    }
