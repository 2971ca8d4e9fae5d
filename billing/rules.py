"""The billing rules of API.md, as plain functions of plain data (no database):
services derived from a note's areas, units by the payer's rule, modifiers,
distinct-procedure pairs, diagnosis pointers and amounts. `billing.charging`
feeds them from the records and saves what they answer."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from clinic.errors import Invalid

CENTS = Decimal("0.01")
POINTER_LETTERS = "ABCDEFGHIJKL"  # an 837P carries at most twelve diagnoses
POINTERS_PER_LINE = 4


@dataclass(frozen=True)
class Service:
    code: str
    minutes: int
    region: str
    side: str


@dataclass
class Line:
    code: str
    minutes: int
    units: int
    modifiers: list[str] = field(default_factory=list)
    diagnosis_pointers: list[str] = field(default_factory=list)
    amount: Decimal = Decimal("0.00")
    regions: set[str] = field(default_factory=set)


# --- services from areas -----------------------------------------------------------------


def split_minutes(minutes: int, parts: int) -> list[int]:
    """Whole minutes, evenly; the remainder goes to the first part."""
    share, remainder = divmod(minutes, parts)
    return [share + remainder] + [share] * (parts - 1)


def derive_services(areas: Iterable[dict], code_of: Callable[[str], str | None]) -> list[Service]:
    """A note's services from its areas: an area's minutes go to its modalities'
    codes (in the order the modalities were listed), split evenly when they
    map to different codes. A modality with no code (muscle testing) bills
    nothing, so an area of muscle testing alone gives no service."""
    services = []
    for area in areas:
        codes = []
        for modality in area.get("modalities") or []:
            code = code_of(modality)
            if code and code not in codes:
                codes.append(code)
        if not codes:
            continue
        for code, minutes in zip(codes, split_minutes(area["minutes"], len(codes)), strict=True):
            if minutes:
                services.append(Service(code, minutes, area["region"], area["side"]))
    return services


# --- units --------------------------------------------------------------------------------


def units_for_minutes(minutes: int) -> int:
    """8-22 minutes one unit, 23-37 two, ... each further 15 one more; under 8 none."""
    return 0 if minutes < 8 else (minutes - 8) // 15 + 1


def ama_units(minutes_by_code: dict[str, int]) -> dict[str, int]:
    """The AMA's rule: each code on its own minutes."""
    return {code: units_for_minutes(minutes) for code, minutes in minutes_by_code.items()}


def cms_units(minutes_by_code: dict[str, int]) -> dict[str, int]:
    """Medicare's 8-minute rule: the session's total timed minutes give the units;
    each code first gets one per full 15 minutes, and the units left go one by
    one to the codes with the most minutes left over (ties: the first listed)."""
    total_units = units_for_minutes(sum(minutes_by_code.values()))
    units = {code: minutes // 15 for code, minutes in minutes_by_code.items()}
    left_over = {code: minutes % 15 for code, minutes in minutes_by_code.items()}
    order = list(minutes_by_code)
    for _ in range(total_units - sum(units.values())):
        # max() keeps the first of equals, so a tie goes to the code listed first
        code = max(order, key=lambda c: left_over[c])
        units[code] += 1
        left_over[code] = -1
    return units


UNIT_RULES = {"cms": cms_units, "ama": ama_units}


def minutes_by_code(services: Iterable[Service]) -> dict[str, int]:
    """Each code's minutes summed over the services, in the order first given."""
    minutes: dict[str, int] = {}
    for service in services:
        minutes[service.code] = minutes.get(service.code, 0) + service.minutes
    return minutes


# --- lines --------------------------------------------------------------------------------


def diagnosis_pointers(count: int) -> list[str]:
    """The referral's diagnoses in order, A..L; a line points at four at most."""
    return list(POINTER_LETTERS[: min(count, POINTERS_PER_LINE)])


def distinct_procedure_modifier(payer_kind: str) -> str:
    return "XS" if payer_kind == "medicare" else "59"


def apply_distinct_pairs(lines: list[Line], pairs, payer_kind: str) -> None:
    """Both codes of a pair in one session: the second carries 59 (XS for
    Medicare) when they were given to different regions; on a shared region
    they cannot be billed together."""
    by_code = {line.code: line for line in lines}
    for first, second in pairs:
        if first not in by_code or second not in by_code:
            continue
        shared = by_code[first].regions & by_code[second].regions
        if shared:
            raise Invalid.field(
                "services",
                f"{first} and {second} were both given to the {', '.join(sorted(shared))}: "
                "they are billed together only on separate regions.",
            )
        modifier = distinct_procedure_modifier(payer_kind)
        if modifier not in by_code[second].modifiers:
            by_code[second].modifiers.insert(0, modifier)


def price_services(
    *,
    services: list[Service],
    timed: dict[str, bool],
    unit_rule: str,
    line_modifiers: list[str],
    payer_kind: str,
    pairs,
    fees: dict[str, Decimal],
    diagnosis_count: int,
) -> list[Line]:
    """The charge lines of a session's services, in the order first given:
    timed codes by the payer's unit rule, an untimed code one unit; lines of no
    unit are not billed."""
    minutes = minutes_by_code(services)
    timed_minutes = {code: m for code, m in minutes.items() if timed.get(code, True)}
    units = UNIT_RULES[unit_rule](timed_minutes)
    lines = []
    for code, code_minutes in minutes.items():
        is_timed = timed.get(code, True)
        count = units[code] if is_timed else 1
        if count == 0:
            continue
        per_unit = fees.get(code, Decimal("0.00"))
        lines.append(
            Line(
                code=code,
                minutes=code_minutes,
                units=count,
                modifiers=list(line_modifiers) if is_timed else [],
                diagnosis_pointers=diagnosis_pointers(diagnosis_count),
                amount=(per_unit * count).quantize(CENTS),
                regions={s.region for s in services if s.code == code},
            )
        )
    apply_distinct_pairs(lines, pairs, payer_kind)
    return lines
