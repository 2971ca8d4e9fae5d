"""Claims: open charges of one coverage grouped for its payer, exported as an
837P (billing.x12), then submitted, and answered (denied or paid). Submit,
deny and paid move the claim and its charges together."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Conflict, Invalid, InvalidTransition
from clinic.models import User

from .models import (
    LIVE_CLAIM_STATUSES,
    Charge,
    ChargeKind,
    ChargeLine,
    ChargeStatus,
    Claim,
    ClaimStatus,
    Coverage,
    PayerKind,
    PaymentMethod,
    Priority,
)
from .payments import record_payment
from .rules import POINTER_LETTERS

MAX_LINES = 50  # an 837P claim carries at most 50 service lines (loop 2400)


def claim_diagnoses(charges) -> list[dict]:
    """The claim's diagnoses: its charges' in order, each code once (A..L)."""
    seen: dict[str, dict] = {}
    for charge in charges:
        for diagnosis in charge.diagnoses:
            seen.setdefault(diagnosis["code"], diagnosis)
    return list(seen.values())


def _claim_errors(charges: list[Charge]) -> list[str]:
    if not charges:
        return ["Pick at least one open charge."]
    problems = []
    for charge in charges:
        if charge.status != ChargeStatus.OPEN:
            problems.append(f"Charge {charge.pk} is {charge.status}, not open.")
        elif charge.kind != ChargeKind.VISIT or charge.coverage_id is None:
            problems.append(f"Charge {charge.pk} is the patient's to pay (self-pay).")
        elif not charge.diagnoses:
            problems.append(f"Charge {charge.pk} has no diagnosis to claim.")
    patient = charges[0].patient
    missing = [
        f for f in ("address_line", "city", "state", "postal_code") if not getattr(patient, f)
    ]
    if missing:
        problems.append(
            f"The patient's {', '.join(missing).replace('_', ' ')} is needed on a claim."
        )
    if len({c.coverage_id for c in charges}) > 1:
        problems.append("The charges belong to different coverages; one claim, one coverage.")
    if ChargeLine.objects.filter(charge__in=charges).count() > MAX_LINES:
        problems.append(f"A claim holds at most {MAX_LINES} service lines.")
    if len(claim_diagnoses(charges)) > len(POINTER_LETTERS):
        problems.append("A claim names at most 12 diagnoses; split the charges.")
    return problems


def _next_number() -> int:
    return (Claim.objects.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def create_claim(*, charges: list[Charge], by: User) -> Claim:
    ids = sorted({c.pk for c in charges})
    locked = list(Charge.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    problems = _claim_errors(locked)
    on_claims = Charge.objects.filter(pk__in=ids, claims__status__in=LIVE_CLAIM_STATUSES)
    problems += [f"Charge {c.pk} is already on a claim." for c in on_claims]
    if problems:
        raise Invalid({"charges": problems})
    coverage = locked[0].coverage
    for attempt in range(3):  # two billers numbering at once: the unique number decides
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    payer_id=coverage.payer_id,
                    coverage=coverage,
                    number=_next_number(),
                    total=sum((c.total for c in locked), Decimal("0.00")),
                    created_by=by,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    claim.charges.set(locked)
    record(actor=by, action="claim.create", target=claim, patient=coverage.patient)
    return claim


# What a secondary claim's answer does to charges the primary payer already
# answered: it moves only those in these states (paid by the primary stay paid).
SECONDARY_MOVES = {
    ChargeStatus.CLAIMED: (ChargeStatus.OPEN,),
    ChargeStatus.OPEN: (ChargeStatus.CLAIMED,),
    ChargeStatus.PAID: (ChargeStatus.CLAIMED, ChargeStatus.OPEN),
}


def _move(claim: Claim, *, by: User, allowed_from, to: str, charges_to: str, **changes) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in allowed_from:
        raise InvalidTransition(f"A {claim.status} claim cannot become {to}.")
    for name, value in {"status": to, **changes}.items():
        setattr(claim, name, value)
    claim.version += 1
    claim.save()
    charges = claim.charges.all()
    if claim.primary_claim_id:
        charges = charges.filter(status__in=SECONDARY_MOVES[charges_to])
    charges.update(status=charges_to)
    patient = claim.coverage.patient
    record(actor=by, action=f"claim.{to}", target=claim, patient=patient)
    return claim


@transaction.atomic
def submit_claim(*, claim: Claim, by: User) -> Claim:
    return _move(
        claim,
        by=by,
        allowed_from=(ClaimStatus.DRAFT,),
        to=ClaimStatus.SUBMITTED,
        charges_to=ChargeStatus.CLAIMED,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def deny_claim(*, claim: Claim, by: User, reason: str = "") -> Claim:
    """The payer said no: the charges are open again, to correct and claim anew
    or to bill elsewhere; the claim keeps the reason."""
    return _move(
        claim,
        by=by,
        allowed_from=(ClaimStatus.SUBMITTED,),
        to=ClaimStatus.DENIED,
        charges_to=ChargeStatus.OPEN,
        answered_at=timezone.now(),
        denial_reason=(reason or "").strip()[:500],
    )


@transaction.atomic
def mark_claim_paid(*, claim: Claim, by: User, amount: Decimal | None = None, reference=""):
    """The payer paid: the charges are paid; an amount is also recorded as the
    payer's payment on the patient's ledger."""
    claim = _move(
        claim,
        by=by,
        allowed_from=(ClaimStatus.SUBMITTED,),
        to=ClaimStatus.PAID,
        charges_to=ChargeStatus.PAID,
        answered_at=timezone.now(),
        paid_amount=amount,
    )
    if amount:
        record_payment(
            patient=claim.coverage.patient,
            amount=amount,
            method=PaymentMethod.INSURANCE,
            reference=reference,
            claim=claim,
            by=by,
        )
    return claim


# --- secondary claims ------------------------------------------------------------------------


def secondary_coverage_for(primary: Claim, charges: list[Charge]) -> Coverage:
    """The patient's secondary coverage valid on every service date of the claim."""
    dates = [c.service_date for c in charges]
    candidates = (
        Coverage.objects.filter(
            patient_id=primary.coverage.patient_id,
            priority=Priority.SECONDARY,
            payer__is_active=True,
            valid_from__lte=min(dates),
        )
        .exclude(payer__kind=PayerKind.SELF_PAY)
        .exclude(valid_until__lt=max(dates))
        .select_related("payer")
        .order_by("-valid_from", "-created_at")
    )
    coverage = candidates.first()
    if coverage is None:
        raise Invalid.field(
            "coverage", "The patient has no secondary coverage valid on the claim's dates."
        )
    return coverage


@transaction.atomic
def create_secondary_claim(*, primary: Claim, by: User) -> Claim:
    """The same charges, claimed from the secondary coverage once the primary
    payer has answered (paid or denied); its 837P carries that answer."""
    primary = Claim.objects.select_for_update().select_related("coverage").get(pk=primary.pk)
    if primary.primary_claim_id or primary.coverage.priority != Priority.PRIMARY:
        raise Invalid.field("claim", "Only a claim to a primary coverage has a secondary claim.")
    if primary.status not in (ClaimStatus.PAID, ClaimStatus.DENIED):
        raise InvalidTransition(f"A {primary.status} claim has no answer to pass on yet.")
    if primary.secondary_claims.filter(status__in=LIVE_CLAIM_STATUSES).exists():
        raise Conflict("This claim already has a secondary claim.")
    charges = list(primary.charges.all())
    coverage = secondary_coverage_for(primary, charges)
    claim = Claim.objects.create(
        payer=coverage.payer,
        coverage=coverage,
        primary_claim=primary,
        number=_next_number(),
        total=primary.total,
        created_by=by,
    )
    claim.charges.set(charges)
    record(actor=by, action="claim.create_secondary", target=claim, patient=coverage.patient)
    return claim
