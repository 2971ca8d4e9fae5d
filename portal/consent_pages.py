"""Consent on the patient pages: the documents to sign, and signing one with a
finger (or a mouse) on a canvas (static/js/signature.js writes the drawing into
the form as a PNG data URL; without JavaScript the page says to sign at the desk)."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from clinic.consents import documents_for, has_signed, sign_consent
from clinic.errors import DomainConflict, Invalid
from clinic.models import ConsentDocument
from scheduling.reminders import clinic_context

from . import sign_in
from .access import patient_page

VIA = "patient pages"


@patient_page("read_consents")
def consents(request):
    patient = request.patient_caller.patient
    sign_in.audit_by_patient(patient, "portal.consents_read", via=VIA)
    context = {"patient": patient, "rows": documents_for(patient), **clinic_context()}
    return render(request, "portal/consents.html", context)


@require_http_methods(["GET", "POST"])
@patient_page("sign_consent")
def consent_sign(request, consent_id):
    patient = request.patient_caller.patient
    document = get_object_or_404(ConsentDocument.objects.current(), pk=consent_id)
    errors, full_name = {}, patient.full_name
    if request.method == "POST":
        full_name = request.POST.get("full_name", "")
        try:
            sign_consent(
                patient=patient,
                document=document,
                full_name=full_name,
                signature_png=request.POST.get("signature_png", ""),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except Invalid as problem:
            errors = {field: messages[0] for field, messages in problem.errors.items()}
        except DomainConflict as refused:
            errors = {"form": refused.detail}
        else:
            return redirect("portal:consents")
    context = {
        "patient": patient,
        "document": document,
        "signed": has_signed(patient, document),
        "full_name": full_name,
        "errors": errors,
        **clinic_context(),
    }
    return render(request, "portal/consent_sign.html", context, status=400 if errors else 200)
