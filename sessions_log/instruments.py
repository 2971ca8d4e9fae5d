"""Outcome instruments, scored by the app from their items, never typed as totals.

Each `score_<instrument>(items)` takes the list of answers as the API receives
it and answers the score stored on the measurement (its range is API.md's:
nprs 0-10, ndi 0-50, odi 0-100, psfs 0-10, rom 0-360). A bad item raises
`Invalid({"items": [{}, {"score": ["..."]}]})`, naming the item, in DRF's shape
for nested lists."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from clinic.errors import Invalid
from clinic.vocabulary import Measure, Side

TWO_PLACES = Decimal("0.01")
ODI_MAX_SKIPPED = 2  # with more sections unanswered the questionnaire is not scored

# Upper limits of active range of motion, a little above the average normal
# ranges of the AAOS (Greene & Heckman, The Clinical Measurement of Joint Motion,
# 1994), so a hypermobile patient fits but a typing error (a knee at 250) does not.
ROM_LIMITS = {
    "neck": {"flexion": 90, "extension": 90, "lateral_flexion": 60, "rotation": 100},
    "lower_back": {"flexion": 100, "extension": 45, "lateral_flexion": 45, "rotation": 45},
    "shoulder": {
        "flexion": 190,
        "extension": 70,
        "abduction": 190,
        "adduction": 60,
        "internal_rotation": 100,
        "external_rotation": 110,
    },
    "elbow": {"flexion": 160, "extension": 15, "pronation": 90, "supination": 90},
    "wrist_hand": {
        "flexion": 90,
        "extension": 90,
        "radial_deviation": 30,
        "ulnar_deviation": 45,
    },
    "hip": {
        "flexion": 140,
        "extension": 40,
        "abduction": 55,
        "adduction": 40,
        "internal_rotation": 55,
        "external_rotation": 60,
    },
    "knee": {"flexion": 160, "extension": 15},
    "ankle_foot": {"dorsiflexion": 30, "plantarflexion": 60, "inversion": 40, "eversion": 30},
}
SPINE = {"neck", "lower_back"}


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_items(items, check, *, count: tuple[int, int], noun: str) -> list[dict]:
    """Run `check(item) -> {field: [msg]}` on each item; raise naming every bad one."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Invalid.field("items", f"Send the {noun} as a list of objects.")
    low, high = count
    if not low <= len(items) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise Invalid.field("items", f"Expected {expected} {noun}, got {len(items)}.")
    errors = [check(item) for item in items]
    if any(errors):
        raise Invalid({"items": errors})
    return items


def _score_between(low: int, high: int, *, optional: bool = False):
    def check(item: dict) -> dict:
        score = item.get("score")
        if optional and score is None:
            return {}
        if not _whole(score, low, high):
            return {"score": [f"Score this item with a whole number from {low} to {high}."]}
        return {}

    return check


def score_nprs(items) -> Decimal:
    """Numeric Pain Rating Scale: one answer, 0 (no pain) to 10 (worst imaginable)."""
    [item] = _check_items(items, _score_between(0, 10), count=(1, 1), noun="rating")
    return Decimal(item["score"])


def score_ndi(items) -> Decimal:
    """Neck Disability Index (Vernon & Mior 1991): 10 sections of 0-5; the total of
    50 (x 2 for the percentage, see `percent`)."""
    items = _check_items(items, _score_between(0, 5), count=(10, 10), noun="sections")
    return Decimal(sum(i["score"] for i in items))


def score_odi(items) -> Decimal:
    """Oswestry Disability Index (Fairbank & Pynsent 2000): 10 sections of 0-5, as
    a percentage of the points possible; a skipped section (null) leaves the
    denominator, so 18 points over 9 answered sections is 18 / 45 = 40 %."""
    items = _check_items(
        items, _score_between(0, 5, optional=True), count=(10, 10), noun="sections"
    )
    answered = [i["score"] for i in items if i.get("score") is not None]
    if len(answered) < len(items) - ODI_MAX_SKIPPED:
        raise Invalid.field(
            "items", f"Answer at least {len(items) - ODI_MAX_SKIPPED} of the 10 sections."
        )
    return _two_places(Decimal(sum(answered)) * 100 / (5 * len(answered)))


def _check_activity(item: dict) -> dict:
    errors = _score_between(0, 10)(item)
    if not str(item.get("activity") or "").strip():
        errors["activity"] = ["Name the activity the patient finds hard."]
    return errors


def score_psfs(items) -> Decimal:
    """Patient-Specific Functional Scale (Stratford 1995): 3 to 5 activities the
    patient names, each 0 (unable) to 10 (as before); the mean."""
    items = _check_items(items, _check_activity, count=(3, 5), noun="activities")
    return _two_places(Decimal(sum(i["score"] for i in items)) / len(items))


def _check_motion(item: dict) -> dict:
    joint, movement = item.get("joint"), item.get("movement")
    if joint not in ROM_LIMITS:
        return {"joint": [f"{joint!r} is not a joint measured here: {', '.join(ROM_LIMITS)}."]}
    if movement not in ROM_LIMITS[joint]:
        return {"movement": [f"A {joint} moves in: {', '.join(ROM_LIMITS[joint])}."]}
    errors = {}
    sides = [Side.MIDLINE] if joint in SPINE else [Side.LEFT, Side.RIGHT]
    if joint in SPINE and movement in ("lateral_flexion", "rotation"):
        sides = [Side.LEFT, Side.RIGHT]
    if item.get("side") not in sides:
        errors["side"] = [f"The side of a {joint} {movement} is {' or '.join(sides)}."]
    limit = ROM_LIMITS[joint][movement]
    degrees = item.get("degrees")
    if not (isinstance(degrees, int | float) and not isinstance(degrees, bool)) or not (
        0 <= degrees <= limit
    ):
        errors["degrees"] = [f"{joint} {movement} is 0 to {limit} degrees."]
    return errors


def score_rom(items) -> Decimal:
    """Range of motion: one joint, movement and side, in degrees within
    physiological limits (ROM_LIMITS)."""
    [item] = _check_items(items, _check_motion, count=(1, 1), noun="movement")
    return _two_places(Decimal(str(item["degrees"])))


SCORERS = {
    Measure.NPRS: score_nprs,
    Measure.NDI: score_ndi,
    Measure.ODI: score_odi,
    Measure.PSFS: score_psfs,
    Measure.ROM: score_rom,
}


def score(measure: str, items) -> Decimal:
    if measure not in SCORERS:
        raise Invalid.field("measure", f"{measure!r} is not a measure.")
    return SCORERS[measure](items)


def percent(measure: str, score_value) -> Decimal | None:
    """The percentage clinicians quote: NDI's 50 points are 100 %; ODI is one already."""
    if measure == Measure.NDI:
        return _two_places(Decimal(str(score_value)) * 2)
    if measure == Measure.ODI:
        return Decimal(str(score_value))
    return None


def mcid(measure: str) -> float:
    """The instrument's minimal clinically important difference (settings.MCID)."""
    return settings.MCID[measure]
