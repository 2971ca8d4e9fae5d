"""Referral and treatment-plan lifecycles, written once for the API, the pages,
the admin and the tasks. Every function is keyword-only and atomic."""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from clinic.hashing import content_hash
from clinic.models import User
from clinic.versions import write_if_changed
from clinic.vocabulary import Region, Role, Side

from . import contraindications, icd10
from .contraindications import validate_flags
from .models import (
    Diagnosis,
    Modality,
    Referral,
    ReferralStatus,
    TargetArea,
)

# --- validation of nested clinical content ------------------------------------


def _item_errors(items, check) -> list[dict] | None:
    """Run `check(item) -> {field: [msg]}` on each item; DRF's nested error shape."""
    errors = [check(item) or {} for item in items]
    return errors if any(errors) else None


def _code_of(item) -> str:
    return (item or {}).get("code", "") if isinstance(item, dict) else ""


def _check_diagnosis(item, billable: dict[str, str]) -> dict:
    code = _code_of(item)
    if not isinstance(code, str) or icd10.normalise(code) not in billable:
        return {"code": [f"{code!r} is not a billable ICD-10-CM code (use a leaf such as M54.50)."]}
    return {}


def _diagnosis_errors(diagnoses) -> list[dict] | None:
    billable = icd10.descriptions(map(_code_of, diagnoses))  # one query for them all
    return _item_errors(diagnoses, lambda item: _check_diagnosis(item, billable))


def _check_area(item) -> dict:
    errors = {}
    if item.get("region") not in Region.values:
        errors["region"] = [f"{item.get('region')!r} is not a body region."]
    if item.get("side") not in Side.values:
        errors["side"] = [f"{item.get('side')!r} is not a side (left, right, bilateral, midline)."]
    return errors


def _check_modalities(codes, known: set[str]) -> list[str] | None:
    unknown = [c for c in codes or [] if c not in known]
    return [f"Unknown modality: {', '.join(map(str, unknown))}."] if unknown else None


def _known_modalities() -> set[str]:
    return set(Modality.objects.filter(is_active=True).values_list("code", flat=True))


def validate_referral_content(data: dict, *, partial: bool = False) -> dict:
    """Every bad field at once, never the first only."""
    errors: dict = {}
    if "diagnoses" in data or not partial:
        diagnoses = data.get("diagnoses") or []
        if not diagnoses:
            errors["diagnoses"] = ["At least one diagnosis is required."]
        elif item_errors := _diagnosis_errors(diagnoses):
            errors["diagnoses"] = item_errors
        elif len({icd10.normalise(d["code"]) for d in diagnoses}) != len(diagnoses):
            errors["diagnoses"] = ["A diagnosis appears twice."]
    if "target_areas" in data or not partial:
        areas = data.get("target_areas") or []
        if not areas:
            errors["target_areas"] = ["At least one target area is required."]
        elif item_errors := _item_errors(areas, _check_area):
            errors["target_areas"] = item_errors
    if "recommended_modalities" in data and (
        bad := _check_modalities(data["recommended_modalities"], _known_modalities())
    ):
        errors["recommended_modalities"] = bad
    if "visits_prescribed" in data or not partial:
        visits = data.get("visits_prescribed")
        if not isinstance(visits, int) or not 1 <= visits <= 60:
            errors["visits_prescribed"] = ["Prescribe between 1 and 60 visits."]
    if "frequency_per_week" in data or not partial:
        frequency = data.get("frequency_per_week")
        if not isinstance(frequency, int) or not 1 <= frequency <= 7:
            errors["frequency_per_week"] = ["Frequency is 1 to 7 visits a week."]
    if "valid_until" in data or not partial:
        valid_until = data.get("valid_until")
        if not isinstance(valid_until, date) or valid_until <= timezone.localdate():
            errors["valid_until"] = ["The referral must be valid until a date after today."]
    if "precaution_flags" in data and (
        bad := contraindications.validate_flags(data["precaution_flags"])
    ):
        errors["precaution_flags"] = bad
    return errors


# --- referrals -------------------------------------------------------------------------

REFERRAL_FIELDS = ("precautions", "visits_prescribed", "frequency_per_week", "valid_until")


def _require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise NotAllowed(f"A {user.get_role_display().lower()} may not do this.")


def _write_referral_children(referral: Referral, data: dict) -> None:
    if "diagnoses" in data:
        referral.diagnoses.all().delete()
        codes = [icd10.normalise(item["code"]) for item in data["diagnoses"]]
        described = icd10.descriptions(codes)
        Diagnosis.objects.bulk_create(
            Diagnosis(referral=referral, code=code, description=described[code], position=i)
            for i, code in enumerate(codes)
        )
    if "target_areas" in data:
        referral.target_areas.all().delete()
        unique = {(a["region"], a["side"]) for a in data["target_areas"]}
        TargetArea.objects.bulk_create(
            TargetArea(referral=referral, region=r, side=s) for r, s in sorted(unique)
        )
    if "recommended_modalities" in data:
        referral.recommended_modalities.set(data["recommended_modalities"])
    if "precaution_flags" in data:
        contraindications.write_referral_flags(referral, data["precaution_flags"] or [])


@transaction.atomic
def create_referral(*, doctor: User, patient, data: dict, renewal_of: Referral | None = None):
    _require_role(doctor, Role.DOCTOR)
    return new_referral(
        by=doctor, patient=patient, data=data, renewal_of=renewal_of, prescriber={"doctor": doctor}
    )


def new_referral(*, by: User, patient, data: dict, renewal_of, prescriber: dict, action="create"):
    """A draft referral of `prescriber` (a staff doctor, or an outside physician with
    the therapist who transcribed the paper: referrals/transcription.py)."""
    if errors := validate_referral_content(data):
        raise Invalid(errors)
    referral = Referral.objects.create(
        patient=patient,
        renewal_of=renewal_of,
        **prescriber,
        **{f: data.get(f, "") if f == "precautions" else data[f] for f in REFERRAL_FIELDS},
    )
    _write_referral_children(referral, data)
    record(actor=by, action=f"referral.{action}", target=referral, patient=patient)
    return referral


@transaction.atomic
def update_referral(*, referral: Referral, by: User, data: dict):
    """A draft is the doctor's to edit; a signed referral's content never changes."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_written_by(by):
        raise NotAllowed("Only the referring doctor (or its transcriber) may edit this referral.")
    if referral.is_locked:
        raise Locked("This referral is signed; write a renewal instead of editing it.")
    if errors := validate_referral_content(data, partial=True):
        raise Invalid(errors)

    def write():
        for field in REFERRAL_FIELDS:
            if field in data:
                setattr(referral, field, data[field])
        referral.version = F("version") + 1
        referral.save()
        _write_referral_children(referral, data)

    if write_if_changed(content=lambda: referral_content(referral), write=write):
        record(actor=by, action="referral.update", target=referral, patient=referral.patient)
    referral.refresh_from_db()
    return referral


def referral_content(referral: Referral) -> dict:
    """The clinical content a signature covers."""
    content = {
        "patient": str(referral.patient_id),
        "doctor": str(referral.doctor_id),
        "diagnoses": [d.code for d in referral.diagnoses.order_by("position")],
        "target_areas": sorted([a.region, a.side] for a in referral.target_areas.all()),
        "modalities": sorted(referral.recommended_modalities.values_list("code", flat=True)),
        "precautions": referral.precautions,
        "visits_prescribed": referral.visits_prescribed,
        "frequency_per_week": referral.frequency_per_week,
        "valid_until": referral.valid_until.isoformat(),
    }
    if referral.outside_physician_id:  # only when present: older hashes hold
        content["outside_physician"] = str(referral.outside_physician_id)
    if flags := contraindications.flags_content(referral):  # only when present: older hashes hold
        content["precaution_flags"] = flags
    return content


def referral_is_intact(referral: Referral) -> bool:
    """False when a signed referral's content changed after its signature."""
    return not referral.content_hash or referral.content_hash == content_hash(
        referral_content(referral)
    )


def _transition_referral(referral, *, by, allowed_from, to, action, **changes):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_written_by(by):
        raise NotAllowed("Only the referring doctor (or its transcriber) may do this.")
    if referral.status not in allowed_from:
        raise InvalidTransition(
            f"A {referral.effective_status} referral cannot be {action.split('.')[-1]}ed."
        )
    referral.status = to
    for field, value in changes.items():
        setattr(referral, field, value)
    referral.version = F("version") + 1
    referral.save()
    record(actor=by, action=action, target=referral, patient=referral.patient)
    referral.refresh_from_db()
    return referral


@transaction.atomic
def sign_referral(*, referral: Referral, by: User):
    if referral.status == ReferralStatus.DRAFT and referral.valid_until <= timezone.localdate():
        raise Invalid.field("valid_until", "The referral must be valid until a date after today.")
    signed = _transition_referral(
        referral,
        by=by,
        allowed_from=[ReferralStatus.DRAFT],
        to=ReferralStatus.SIGNED,
        action="referral.sign",
        signed_at=timezone.now(),
        # a transcribed referral: the scanned prescription is the signature, and
        # the therapist who transcribed it records that (API.md)
        signed_by=by,
    )
    signed.content_hash = content_hash(referral_content(signed))
    Referral.objects.filter(pk=signed.pk).update(content_hash=signed.content_hash)
    return signed


@transaction.atomic
def complete_referral(*, referral: Referral, by: User):
    return _transition_referral(
        referral,
        by=by,
        allowed_from=[ReferralStatus.SIGNED],
        to=ReferralStatus.COMPLETED,
        action="referral.complete",
        completed_at=timezone.now(),
    )


@transaction.atomic
def cancel_referral(*, referral: Referral, by: User):
    return _transition_referral(
        referral,
        by=by,
        allowed_from=[ReferralStatus.DRAFT, ReferralStatus.SIGNED],
        to=ReferralStatus.CANCELLED,
        action="referral.cancel",
    )


# --- treatment plans ---------------------------------------------------------------


@transaction.atomic
def renew_referral(*, referral: Referral, by: User, data: dict) -> Referral:
    """A renewal: a new draft referral pointing at the old one, its content taken
    from it unless `data` says otherwise; its visits are counted afresh."""
    if by.role != Role.DOCTOR:
        raise NotAllowed("Only a doctor renews a referral.")
    if referral.status == ReferralStatus.DRAFT:
        raise InvalidTransition("A draft referral is edited, not renewed.")
    content = {
        "diagnoses": [{"code": d.code} for d in referral.diagnoses.all()],
        "target_areas": [{"region": a.region, "side": a.side} for a in referral.target_areas.all()],
        "recommended_modalities": [m.code for m in referral.recommended_modalities.all()],
        "precautions": referral.precautions,
        "precaution_flags": [
            {"kind": p.kind, "region": p.region, "side": p.side, "note": p.note}
            for p in referral.precaution_flags.filter(cleared_at__isnull=True)
        ],
        "visits_prescribed": referral.visits_prescribed,
        "frequency_per_week": referral.frequency_per_week,
        **data,
    }
    if "valid_until" not in data:
        raise Invalid.field("valid_until", "Say until when the renewal is valid.")
    if bad := validate_flags(content["precaution_flags"]):
        raise Invalid({"precaution_flags": bad})
    return create_referral(doctor=by, patient=referral.patient, data=content, renewal_of=referral)
