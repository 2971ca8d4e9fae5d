"""Payments and adjustments, and the patient's ledger: the charges that are not
void, the payments, and the balance between them."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from clinic.audit import record
from clinic.errors import Invalid
from clinic.models import Patient, User

from .models import Charge, Payment, PaymentMethod

CENTS = Decimal("0.01")


@transaction.atomic
def record_payment(
    *, patient: Patient, amount: Decimal, method: str, by: User, reference: str = "", claim=None
) -> Payment:
    errors = {}
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        errors["amount"] = ["A payment is a positive amount, e.g. 25.00."]
    elif amount != amount.quantize(CENTS):
        errors["amount"] = ["Amounts are in cents: two decimal places at most."]
    if method not in PaymentMethod.values:
        errors["method"] = [f"{method!r} is not a payment method."]
    if claim is not None and claim.coverage.patient_id != patient.pk:
        errors["claim"] = ["This claim is another patient's."]
    if errors:
        raise Invalid(errors)
    payment = Payment.objects.create(
        patient=patient,
        amount=amount,
        method=method,
        reference=(reference or "").strip()[:100],
        claim=claim,
        received_by=by,
    )
    record(actor=by, action="payment.create", target=payment, patient=patient)
    return payment


def balance_of(patient: Patient) -> Decimal:
    """The patient's charges that are not void, minus their payments."""
    charged = Charge.objects.not_void().filter(patient=patient).aggregate(s=Sum("total"))["s"]
    paid = Payment.objects.filter(patient=patient).aggregate(s=Sum("amount"))["s"]
    return ((charged or Decimal("0")) - (paid or Decimal("0"))).quantize(CENTS)


def ledger(patient: Patient) -> dict:
    charges = (
        Charge.objects.filter(patient=patient)
        .select_related("payer")
        .prefetch_related("lines")
        .order_by("service_date", "created_at")
    )
    payments = Payment.objects.filter(patient=patient).order_by("created_at")
    return {"charges": list(charges), "payments": list(payments), "balance": balance_of(patient)}
