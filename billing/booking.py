"""Authorizations guard the schedule (API.md, Billing): a visit on a day when the
patient's primary coverage requires an authorization, and none valid that day
has a visit left, is refused at booking with a 400 naming `authorization`,
exactly as a prescription cap is. Registered with the booking service as one
of its rules (billing.apps), so scheduling never imports billing.

None when no primary coverage needs authorizations (the fact loaded with the patient);
three at most otherwise, whatever the number of visits: the coverages that need
an authorization, their authorizations, and the visits already counted."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clinic.errors import Invalid
from scheduling.models import Appointment
from scheduling.recurrence import local_day_start

from .models import Authorization, Coverage, Priority


def needs_authorization():
    """Loaded with the patient's row by the booking service (its PATIENT_FACTS): does
    any primary coverage of an active payer require authorizations at all? When
    not, the check below costs no query."""
    return Exists(
        Coverage.objects.filter(
            patient=OuterRef("pk"),
            priority=Priority.PRIMARY,
            payer__is_active=True,
            payer__requires_authorization=True,
        )
    )


def check_authorization(*, patient, slots, exclude_ids=()) -> None:
    # a patient loaded without the fact (another caller) is checked in full
    if not slots or not getattr(patient, "needs_authorization", True):
        return
    days = [timezone.localtime(slot.start).date() for slot in slots]
    first, last = min(days), max(days)
    needing = list(
        Coverage.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=first),
            patient=patient,
            priority=Priority.PRIMARY,
            valid_from__lte=last,
            payer__is_active=True,
            payer__requires_authorization=True,
        ).select_related("payer")
    )
    if not needing:
        return
    authorizations = list(
        Authorization.objects.filter(
            coverage__in=needing, valid_from__lte=last, valid_until__gte=first
        ).order_by("valid_from", "created_at")
    )
    counted = _counted_days(patient, authorizations, exclude_ids)
    for day in sorted(set(days)):
        coverage = next((c for c in needing if _valid(c, day)), None)
        if coverage is None:
            continue
        if not _room_on(day, coverage, authorizations, counted, days):
            raise Invalid.field(
                "authorization",
                f"{coverage.payer.name} needs an authorization with a visit left for "
                f"{day:%b %d, %Y}; record one on the patient's billing page.",
            )


def _valid(record, day) -> bool:
    return record.valid_from <= day and (record.valid_until is None or day <= record.valid_until)


def _counted_days(patient, authorizations, exclude_ids) -> list:
    if not authorizations:
        return []
    start = local_day_start(min(a.valid_from for a in authorizations))
    end = local_day_start(max(a.valid_until for a in authorizations) + timedelta(days=1))
    starts = (
        Appointment.objects.counted()
        .filter(patient=patient, start__gte=start, start__lt=end)
        .exclude(pk__in=list(exclude_ids))
        .values_list("start", flat=True)
    )
    return [timezone.localtime(s).date() for s in starts]


def _room_on(day, coverage, authorizations, counted, days) -> bool:
    """An authorization of the coverage valid on `day` whose visits, with those
    already booked and the new ones in its dates, do not run over."""
    for authorization in authorizations:
        if authorization.coverage_id != coverage.pk or not _valid(authorization, day):
            continue
        used = sum(1 for d in counted if _valid(authorization, d))
        new = sum(1 for d in days if _valid(authorization, d))
        if used + new <= authorization.visits:
            return True
    return False
