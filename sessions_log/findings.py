"""Structured findings of a session note, so progress is data, not prose:

    {
      "pain": [{"region": "neck", "side": "left", "score": 6}],            # NPRS 0-10
      "muscle_tests": [{"muscle": "upper trapezius", "side": "left", "grade": 4}],  # 0-5
      "trigger_points": [{"muscle": "levator scapulae", "side": "right", "kind": "active"}],
      "modalities": [
        {"modality": "trigger_point", "pressure": "firm"},
        {"modality": "positional_release", "tender_point": "C3 anterior", "hold_seconds": 90},
        {"modality": "rehab_stretching", "technique": "pnf"}
      ]
    }

Kept as validated JSON on the note (one row per note, signed with it); the
per-region trend reads it back for the doctor's body map."""

from collections import defaultdict

from django.utils import timezone

from clinic.vocabulary import Region, Side
from referrals.models import Modality

from .models import SessionNote

PRESSURES = ("light", "medium", "firm")
TRIGGER_POINT_KINDS = ("active", "latent")
# Stretching techniques of rehabilitative massage.
STRETCHING_TECHNIQUES = ("static", "pnf", "contract_relax", "muscle_energy", "active_isolated")
MAX_HOLD_SECONDS = 300


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _named(value) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= 80


def _side(item, errors) -> None:
    if item.get("side") not in Side.values:
        errors["side"] = ["Side is left, right, bilateral or midline."]


def _check_pain(item: dict) -> dict:
    errors = {}
    if item.get("region") not in Region.values:
        errors["region"] = [f"{item.get('region')!r} is not a body region."]
    _side(item, errors)
    if not _whole(item.get("score"), 0, 10):
        errors["score"] = ["Pain is a whole number from 0 to 10."]
    return errors


def _check_muscle_test(item: dict) -> dict:
    errors = {} if _named(item.get("muscle")) else {"muscle": ["Name the muscle."]}
    _side(item, errors)
    if not _whole(item.get("grade"), 0, 5):
        errors["grade"] = ["A muscle test grade is a whole number from 0 to 5."]
    return errors


def _check_trigger_point(item: dict) -> dict:
    errors = {} if _named(item.get("muscle")) else {"muscle": ["Name the muscle."]}
    _side(item, errors)
    if item.get("kind") not in TRIGGER_POINT_KINDS:
        errors["kind"] = ["A trigger point is active or latent."]
    return errors


def _check_modality(item: dict, known: set[str]) -> dict:
    errors = {}
    if item.get("modality") not in known:
        errors["modality"] = [f"Unknown modality: {item.get('modality')!r}."]
    if "pressure" in item and item["pressure"] not in PRESSURES:
        errors["pressure"] = ["Pressure is light, medium or firm."]
    if "tender_point" in item and not _named(item["tender_point"]):
        errors["tender_point"] = ["Name the tender point (up to 80 characters)."]
    if "hold_seconds" in item and not _whole(item["hold_seconds"], 1, MAX_HOLD_SECONDS):
        errors["hold_seconds"] = [f"Hold time is 1 to {MAX_HOLD_SECONDS} seconds."]
    if "technique" in item and item["technique"] not in STRETCHING_TECHNIQUES:
        errors["technique"] = [f"Technique is one of {', '.join(STRETCHING_TECHNIQUES)}."]
    return errors


def validate_findings(findings) -> dict | list | None:
    """The errors under `findings`, in DRF's nested shape, or None if all good."""
    if findings in (None, {}):
        return None
    if not isinstance(findings, dict):
        return ["Findings are an object of pain, muscle_tests, trigger_points, modalities."]
    checks = {
        "pain": _check_pain,
        "muscle_tests": _check_muscle_test,
        "trigger_points": _check_trigger_point,
        "modalities": None,  # needs the catalog, read only when sent
    }
    errors: dict = {}
    for key, items in findings.items():
        if key not in checks:
            errors[key] = [f"Unknown finding {key!r}; use {', '.join(checks)}."]
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            errors[key] = ["Send a list of objects."]
            continue
        if key == "modalities":
            known = set(Modality.objects.values_list("code", flat=True))
            item_errors = [_check_modality(i, known) for i in items]
        else:
            item_errors = [checks[key](i) for i in items]
        if any(item_errors):
            errors[key] = item_errors
    return errors or None


def region_trends(notes) -> list[dict]:
    """Pain per treated region over time, for the doctor's body map, from a
    SessionNote queryset (e.g. a patient's or a plan's notes) in one query:
    `[{"region", "side", "points": [{"date", "score"}], "first", "latest", "change"}]`."""
    rows = notes.order_by("appointment__start").values("appointment__start", "findings")
    return trends_from(
        (timezone.localtime(row["appointment__start"]).date(), row["findings"]) for row in rows
    )


def trends_from(dated_findings) -> list[dict]:
    """The per-region trend from `(date, findings)` pairs, oldest first."""
    points = defaultdict(list)
    for day, findings in dated_findings:
        for item in (findings or {}).get("pain", []):
            points[(item["region"], item["side"])].append({"date": day, "score": item["score"]})
    order = {region: i for i, region in enumerate(Region.values)}
    return [
        {
            "region": region,
            "side": side,
            "label": f"{Region(region).label} ({side})",
            "points": series,
            "first": series[0]["score"],
            "latest": series[-1]["score"],
            "change": series[-1]["score"] - series[0]["score"] if len(series) > 1 else None,
        }
        for (region, side), series in sorted(points.items(), key=lambda kv: order[kv[0][0]])
    ]


def patient_region_trends(patient) -> list[dict]:
    return region_trends(SessionNote.objects.filter(patient=patient))
