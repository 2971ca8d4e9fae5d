"""Billing (API.md, Billing): service codes and the modality mapping, payers and
their fee schedules, the patient's coverages and authorizations, the services
given in a session, and the money: charges and their lines, claims, payments.

The layer sits on top of sessions_log: it reads notes, referrals and visits;
nothing below it knows it exists."""

from .catalog import (
    INJURY_KINDS,
    MONEY,
    ZERO,
    Fee,
    Payer,
    PayerKind,
    ServiceCode,
    ServiceMapping,
    UnitRule,
)
from .coverage import Authorization, Coverage, Priority, Relationship, valid_on
from .money import (
    LIVE_CLAIM_STATUSES,
    Charge,
    ChargeKind,
    ChargeLine,
    ChargeStatus,
    Claim,
    ClaimStatus,
    NoteService,
    Payment,
    PaymentMethod,
)

__all__ = [
    "INJURY_KINDS", "LIVE_CLAIM_STATUSES", "MONEY", "ZERO", "Authorization", "Charge",
    "ChargeKind", "ChargeLine", "ChargeStatus", "Claim", "ClaimStatus", "Coverage", "Fee",
    "NoteService", "Payer", "PayerKind", "Payment", "PaymentMethod", "Priority",
    "Relationship", "ServiceCode", "ServiceMapping", "UnitRule", "valid_on",
]  # fmt: skip
