"""Billing's settings, part of the settings (clinic/settings.py imports them): the
clinic as a claim's billing provider (API.md, Billing), the distinct-procedure
pairs, the missed-visit fees and the 837P's envelope. Each one from the
environment; a bad value fails at start."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import environ
from django.core.exceptions import ImproperlyConfigured

from clinic.npi import is_valid_npi
from clinic.settings_checks import within

env = environ.Env()

__all__ = [
    "CLINIC_CITY",
    "CLINIC_STATE",
    "CLINIC_POSTAL_CODE",
    "CLINIC_NPI",
    "CLINIC_TAX_ID",
    "CLINIC_TAXONOMY_CODE",
    "DISTINCT_PROCEDURE_PAIRS",
    "LATE_CANCEL_HOURS",
    "NO_SHOW_FEE",
    "LATE_CANCEL_FEE",
    "X12_SENDER_ID",
    "X12_USAGE",
    "BILLING_ENUM_NAMES",
    "BILLING_BEAT_SCHEDULE",
]


def parse_money(name: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an amount like 25.00") from exc
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not an amount like 25.00")
    return value.quantize(Decimal("0.01"))


def parse_pairs(raw: str) -> list[tuple[str, str]]:
    """`97124+97140,97530+97140` -> [("97124", "97140"), ("97530", "97140")]."""
    pairs = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        codes = [c.strip() for c in part.split("+")]
        if len(codes) != 2 or not all(c.isalnum() and len(c) == 5 for c in codes):
            raise ImproperlyConfigured(
                f"DISTINCT_PROCEDURE_PAIRS item {part!r} is not like '97124+97140'"
            )
        pairs.append((codes[0], codes[1]))
    return pairs


# CLINIC_NAME and CLINIC_ADDRESS (the street line) are in clinic/settings.py; a
# claim also needs the city, the state and the nine-digit ZIP code.
CLINIC_CITY = env.str("CLINIC_CITY", default="Springfield")
CLINIC_STATE = env.str("CLINIC_STATE", default="IL")
CLINIC_POSTAL_CODE = env.str("CLINIC_POSTAL_CODE", default="627010001")
CLINIC_NPI = env.str("CLINIC_NPI", default="1234567893")
CLINIC_TAX_ID = env.str("CLINIC_TAX_ID", default="123456789")
CLINIC_TAXONOMY_CODE = env.str("CLINIC_TAXONOMY_CODE", default="225700000X")
if not is_valid_npi(CLINIC_NPI):
    raise ImproperlyConfigured(f"CLINIC_NPI={CLINIC_NPI!r} fails the NPI check digit")
if not (len(CLINIC_TAX_ID) == 9 and CLINIC_TAX_ID.isdigit()):
    raise ImproperlyConfigured("CLINIC_TAX_ID must be the nine digits of the EIN, no dash")
if not (len(CLINIC_STATE) == 2 and CLINIC_STATE.isalpha()):
    raise ImproperlyConfigured("CLINIC_STATE must be a two-letter state code")
if not (len(CLINIC_POSTAL_CODE) == 9 and CLINIC_POSTAL_CODE.isdigit()):
    raise ImproperlyConfigured("CLINIC_POSTAL_CODE must be the nine digits of ZIP+4")
# When both codes of a pair are billed for one session on different regions, the
# second carries modifier 59 (XS for Medicare); on one region they are refused.
DISTINCT_PROCEDURE_PAIRS = parse_pairs(
    env.str("DISTINCT_PROCEDURE_PAIRS", default="97124+97140,97530+97140")
)
# No-show and late-cancellation fees: 0.00 turns them off (the default).
LATE_CANCEL_HOURS = within("LATE_CANCEL_HOURS", env.int("LATE_CANCEL_HOURS", default=24), 0, 168)
NO_SHOW_FEE = parse_money("NO_SHOW_FEE", env.str("NO_SHOW_FEE", default="0.00"))
LATE_CANCEL_FEE = parse_money("LATE_CANCEL_FEE", env.str("LATE_CANCEL_FEE", default="0.00"))
# The 837P's envelope: our id as sender (ISA06, GS02) and the usage indicator
# (ISA15): T(est) until the clearinghouse has enrolled the clinic, then P.
X12_SENDER_ID = env.str("X12_SENDER_ID", default=CLINIC_TAX_ID)
X12_USAGE = env.str("X12_USAGE", default="T")
if X12_USAGE not in ("T", "P") or not 2 <= len(X12_SENDER_ID) <= 15:
    raise ImproperlyConfigured("X12_USAGE is T or P; X12_SENDER_ID is 2 to 15 characters")
# The API schema's names for billing's choices (clinic/settings.py's SPECTACULAR_SETTINGS).
BILLING_ENUM_NAMES = {
    "ChargeStatusEnum": "billing.models.ChargeStatus",
    "ChargeKindEnum": "billing.models.ChargeKind",
    "ClaimStatusEnum": "billing.models.ClaimStatus",
    "PayerKindEnum": "billing.models.PayerKind",
    "PrecautionKindEnum": "referrals.models.PrecautionKind",
}
# Part of the periodic schedule (CELERY_BEAT_SCHEDULE in clinic/settings.py): the
# fees of no-shows and late cancellations, charged by a scan (nothing at 0.00 fees).
BILLING_BEAT_SCHEDULE = {
    "charge-missed-visits": {
        "task": "billing.tasks.charge_missed_visits",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
}
