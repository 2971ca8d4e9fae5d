"""The doctor's referral form: the ICD-10-CM search (htmx), the body map, save, sign."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from clinic.access import access_patient, allowed
from clinic.audit import record
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error

from .. import icd10, services
from ..access import DIAGNOSIS, REFERRAL, SERVICE_ERRORS, access_referral
from ..forms import SIDE_CHOICES, ReferralForm

# --- diagnosis search (htmx) -------------------------------------------------------------------


@require_GET
@allowed(DIAGNOSIS, "search")
def icd10_search(request):
    term = request.GET.get("q", "").strip()
    results = icd10.search(term, limit=15) if len(term) >= 2 else []
    return render(request, "referrals/_icd10_results.html", {"results": results, "q": term})


@require_GET
@allowed(DIAGNOSIS, "search")
def icd10_pick(request):
    code = icd10.normalise(request.GET.get("code", ""))
    if not icd10.is_billable(code):
        return render(request, "referrals/_icd10_results.html", {"results": [], "q": code})
    diagnosis = {"code": code, "description": icd10.describe(code)}
    return render(request, "referrals/_diagnosis_item.html", {"d": diagnosis})


# --- the referral form ------------------------------------------------------------------------


def _render_referral_form(request, form, *, patient, referral=None, renewal_of=None):
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "patient": patient,
            "referral": referral,
            "renewal_of": renewal_of,
            "side_choices": SIDE_CHOICES,
        },
        status=400 if form.errors else 200,
    )


def _save_referral(request, form, *, patient, referral=None, renewal_of=None):
    """Create or update from the form, then sign if asked; None when it failed."""
    if not form.is_valid():
        # show the nested problems together with the field ones
        for name, problems in services.validate_referral_content(
            form.nested(), partial=True
        ).items():
            show_service_error(request, Invalid({name: problems}), form)
        return None
    try:
        data = form.data_for_service()
        if referral is None:
            referral = services.create_referral(
                doctor=request.user, patient=patient, data=data, renewal_of=renewal_of
            )
        else:
            referral = services.update_referral(referral=referral, by=request.user, data=data)
        if "sign" in request.POST:
            referral = services.sign_referral(referral=referral, by=request.user)
    except Invalid as error:
        show_service_error(request, error, form)
        return None
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return None
    return referral


@allowed(REFERRAL, "create")
def referral_new(request, patient_id):
    patient = access_patient(request.user, patient_id)
    renewal_of = None
    if request.GET.get("renewal_of") or request.POST.get("renewal_of"):
        renewal_id = request.GET.get("renewal_of") or request.POST.get("renewal_of")
        renewal_of = access_referral(request.user, renewal_id)
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        referral = _save_referral(request, form, patient=patient, renewal_of=renewal_of)
        if referral:
            messages.success(request, f"Referral {referral.get_status_display().lower()}.")
            return redirect("referral_detail", referral_id=referral.pk)
    elif renewal_of:
        form = ReferralForm(initial=_renewal_initial(renewal_of))
        form.load(renewal_of)
    return _render_referral_form(request, form, patient=patient, renewal_of=renewal_of)


def _renewal_initial(referral):
    return {
        "precautions": referral.precautions,
        "visits_prescribed": referral.visits_prescribed,
        "frequency_per_week": referral.frequency_per_week,
        "recommended_modalities": [m.code for m in referral.recommended_modalities.all()],
    }


@allowed(REFERRAL, "update")
def referral_edit(request, referral_id):
    referral = access_referral(request.user, referral_id, "update")
    if not referral.is_written_by(request.user) or referral.is_locked:
        messages.error(request, "A signed referral is not edited; write a renewal instead.")
        return redirect("referral_detail", referral_id=referral.pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        saved = _save_referral(request, form, patient=referral.patient, referral=referral)
        if saved:
            messages.success(request, f"Referral {saved.get_status_display().lower()}.")
            return redirect("referral_detail", referral_id=saved.pk)
    else:
        form = ReferralForm(
            initial={**_renewal_initial(referral), "valid_until": referral.valid_until}
        )
        form.load(referral)
    return _render_referral_form(request, form, patient=referral.patient, referral=referral)


@allowed(REFERRAL, "read")
def referral_detail(request, referral_id):
    """The referral; the front desk reads its status fields only (as in the API)."""
    referral = access_referral(request.user, referral_id, "read", glass=True)
    record(actor=request.user, action="referral.read", target=referral, patient=referral.patient)
    if not REFERRAL.may(request.user, "read_clinical"):
        return render(request, "referrals/status_detail.html", {"referral": referral})
    plans = referral.plans.select_related("therapist")
    return render(request, "referrals/referral_detail.html", {"referral": referral, "plans": plans})


@require_POST
@allowed(REFERRAL, "sign")
def referral_sign(request, referral_id):
    referral = access_referral(request.user, referral_id, "sign")
    try:
        services.sign_referral(referral=referral, by=request.user)
        messages.success(request, "Referral signed.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("referral_detail", referral_id=referral.pk)
