"""The demo clinic's billing (seed_demo): a commercial plan, Medicare, an auto
insurer, a workers' comp carrier and self-pay, with fee schedules; each demo
patient's address and coverage (and authorization where the payer needs one);
and, once the week's notes are signed and charged, claims in every status."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.npi import luhn_check_digit

from . import claims
from .coverage import record_authorization, record_coverage
from .models import Charge, ChargeStatus, Fee, Payer, PayerKind
from .payments import record_payment

FEES = {"97140": "42.00", "97124": "38.00", "97110": "40.00", "97112": "41.00", "97530": "45.00"}
PAYERS = [
    # name, kind, payer id, unit rule, needs an authorization, line modifiers, fee factor
    ("Acme Health Plan", PayerKind.COMMERCIAL, "ACME1", "ama", False, [], "1.00"),
    ("Medicare Part B", PayerKind.MEDICARE, "MCR01", "cms", False, ["GP"], "0.85"),
    ("Harbor Auto Insurance", PayerKind.AUTO, "HARB1", "ama", False, [], "1.20"),
    ("State Fund Workers' Comp", PayerKind.WORKERS_COMP, "SFUND", "ama", True, ["GP"], "1.10"),
]
STREETS = ["Elm Street", "Oak Avenue", "Maple Drive", "Cedar Lane", "Birch Road"]


def demo_npi(n: int) -> str:
    """A valid NPI for demo staff (the check digit computed, the rest made up)."""
    base = f"1{n:08d}"
    return base + str(luhn_check_digit("80840" + base))


def create_payers() -> dict:
    payers = {}
    for name, kind, payer_id, rule, needs_auth, modifiers, _factor in PAYERS:
        payer, _ = Payer.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "payer_id": payer_id, "unit_rule": rule,
                      "requires_authorization": needs_auth, "line_modifiers": modifiers},
        )  # fmt: skip
        payers[kind] = payer
    payers[PayerKind.SELF_PAY] = Payer.objects.self_pay()
    for kind, payer in payers.items():
        factor = Decimal(next((p[6] for p in PAYERS if p[1] == kind), "0.90"))
        for code, amount in FEES.items():
            Fee.objects.get_or_create(
                payer=payer, service_code_id=code,
                defaults={"per_unit": (Decimal(amount) * factor).quantize(Decimal("0.01"))},
            )  # fmt: skip
    return payers


def give_address(patient, i: int) -> None:
    patient.address_line = f"{10 + i * 7} {STREETS[i % len(STREETS)]}"
    patient.city, patient.state, patient.postal_code = "Springfield", "IL", f"6270{i % 10}"
    patient.sex = "female" if i % 2 == 0 else "male"
    patient.save(update_fields=["address_line", "city", "state", "postal_code", "sex"])


def cover(patient, i: int, payers: dict, *, by) -> None:
    """Every fifth patient pays for themselves; the others have one of the four."""
    kinds = [PayerKind.MEDICARE, PayerKind.COMMERCIAL, PayerKind.AUTO, PayerKind.WORKERS_COMP]
    if i % 5 == 4:
        return
    kind = kinds[i % 5]
    today = timezone.localdate()
    data = {"payer": payers[kind], "priority": "primary", "member_id": f"DEMO{i:05d}",
            "group_number": "G-100" if kind == PayerKind.COMMERCIAL else "",
            "valid_from": today - timedelta(days=180)}  # fmt: skip
    if kind in (PayerKind.AUTO, PayerKind.WORKERS_COMP):
        data |= {"claim_number": f"CL-{2026}-{i:04d}", "date_of_injury": today - timedelta(days=60),
                 "adjuster_name": "Avery Adjuster", "adjuster_phone": "(555) 010-7777"}  # fmt: skip
    coverage = record_coverage(patient=patient, data=data, by=by)
    if payers[kind].requires_authorization:
        record_authorization(
            coverage=coverage,
            data={"number": f"AUTH-{i:04d}", "codes": [], "visits": 16, "units": 40,
                  "valid_from": today - timedelta(days=30),
                  "valid_until": today + timedelta(days=60)},
            by=by,
        )  # fmt: skip


def claim_the_week(*, biller, today: date | None = None) -> int:
    """Claims of last week's charges: some submitted, one paid, one denied; the
    charges of the last few days stay unclaimed for the biller's queue."""
    today = today or timezone.localdate()
    open_charges = Charge.objects.filter(
        status=ChargeStatus.OPEN, coverage__isnull=False, service_date__lt=today - timedelta(days=5)
    ).order_by("coverage", "service_date")
    by_coverage: dict = {}
    for charge in open_charges:
        by_coverage.setdefault(charge.coverage_id, []).append(charge)
    made = 0
    for n, charges in enumerate(by_coverage.values()):
        claim = claims.create_claim(charges=charges, by=biller)
        made += 1
        if n % 4 == 3:
            continue  # a draft, still to check
        claims.submit_claim(claim=claim, by=biller)
        if n % 4 == 1:
            paid = (claim.total * Decimal("0.8")).quantize(Decimal("0.01"))
            claims.mark_claim_paid(
                claim=claim, by=biller, amount=paid, reference=f"EFT{claim.number:06d}"
            )
        elif n % 4 == 2:
            claims.deny_claim(claim=claim, by=biller, reason="CO-16: missing information")
    for charge in Charge.objects.filter(coverage__isnull=True).order_by("patient")[:3]:
        record_payment(patient=charge.patient, amount=charge.total, method="card",
                       reference="visa 4242", by=biller)  # fmt: skip
    return made
