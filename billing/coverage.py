"""Coverages and authorizations: recording them (the front desk), which one
pays for a service date, and how much of an authorization is used.

Visits used are the patient's visits booked, checked in or completed within
the authorization's dates (a booking uses a visit, as it does a prescription);
units used are the units of its codes on the charges billed under it."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid
from clinic.models import User
from scheduling.models import Appointment
from scheduling.recurrence import local_day_start

from .models import (
    INJURY_KINDS,
    Authorization,
    ChargeLine,
    ChargeStatus,
    Coverage,
    PayerKind,
    Priority,
    Relationship,
    valid_on,
)

COVERAGE_FIELDS = (
    "payer", "priority", "member_id", "group_number", "subscriber_name", "relationship",
    "valid_from", "valid_until", "claim_number", "date_of_injury", "adjuster_name",
    "adjuster_phone",
)  # fmt: skip
AUTHORIZATION_FIELDS = ("number", "visits", "units", "valid_from", "valid_until")


# --- which coverage pays -----------------------------------------------------------------


def coverage_on(patient, day: date) -> Coverage | None:
    """The coverage billed for a service on `day`: the primary valid that day,
    else a secondary; None means self-pay."""
    valid = (
        Coverage.objects.valid_on(day)
        .filter(patient=patient, payer__is_active=True)
        .exclude(payer__kind=PayerKind.SELF_PAY)
        .select_related("payer")
    )
    by_priority = {c.priority: c for c in valid.order_by("-valid_from", "-created_at")[::-1]}
    return by_priority.get(Priority.PRIMARY) or by_priority.get(Priority.SECONDARY)


def authorization_on(coverage: Coverage | None, day: date) -> Authorization | None:
    if coverage is None:
        return None
    return (
        Authorization.objects.filter(valid_on(day), coverage=coverage)
        .prefetch_related("codes")
        .order_by("-valid_from", "-created_at")
        .first()
    )


# --- usage --------------------------------------------------------------------------------


def attach_usage(authorizations) -> list[Authorization]:
    """Sets `visits_used` and `units_used` on each authorization of a page in two
    queries, whatever its length (their `codes` and `coverage` prefetched)."""
    authorizations = list(authorizations)
    if not authorizations:
        return authorizations
    starts = [a.valid_from for a in authorizations]
    ends = [a.valid_until for a in authorizations]
    visits = list(
        Appointment.objects.counted()
        .filter(
            patient_id__in={a.coverage.patient_id for a in authorizations},
            start__gte=local_day_start(min(starts)),
            start__lt=local_day_start(max(ends) + timedelta(days=1)),
        )
        .values_list("patient_id", "start")
    )
    units = (
        ChargeLine.objects.filter(charge__authorization__in=authorizations)
        .exclude(charge__status=ChargeStatus.VOID)
        .values_list("charge__authorization", "service_code")
        .annotate(n=Sum("units"))
    )
    billed: dict = {}
    for authorization_id, code, n in units:
        billed.setdefault(authorization_id, []).append((code, n))
    for authorization in authorizations:
        patient = authorization.coverage.patient_id
        authorization.visits_used = sum(
            1
            for patient_id, start in visits
            if patient_id == patient
            and authorization.valid_from
            <= timezone.localtime(start).date()
            <= authorization.valid_until
        )
        authorization.units_used = authorized_units(authorization, billed.get(authorization.pk, []))
    return authorizations


def visits_used(authorization: Authorization, *, exclude_ids=()) -> int:
    start = local_day_start(authorization.valid_from)
    end = local_day_start(authorization.valid_until + timedelta(days=1))
    return (
        Appointment.objects.counted()
        .filter(patient_id=authorization.coverage.patient_id, start__gte=start, start__lt=end)
        .exclude(pk__in=list(exclude_ids))
        .count()
    )


def units_used(authorization: Authorization, *, exclude_charge=None) -> int:
    lines = ChargeLine.objects.filter(charge__authorization=authorization).exclude(
        charge__status=ChargeStatus.VOID
    )
    if exclude_charge is not None:
        lines = lines.exclude(charge=exclude_charge)
    rows = lines.values_list("service_code").annotate(n=Sum("units"))
    return authorized_units(authorization, rows)


def authorized_units(authorization: Authorization, lines) -> int:
    """The units of `lines` (code, units) that the authorization covers."""
    codes = {c.code for c in authorization.codes.all()}
    return sum(units for code, units in lines if not codes or code in codes)


# --- recording ---------------------------------------------------------------------------


def _coverage_errors(data: dict) -> dict:
    errors: dict = {}
    payer = data.get("payer")
    if payer is not None and payer.kind == PayerKind.SELF_PAY:
        errors["payer"] = ["Self-pay is what a patient without coverage is billed to."]
    if payer is not None and not payer.is_active:
        errors["payer"] = ["This payer is no longer active."]
    if payer is not None and payer.kind in INJURY_KINDS:
        for name in ("claim_number", "date_of_injury"):
            if not data.get(name):
                errors[name] = [
                    f"An {payer.get_kind_display()} coverage needs the {name.replace('_', ' ')}."
                ]  # noqa: E501
    elif payer is not None and not (data.get("member_id") or "").strip():
        errors["member_id"] = ["The member id from the card is required."]
    injury = data.get("date_of_injury")
    if injury and injury > timezone.localdate():
        errors["date_of_injury"] = ["The date of injury cannot be in the future."]
    if (
        data.get("valid_until")
        and data.get("valid_from")
        and data["valid_until"] < data["valid_from"]
    ):  # noqa: E501
        errors["valid_until"] = ["Coverage ends on or after it starts."]
    relationship = data.get("relationship", Relationship.SELF)
    if relationship != Relationship.SELF and not (data.get("subscriber_name") or "").strip():
        errors["subscriber_name"] = ["Name the subscriber when the patient is not the subscriber."]
    return errors


def _overlapping_same_priority(patient, data: dict, exclude=None) -> bool:
    start, end = data["valid_from"], data.get("valid_until")
    others = Coverage.objects.filter(patient=patient, priority=data["priority"])
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
    if end is not None:
        others = others.filter(valid_from__lte=end)
    return others.exists()


@transaction.atomic
def record_coverage(*, patient, data: dict, by: User) -> Coverage:
    data = {"relationship": Relationship.SELF, **data}
    errors = _coverage_errors(data)
    if not errors and _overlapping_same_priority(patient, data):
        errors["priority"] = [f"The patient already has a {data['priority']} coverage then."]
    if errors:
        raise Invalid(errors)
    coverage = Coverage.objects.create(patient=patient, created_by=by, **_clean(data))
    record(actor=by, action="coverage.create", target=coverage, patient=patient)
    return coverage


@transaction.atomic
def update_coverage(*, coverage: Coverage, data: dict, by: User) -> Coverage:
    merged = {name: getattr(coverage, name) for name in COVERAGE_FIELDS} | data
    errors = _coverage_errors(merged)
    if not errors and _overlapping_same_priority(coverage.patient, merged, exclude=coverage):
        errors["priority"] = [f"The patient already has a {merged['priority']} coverage then."]
    if errors:
        raise Invalid(errors)
    Coverage.objects.filter(pk=coverage.pk).update(**_clean(data), version=F("version") + 1)
    record(actor=by, action="coverage.update", target=coverage, patient=coverage.patient)
    coverage.refresh_from_db()
    return coverage


def _clean(data: dict) -> dict:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


def _authorization_errors(data: dict) -> dict:
    errors: dict = {}
    if not (data.get("number") or "").strip():
        errors["number"] = ["The authorization number is required."]
    for name in ("visits", "units"):
        value = data.get(name)
        if not isinstance(value, int) or not 1 <= value <= 999:
            errors[name] = [f"{name.capitalize()} are 1 to 999."]
    if (
        data.get("valid_until")
        and data.get("valid_from")
        and data["valid_until"] < data["valid_from"]
    ):  # noqa: E501
        errors["valid_until"] = ["An authorization ends on or after it starts."]
    inactive = [c.code for c in data.get("codes") or [] if not c.is_active]
    if inactive:
        errors["codes"] = [f"No longer billed: {', '.join(inactive)}."]
    return errors


@transaction.atomic
def record_authorization(*, coverage: Coverage, data: dict, by: User) -> Authorization:
    if errors := _authorization_errors(data):
        raise Invalid(errors)
    codes = data.pop("codes", None) or []
    authorization = Authorization.objects.create(coverage=coverage, created_by=by, **_clean(data))
    authorization.codes.set(codes)
    record(actor=by, action="authorization.create", target=authorization, patient=coverage.patient)
    return authorization


@transaction.atomic
def update_authorization(*, authorization: Authorization, data: dict, by: User) -> Authorization:
    merged = {name: getattr(authorization, name) for name in AUTHORIZATION_FIELDS} | data
    if errors := _authorization_errors(merged):
        raise Invalid(errors)
    codes = data.pop("codes", None)
    Authorization.objects.filter(pk=authorization.pk).update(
        **_clean(data), version=F("version") + 1
    )
    if codes is not None:
        authorization.codes.set(codes)
    patient = authorization.coverage.patient
    record(actor=by, action="authorization.update", target=authorization, patient=patient)
    authorization.refresh_from_db()
    return authorization
