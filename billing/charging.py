"""Charges: made when, and only when, a session note is signed, in the same
transaction (`sign_note_and_charge`, the one signing workflow that the API,
the pages, the admin and the demo call); priced by `billing.rules` from the
note's services, the payer of the service date and its fee schedule; voided
with a reason; and the fees of missed visits, by the clinic's policy."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition, NotAllowed
from clinic.models import User
from clinic.vocabulary import Role
from referrals.models import Diagnosis
from scheduling.models import Appointment
from sessions_log.models import SessionNote
from sessions_log.services import keep_as_fetched, sign_session_note

from .coverage import authorization_on, authorized_units, coverage_on, units_used
from .models import (
    LIVE_CLAIM_STATUSES,
    Authorization,
    Charge,
    ChargeKind,
    ChargeLine,
    ChargeStatus,
    Coverage,
    Payer,
    PayerKind,
    UnitRule,
)
from .note_services import service_date
from .rules import Line, Service, price_services

FEE_KINDS = (ChargeKind.NO_SHOW_FEE, ChargeKind.LATE_CANCEL_FEE)


@dataclass
class Pricing:
    """What a note would be charged, before anything is saved (also shown to the
    therapist on the tablet before signing)."""

    service_date: object
    coverage: Coverage | None
    payer: Payer
    authorization: Authorization | None
    lines: list[Line]
    diagnoses: list[dict]
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def self_pay_payer() -> Payer:
    """The payer of a patient without coverage (seeded; made again if retired)."""
    payer = Payer.objects.self_pay()
    if payer is None:
        payer = Payer.objects.create(
            name="Self-pay", kind=PayerKind.SELF_PAY, unit_rule=UnitRule.AMA
        )
    return payer


def note_diagnoses(note: SessionNote) -> list[dict]:
    """The referral's diagnoses in order: the claim's A..L."""
    if note.plan_id is None:
        return []
    # by the plan's referral id: the referral itself is not read
    rows = Diagnosis.objects.filter(referral_id=note.plan.referral_id)
    return list(rows.order_by("position", "id").values("code", "description")[:12])


def price_note(note: SessionNote) -> Pricing:
    day = service_date(note.appointment)
    coverage = coverage_on(note.patient, day)
    payer = coverage.payer if coverage else self_pay_payer()
    # the services with their codes (whether timed) in one query, kept on the note
    rows = list(note.services.select_related("service_code").order_by("position"))
    keep_as_fetched(note, "services", rows)
    services = [Service(s.service_code_id, s.minutes, s.region, s.side) for s in rows]
    timed = {s.service_code_id: s.service_code.timed for s in rows}
    diagnoses = note_diagnoses(note)
    # the payer's whole fee schedule, once: the prices and the no_fee warning
    fees = dict(payer.fees.values_list("service_code", "per_unit"))
    lines = price_services(
        services=services,
        timed=timed,
        unit_rule=payer.unit_rule,
        line_modifiers=list(payer.line_modifiers or []),
        payer_kind=payer.kind,
        pairs=settings.DISTINCT_PROCEDURE_PAIRS,
        fees={code: fees[code] for code in timed if code in fees},
        diagnosis_count=len(diagnoses),
    )
    pricing = Pricing(day, coverage, payer, authorization_on(coverage, day), lines, diagnoses)
    pricing.warnings = _warnings(pricing, fee_codes=set(fees))
    return pricing


def _warnings(pricing: Pricing, *, charge=None, fee_codes=None) -> list[str]:
    warnings = []
    authorization = pricing.authorization
    if pricing.payer.requires_authorization and authorization is None and pricing.lines:
        warnings.append("authorization_missing")
    if authorization is not None:
        these = authorized_units(authorization, [(ln.code, ln.units) for ln in pricing.lines])
        if these and units_used(authorization, exclude_charge=charge) + these > authorization.units:
            warnings.append("over_authorization")
    fees = fee_codes
    if fees is None:
        fees = set(pricing.payer.fees.values_list("service_code", flat=True))
    if pricing.payer.kind != PayerKind.SELF_PAY and any(
        ln.code not in fees for ln in pricing.lines
    ):
        warnings.append("no_fee")
    if not pricing.diagnoses and pricing.lines:
        warnings.append("no_diagnosis")
    return warnings


def _create_charge(*, note: SessionNote, pricing: Pricing, by: User) -> Charge:
    charge = Charge.objects.create(
        kind=ChargeKind.VISIT,
        note=note,
        appointment_id=note.appointment_id,
        patient_id=note.patient_id,
        referral_id=note.plan.referral_id if note.plan_id else None,
        therapist_id=note.therapist_id,
        coverage=pricing.coverage,
        payer=pricing.payer,
        authorization=pricing.authorization,
        service_date=pricing.service_date,
        total=pricing.total,
        warnings=pricing.warnings,
        diagnoses=pricing.diagnoses,
        created_by=by,
    )
    ChargeLine.objects.bulk_create(
        ChargeLine(
            charge=charge,
            position=i,
            service_code_id=line.code,
            modifiers=line.modifiers,
            minutes=line.minutes,
            units=line.units,
            diagnosis_pointers=line.diagnosis_pointers,
            amount=line.amount,
        )
        for i, line in enumerate(pricing.lines)
    )
    record(actor=by, action="charge.create", target=charge, patient=note.patient)
    return charge


def sign_note_and_charge(*, note: SessionNote, by: User) -> SessionNote:
    """Sign the note and charge its services in one transaction: a note whose
    services cannot be billed (a distinct pair on one region) stays unsigned.
    A note of no billable service (muscle testing alone) makes no charge.
    The charge is made inside sign_session_note's transaction (no savepoint of
    this workflow's own), from the note it locked with its visit, patient and plan;
    the note comes back with its areas and services, as a read of it answers."""

    def charge(signed: SessionNote) -> None:
        pricing = price_note(signed)
        if pricing.lines:
            _create_charge(note=signed, pricing=pricing, by=by)

    return sign_session_note(note=note, by=by, then=charge)


# --- voiding and fees -----------------------------------------------------------------------


@transaction.atomic
def void_charge(*, charge: Charge, by: User, reason: str) -> Charge:
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if by.role == Role.FRONT_DESK and charge.kind not in FEE_KINDS:
        raise NotAllowed("The front desk voids the fees of missed visits only.")
    if not (reason or "").strip():
        raise Invalid.field("reason", "Say why the charge is voided.")
    if charge.status != ChargeStatus.OPEN:
        raise InvalidTransition(f"Only an open charge is voided; this one is {charge.status}.")
    if charge.claims.filter(status__in=LIVE_CLAIM_STATUSES).exists():
        raise InvalidTransition("The charge is on a claim; take it off the claim first.")
    charge.status = ChargeStatus.VOID
    charge.void_reason = reason.strip()[:500]
    charge.voided_at = timezone.now()
    charge.voided_by = by
    charge.version += 1
    charge.save()
    record(
        actor=by, action="charge.void", target=charge, patient=charge.patient, detail=reason[:500]
    )
    return charge


def missed_visit_fee(appointment: Appointment, *, kind: str) -> Decimal:
    """The clinic's fee for a no-show, or for a cancellation made less than
    LATE_CANCEL_HOURS before the start; 0.00 is off (the default)."""
    if kind == ChargeKind.NO_SHOW_FEE:
        return settings.NO_SHOW_FEE
    notice = appointment.start - (appointment.status_changed_at or appointment.start)
    if notice >= timedelta(hours=settings.LATE_CANCEL_HOURS):
        return Decimal("0.00")
    return settings.LATE_CANCEL_FEE


def missed_visits(*, since) -> list[tuple[Appointment, str]]:
    """No-shows and late cancellations changed since `since` with no fee yet."""
    fee_of = Charge.objects.filter(appointment=OuterRef("pk"), kind__in=FEE_KINDS)
    recent = Appointment.objects.filter(status_changed_at__gte=since).exclude(Exists(fee_of))
    found = []
    if settings.NO_SHOW_FEE > 0:
        found += [(a, ChargeKind.NO_SHOW_FEE) for a in recent.filter(status="no_show")]
    if settings.LATE_CANCEL_FEE > 0:
        late = recent.filter(
            status="cancelled",
            start__lt=F("status_changed_at") + timedelta(hours=settings.LATE_CANCEL_HOURS),
        )
        found += [(a, ChargeKind.LATE_CANCEL_FEE) for a in late]
    return found


@transaction.atomic
def charge_missed_visit(*, appointment: Appointment, kind: str, by: User | None) -> Charge | None:
    """A fee on the patient's ledger (self-pay), once per visit and kind: the
    front desk voids it, with a reason, when the clinic was the cause."""
    amount = missed_visit_fee(appointment, kind=kind)
    if amount <= 0:
        return None
    referral_id = appointment.plan.referral_id if appointment.plan_id else None
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                kind=kind,
                appointment=appointment,
                patient_id=appointment.patient_id,
                referral_id=referral_id,
                therapist_id=appointment.therapist_id,
                payer=self_pay_payer(),
                service_date=timezone.localtime(appointment.start).date(),
                total=amount,
                created_by=by,
            )
    except IntegrityError:  # another scan charged it first
        return None
    record(actor=by, action="charge.create", target=charge, patient=appointment.patient)
    return charge


def charge_missed_visits(*, now=None) -> int:
    """The periodic scan (billing.tasks): fees of the past week's missed visits."""
    now = now or timezone.now()
    made = 0
    for appointment, kind in missed_visits(since=now - timedelta(days=7)):
        made += charge_missed_visit(appointment=appointment, kind=kind, by=None) is not None
    return made
