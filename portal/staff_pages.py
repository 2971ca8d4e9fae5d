"""The staff's side of the portal: the front desk sends a sign-in link from the
patient page (the API's `POST /api/v1/patients/{id}/invite/`)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clinic.access import access_patient, allowed
from clinic.errors import Invalid

from .access import LINK
from .sign_in import send_invite


@require_POST
@allowed(LINK, "invite")
def patient_invite(request, patient_id):
    patient = access_patient(request.user, patient_id)
    try:
        channel = send_invite(patient=patient, by=request.user)
    except Invalid as problem:
        messages.error(request, next(iter(problem.errors.values()))[0])
    else:
        how = "text message" if channel == "sms" else "email"
        messages.success(request, f"A sign-in link is on its way to {patient} by {how}.")
    return redirect("patient_detail", patient_id=patient.pk)
