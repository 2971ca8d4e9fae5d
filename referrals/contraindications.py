"""Contraindication screening that gates the session.

Each precaution flag (on the referral, or a therapist's finding at a visit) maps
to one rule:

- stop: no treatment until the doctor clears it (a thrombosis can embolise under
  massage; a febrile or acutely infected patient should not be treated);
- avoid: no work on the area (a recent surgical site, a wound, a tumour site);
- modify: lighter pressure or another technique (bleeding risk, fragile bone,
  pregnancy), so firm pressure is refused.

The therapist sees them at the top of every visit (`precautions_for_visit`);
`check_session` is the gate `log_session` calls before a note is written."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Conflict, Invalid, InvalidTransition, NotAllowed
from clinic.models import Patient, User
from clinic.vocabulary import Region, Role, Side

from . import tasks
from .models import Precaution, PrecautionKind, PrecautionSource, Referral, ReferralStatus


class Rule:
    STOP = "stop"
    AVOID = "avoid"
    MODIFY = "modify"


RULES = {
    PrecautionKind.DVT: Rule.STOP,
    PrecautionKind.FEVER: Rule.STOP,
    # Uncontrolled blood pressure needs the doctor's word before hands-on work.
    PrecautionKind.HYPERTENSION: Rule.STOP,
    PrecautionKind.RECENT_SURGERY: Rule.AVOID,
    PrecautionKind.OPEN_WOUND: Rule.AVOID,
    PrecautionKind.CANCER: Rule.AVOID,
    PrecautionKind.ANTICOAGULANTS: Rule.MODIFY,
    PrecautionKind.OSTEOPOROSIS: Rule.MODIFY,
    PrecautionKind.PREGNANCY: Rule.MODIFY,
}
STOP_KINDS = [k for k, rule in RULES.items() if rule == Rule.STOP]
RULE_TEXT = {
    Rule.STOP: "stop until cleared by the doctor",
    Rule.AVOID: "avoid the area",
    Rule.MODIFY: "modify pressure or technique (no firm pressure)",
}
TOO_FIRM = {"firm"}


def rule_of(precaution: Precaution) -> str:
    return RULES[precaution.kind]


def describe(precaution: Precaution) -> str:
    site = f" at the {precaution.get_region_display().lower()}" if precaution.region else ""
    side = f" ({precaution.side})" if precaution.side else ""
    return f"{precaution.get_kind_display()}{site}{side}: {RULE_TEXT[rule_of(precaution)]}"


# --- validating and writing the referral's flags -------------------------------------------


def _check_flag(item) -> dict:
    if not isinstance(item, dict):
        return {"kind": ["Send each precaution as an object."]}
    kind = item.get("kind")
    if kind not in PrecautionKind.values:
        return {"kind": [f"{kind!r} is not a precaution: {', '.join(PrecautionKind.values)}."]}
    errors = {}
    region, side = item.get("region") or "", item.get("side") or ""
    if RULES[kind] == Rule.AVOID and not region:
        errors["region"] = ["Give the site, so the therapist knows which area to avoid."]
    if region and region not in Region.values:
        errors["region"] = [f"{region!r} is not a body region."]
    if region and side not in Side.values:
        errors["side"] = ["Give the side of the site (left, right, bilateral, midline)."]
    return errors


def validate_flags(items) -> list | None:
    """DRF's nested error shape for the `precaution_flags` list, or None if all good."""
    if not isinstance(items, list):
        return ["Send the precautions as a list."]
    errors = [_check_flag(item) for item in items]
    return errors if any(errors) else None


def write_referral_flags(referral: Referral, items) -> None:
    """Replace a draft referral's flags (the caller checked the draft is editable)."""
    referral.precaution_flags.all().delete()
    Precaution.objects.bulk_create(
        Precaution(
            patient_id=referral.patient_id,
            referral=referral,
            kind=item["kind"],
            source=PrecautionSource.REFERRAL,
            region=item.get("region") or "",
            side=item.get("side") or "",
            note=item.get("note") or "",
            # the doctor, or the therapist who transcribed the outside physician's paper
            raised_by_id=referral.doctor_id or referral.transcribed_by_id,
        )
        for item in items
    )


def flags_content(referral: Referral) -> list:
    """The flags as a signature covers them."""
    return sorted([p.kind, p.region, p.side, p.note] for p in referral.precaution_flags.all())


# --- what is in effect for a patient -------------------------------------------------------


def standing_for(patient) -> list[Precaution]:
    """The patient's precautions that stand: in effect (Precaution.objects.in_effect:
    a signed referral's flags and the findings) and not cleared by the doctor."""
    return list(
        Precaution.objects.filter(patient=patient, cleared_at__isnull=True)
        .in_effect()
        .order_by("created_at")
    )


def standing_by_patient(patient_ids) -> dict:
    """For a day's list: each patient's standing precautions, stop rules first (one query)."""
    order = {Rule.STOP: 0, Rule.AVOID: 1, Rule.MODIFY: 2}
    rows = Precaution.objects.filter(patient_id__in=list(patient_ids), cleared_at__isnull=True)
    by_patient = {}
    for p in sorted(rows.in_effect(), key=lambda p: (order[rule_of(p)], p.created_at)):
        by_patient.setdefault(p.patient_id, []).append(p)
    return by_patient


def precautions_for_visit(patient) -> list[dict]:
    """The list at the top of every visit, stop rules first."""
    order = {Rule.STOP: 0, Rule.AVOID: 1, Rule.MODIFY: 2}
    rows = sorted(standing_for(patient), key=lambda p: order[rule_of(p)])
    return [
        {
            "id": str(p.pk),
            "kind": p.kind,
            "label": p.get_kind_display(),
            "rule": rule_of(p),
            "region": p.region,
            "side": p.side,
            "note": p.note,
            "source": p.source,
            "text": describe(p),
        }
        for p in rows
    ]


def _sides_overlap(a: str, b: str) -> bool:
    """Only left against right keeps two sides of one region apart."""
    return {a, b} != {Side.LEFT, Side.RIGHT}


def _avoided(area: dict, avoid: list[Precaution]) -> Precaution | None:
    for p in avoid:
        if p.region == area.get("region") and _sides_overlap(p.side, area.get("side")):
            return p
    return None


def _pressure_errors(findings, modify: list[Precaution]) -> dict | None:
    modalities = (findings or {}).get("modalities") if isinstance(findings, dict) else None
    if not modify or not isinstance(modalities, list):
        return None
    reason = "; ".join(describe(p) for p in modify)
    errors = [
        {"pressure": [f"Firm pressure is refused: {reason}."]}
        if isinstance(m, dict) and m.get("pressure") in TOO_FIRM
        else {}
        for m in modalities
    ]
    return {"findings": {"modalities": errors}} if any(errors) else None


def check_session(*, patient, areas, findings=None, stop: bool = True) -> None:
    """The gate before a session note: an uncleared stop flag is a 409 naming it;
    an avoided area or firm pressure under a modify flag is a 400 naming the item."""
    precautions = standing_for(patient)
    stops = [p for p in precautions if rule_of(p) == Rule.STOP]
    if stop and stops:
        raise Conflict(
            "Treatment is stopped until the doctor clears: "
            + "; ".join(describe(p) for p in stops)
            + ". A clearance request is waiting for the doctor.",
            precautions=[str(p.pk) for p in stops],
        )
    avoid = [p for p in precautions if rule_of(p) == Rule.AVOID]
    area_errors = []
    for area in areas or []:
        hit = _avoided(area, avoid) if isinstance(area, dict) else None
        area_errors.append({"region": [f"Refused: {describe(hit)}."]} if hit else {})
    if any(area_errors):
        raise Invalid({"areas": area_errors})
    modify = [p for p in precautions if rule_of(p) == Rule.MODIFY]
    if errors := _pressure_errors(findings, modify):
        raise Invalid(errors)


# --- findings and clearance ------------------------------------------------------------------


def _doctors_of(patient) -> list[User]:
    doctor_ids = (
        Referral.objects.filter(patient=patient)
        .exclude(status=ReferralStatus.DRAFT)
        .values("doctor")
    )
    return list(User.objects.filter(pk__in=doctor_ids, is_active=True))


def email_clearance_request(precaution_id) -> int:
    """Tell the patient's doctors that treatment waits for their clearance
    (run by the task referrals.tasks.email_clearance_request, after commit)."""
    precaution = Precaution.objects.select_related("patient", "raised_by").get(pk=precaution_id)
    patient = precaution.patient
    recipients = [d.email for d in _doctors_of(patient) if d.email]
    if not recipients or precaution.cleared_at:
        return 0
    subject = f"Clearance needed: {precaution.get_kind_display()} for {patient.full_name}"
    who = precaution.raised_by or "The patient's health history"
    body = (
        f"{who} recorded: {describe(precaution)}.\n"
        f"{precaution.note}\n\n"
        f"Treatment of {patient.full_name} is stopped until you clear it:\n"
        f"{settings.SITE_URL.rstrip('/')}{reverse('clearances')}\n"
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@transaction.atomic
def raise_finding(
    *, by: User, patient: Patient, kind: str, region: str = "", side: str = "", note: str = ""
) -> Precaution:
    """A therapist (or the doctor) records a new finding, e.g. a suspected DVT;
    it gates the session like the referral's flags and asks the doctor to clear it."""
    if by.role not in (Role.THERAPIST, Role.DOCTOR):
        raise NotAllowed("Only clinicians record findings.")
    item = {"kind": kind, "region": region, "side": side}
    if errors := _check_flag(item):
        raise Invalid(errors)
    precaution = Precaution.objects.create(
        patient=patient,
        kind=kind,
        source=PrecautionSource.FINDING,
        region=region or "",
        side=side or "",
        note=(note or "").strip(),
        raised_by=by,
    )
    record(actor=by, action="precaution.finding", target=precaution, patient=patient)
    if rule_of(precaution) == Rule.STOP:
        tasks.email_clearance_request.delay_on_commit(str(precaution.pk))
    return precaution


@transaction.atomic
def raise_from_intake(*, patient: Patient, flags: list[dict], by: User | None) -> list[Precaution]:
    """Red flags of the patient's health history (each `{kind, region, side, note}`,
    checked like a finding's) become precautions on the patient, unless the same
    one already stands; a stop flag asks the doctor for clearance. `by` is staff
    entering the form for the patient, or None for the patient."""
    standing = {(p.kind, p.region, p.side) for p in standing_for(patient)}
    raised = []
    for flag in flags:
        if errors := _check_flag(flag):
            raise Invalid(errors)
        key = (flag["kind"], flag.get("region") or "", flag.get("side") or "")
        if key in standing:
            continue
        standing.add(key)
        raised.append(
            Precaution.objects.create(
                patient=patient,
                kind=key[0],
                source=PrecautionSource.INTAKE,
                region=key[1],
                side=key[2],
                note=(flag.get("note") or "")[:500],
                raised_by=by,
            )  # fmt: skip
        )
    for precaution in raised:
        record(actor=by, action="precaution.intake", target=precaution, patient=patient)
        if rule_of(precaution) == Rule.STOP:
            tasks.email_clearance_request.delay_on_commit(str(precaution.pk))
    return raised


@transaction.atomic
def clear_precaution(*, precaution: Precaution, by: User, note: str = "") -> Precaution:
    """The doctor's clearance: the flag no longer gates treatment."""
    precaution = Precaution.objects.select_for_update().get(pk=precaution.pk)
    if by.role != Role.DOCTOR:
        raise NotAllowed("Only a doctor clears a precaution.")
    if not Precaution.objects.visible_to(by).filter(pk=precaution.pk).exists():
        raise NotAllowed("Only a doctor of this patient clears a precaution.")
    if precaution.cleared_at:
        raise InvalidTransition("This precaution is already cleared.")
    precaution.cleared_at = timezone.now()
    precaution.cleared_by = by
    precaution.clearance_note = (note or "").strip()
    precaution.save()
    record(actor=by, action="precaution.clear", target=precaution, patient=precaution.patient)
    return precaution


def waiting_for_clearance(precautions):
    """The one "waiting for the doctor's clearance" query, for the doctor's list,
    the API's ?waiting= filter and the plan's clearance_needed flag: stop flags in
    effect that the doctor has not cleared."""
    return precautions.in_effect().filter(kind__in=STOP_KINDS, cleared_at__isnull=True)


def pending_clearances(doctor: User):
    """The doctor's clearance requests: stop flags of the doctor's patients."""
    return waiting_for_clearance(Precaution.objects.visible_to(doctor)).select_related(
        "patient", "raised_by"
    )


def waiting_clearances_subquery():
    """Stop flags awaiting clearance for the plan's patient: an annotation on
    TreatmentPlan, so the progress flags of many plans need no extra query."""
    waiting = (
        waiting_for_clearance(Precaution.objects.filter(patient=OuterRef("patient")))
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(waiting), 0)
