"""Billing's pages: the patient's billing (coverage, authorizations, balance,
a payment) for the front desk; the biller's work queue (signed-but-unclaimed
charges, claims by status, denials) and a claim with its 837P and PDFs; the
services and units of a draft note for its therapist. Thin views: access
through billing.access, the work in billing's services."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import allowed
from clinic.audit import record, record_many
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from sessions_log.access import access_note

from . import access, claims, coverage, payments
from .access import (
    AUTHORIZATION,
    CHARGE,
    CLAIM,
    COVERAGE,
    LEDGER,
    NOTE_BILLING,
    PAYMENT,
    WORK_QUEUE,
)
from .alerts import running_low
from .charging import price_note, void_charge
from .forms import AuthorizationForm, CoverageForm, DenyForm, PaidForm, PaymentForm, VoidForm
from .models import Authorization, Charge, ChargeLine, Claim, ClaimStatus, Coverage

SERVICE_ERRORS = (Invalid, DomainConflict, NotAllowed)


# --- the patient's billing (front desk) ------------------------------------------------------


def _patient_context(request, patient, **forms):
    coverages = list(
        Coverage.objects.filter(patient=patient)
        .select_related("payer")
        .prefetch_related(
            Prefetch("authorizations", Authorization.objects.prefetch_related("codes"))
        )
    )
    today = timezone.localdate()
    for authorization in coverage.attach_usage(
        [a for c in coverages for a in c.authorizations.all()]
    ):
        authorization.running_low = running_low(authorization, today)
    ledger = payments.ledger(patient)
    writes = COVERAGE.may(request.user, "create")
    return {
        "patient": patient,
        "coverages": coverages,
        "ledger": ledger,
        "can_write": writes,
        "can_pay": PAYMENT.may(request.user, "create"),
        "can_void": CHARGE.may(request.user, "void"),
        "coverage_form": forms.get("coverage_form") or CoverageForm(),
        "authorization_form": forms.get("authorization_form")
        or AuthorizationForm(coverages=_coverages_of(patient)),
        "payment_form": forms.get("payment_form") or PaymentForm(),
    }


def _coverages_of(patient):
    return Coverage.objects.filter(patient=patient).select_related("payer", "patient")


@allowed(LEDGER, "read")
def patient_billing(request, patient_id):
    patient = access.access_patient_billing(request.user, patient_id)
    record(actor=request.user, action="ledger.read", target=patient, patient=patient)
    return render(request, "billing/patient_billing.html", _patient_context(request, patient))


def _answer_with_form(request, patient, name, form, error):
    show_service_error(request, error, form)
    context = _patient_context(request, patient, **{name: form})
    return render(request, "billing/patient_billing.html", context, status=400)


@require_POST
@allowed(COVERAGE, "create")
def coverage_new(request, patient_id):
    patient = access.access_patient_billing(request.user, patient_id)
    form = CoverageForm(request.POST)
    if not form.is_valid():
        return _answer_with_form(request, patient, "coverage_form", form, Invalid({}))
    try:
        coverage.record_coverage(patient=patient, data=form.cleaned_data, by=request.user)
    except Invalid as error:
        return _answer_with_form(request, patient, "coverage_form", form, error)
    messages.success(request, "Coverage recorded.")
    return redirect("patient_billing", patient_id=patient.pk)


@require_POST
@allowed(AUTHORIZATION, "create")
def authorization_new(request, patient_id):
    patient = access.access_patient_billing(request.user, patient_id)
    form = AuthorizationForm(request.POST, coverages=_coverages_of(patient))
    if not form.is_valid():
        return _answer_with_form(request, patient, "authorization_form", form, Invalid({}))
    data = dict(form.cleaned_data)
    try:
        coverage.record_authorization(coverage=data.pop("coverage"), data=data, by=request.user)
    except Invalid as error:
        return _answer_with_form(request, patient, "authorization_form", form, error)
    messages.success(request, "Authorization recorded.")
    return redirect("patient_billing", patient_id=patient.pk)


@require_POST
@allowed(PAYMENT, "create")
def payment_new(request, patient_id):
    patient = access.access_patient_billing(request.user, patient_id)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _answer_with_form(request, patient, "payment_form", form, Invalid({}))
    try:
        payments.record_payment(patient=patient, **form.cleaned_data, by=request.user)
    except Invalid as error:
        return _answer_with_form(request, patient, "payment_form", form, error)
    messages.success(request, f"Payment of {form.cleaned_data['amount']} recorded.")
    return redirect("patient_billing", patient_id=patient.pk)


@require_POST
@allowed(CHARGE, "void")
def charge_void(request, charge_id):
    charge = access.access_charge(request.user, charge_id, "void")
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid.field("reason", "Say why the charge is voided.")
        void_charge(charge=charge, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Charge voided.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    target = request.POST.get("next") == "queue" and "billing_queue"
    return redirect(target) if target else redirect("patient_billing", charge.patient_id)


# --- the biller's work queue and claims ----------------------------------------------------


@allowed(WORK_QUEUE, "read")
def billing_queue(request):
    status = request.GET.get("status", "")
    unclaimed = list(
        Charge.objects.unclaimed()
        .filter(coverage__isnull=False)
        .select_related("patient", "payer", "coverage")
        .prefetch_related(Prefetch("lines", ChargeLine.objects.order_by("position")))
        .order_by("coverage__patient__last_name", "coverage", "service_date")[:200]
    )
    record_many(actor=request.user, action="charge.read", targets=unclaimed,
                patient_of=lambda c: c.patient_id)  # fmt: skip
    shown = Claim.objects.select_related("payer", "coverage__patient").order_by("-created_at")
    if status in ClaimStatus.values:
        shown = shown.filter(status=status)
    denials = Claim.objects.filter(status=ClaimStatus.DENIED).select_related(
        "payer", "coverage__patient"
    )
    return render(request, "billing/queue.html", {
        "unclaimed": unclaimed,
        "claims": list(shown[:100]),
        "denials": list(denials.order_by("-answered_at")[:20]),
        "status": status,
        "statuses": ClaimStatus.choices,
        "can_claim": CLAIM.may(request.user, "create"),
    })  # fmt: skip


@require_POST
@allowed(CLAIM, "create")
def claim_new(request):
    ids = request.POST.getlist("charges")
    chosen = list(access.charges_visible_to(request.user).filter(pk__in=_uuids(ids)))
    try:
        claim = claims.create_claim(charges=chosen, by=request.user)
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
        return redirect("billing_queue")
    messages.success(request, f"Claim {claim.number} made: check it, download the 837P, submit.")
    return redirect("claim_detail", claim_id=claim.pk)


def _uuids(values) -> list[str]:
    import uuid

    good = []
    for value in values:
        try:
            good.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return good


@allowed(CLAIM, "read")
def claim_detail(request, claim_id):
    claim = access.access_claim(request.user, claim_id)
    record(actor=request.user, action="claim.read", target=claim, patient=claim.coverage.patient)
    charges = claim.charges.select_related("patient").prefetch_related(
        Prefetch("lines", ChargeLine.objects.order_by("position"))
    )
    return render(request, "billing/claim_detail.html", {
        "claim": claim, "charges": charges, "deny_form": DenyForm(), "paid_form": PaidForm(),
        "can_answer": CLAIM.may(request.user, "submit"),
        "can_export": CLAIM.may(request.user, "x12"),
    })  # fmt: skip


def _answer(request, claim_id, answer, act):
    claim = access.access_claim(request.user, claim_id, answer)
    try:
        act(claim)
        messages.success(request, f"Claim {claim.number}: {answer} recorded.")
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    return redirect("claim_detail", claim_id=claim.pk)


@require_POST
@allowed(CLAIM, "secondary")
def claim_secondary(request, claim_id):
    primary = access.access_claim(request.user, claim_id, "secondary")
    try:
        claim = claims.create_secondary_claim(primary=primary, by=request.user)
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
        return redirect("claim_detail", claim_id=primary.pk)
    messages.success(request, f"Secondary claim {claim.number} made: download its 837P, submit.")
    return redirect("claim_detail", claim_id=claim.pk)


@require_POST
@allowed(CLAIM, "submit")
def claim_submit(request, claim_id):
    return _answer(
        request, claim_id, "submit", lambda claim: claims.submit_claim(claim=claim, by=request.user)
    )


@require_POST
@allowed(CLAIM, "deny")
def claim_deny(request, claim_id):
    form = DenyForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason")
    return _answer(
        request,
        claim_id,
        "deny",
        lambda claim: claims.deny_claim(claim=claim, by=request.user, reason=reason),
    )


@require_POST
@allowed(CLAIM, "paid")
def claim_paid(request, claim_id):
    form = PaidForm(request.POST)

    def paid(claim):
        if not form.is_valid():
            raise Invalid.field("amount", "The amount is a sum of money, e.g. 85.00.")
        claims.mark_claim_paid(claim=claim, by=request.user, **form.cleaned_data)

    return _answer(request, claim_id, "paid", paid)


# --- the therapist's services and units before signing ---------------------------------------


@allowed(NOTE_BILLING, "read")
def note_billing(request, note_id):
    """The services of a draft note and what signing would charge (a partial)."""
    note = access_note(request.user, note_id, "read")
    try:
        pricing, problem = price_note(note), None
    except Invalid as error:
        pricing, problem = None, error.errors.get("services", [""])[0]
    return render(request, "billing/_note_billing.html", {
        "note": note, "services": note.services.order_by("position"), "pricing": pricing,
        "problem": problem,
    })  # fmt: skip
