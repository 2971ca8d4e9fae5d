"""The home programme (API.md, The patient's side): the therapist sets a plan's
stretches in a few taps; the patient taps "done"; adherence over the last week
shows on the plan's progress."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, NotAllowed
from clinic.models import User
from clinic.vocabulary import Role
from referrals.models import PlanStatus

from .models import Exercise, ExerciseDone, HomeExercise

ADHERENCE_DAYS = 7
DOSE_LIMITS = {"hold_seconds": (0, 600), "repetitions": (1, 100), "times_per_day": (1, 10)}


def _check_item(item, exercises: dict) -> dict:
    if not isinstance(item, dict):
        return {"exercise": ["Send each exercise as an object."]}
    errors = {}
    if str(item.get("exercise")) not in exercises:
        errors["exercise"] = ["No such exercise in the library."]
    for field, (low, high) in DOSE_LIMITS.items():
        value = item.get(field)
        if value is None:
            continue  # the library's default
        if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            errors[field] = [f"A whole number from {low} to {high}."]
    return errors


@transaction.atomic
def set_home_programme(*, plan, items, by: User) -> list[HomeExercise]:
    """Replace the plan's programme: `[{"exercise", "hold_seconds", "repetitions",
    "times_per_day"}]` (a dose left out is the library's). The plan's therapist only."""
    if by.role != Role.THERAPIST or plan.therapist_id != by.pk:
        raise NotAllowed("Only the plan's therapist sets its home programme.")
    if plan.status != PlanStatus.APPROVED:
        raise Invalid.field("plan", "Set a home programme on an approved plan.")
    if not isinstance(items, list) or len(items) > 12:
        raise Invalid.field("items", "Send a list of at most 12 exercises.")
    exercises = {str(e.pk): e for e in Exercise.objects.filter(is_active=True)}
    errors = [_check_item(item, exercises) for item in items]
    if any(errors):
        raise Invalid({"items": errors})
    now = timezone.now()
    HomeExercise.objects.filter(plan=plan, ended_at__isnull=True).update(ended_at=now)
    rows = []
    for position, item in enumerate(items):
        exercise = exercises[str(item["exercise"])]
        rows.append(HomeExercise.objects.create(
            plan=plan, exercise=exercise, assigned_by=by, position=position,
            **{f: item.get(f) if item.get(f) is not None else getattr(exercise, f)
               for f in DOSE_LIMITS},
        ))  # fmt: skip
    record(actor=by, action="home_programme.set", target=plan, patient=plan.patient,
           detail=", ".join(r.exercise.code for r in rows))  # fmt: skip
    return rows


def programme_of(patient):
    """The patient's current stretches, over their approved plans."""
    return (
        HomeExercise.objects.filter(
            plan__patient=patient, plan__status=PlanStatus.APPROVED, ended_at__isnull=True
        )
        .select_related("exercise")
        .annotate(done_today=Count("done", filter=Q(done__done_at__gte=_day_start())))
        .order_by("created_at", "position")
    )


def _day_start():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def log_done(*, home_exercise: HomeExercise) -> ExerciseDone:
    """One completion, by the patient (the portal)."""
    done = ExerciseDone.objects.create(home_exercise=home_exercise, done_at=timezone.now())
    record(actor=None, action="home_exercise.done", target=done,
           patient=home_exercise.plan.patient, detail=home_exercise.exercise.code)  # fmt: skip
    return done


def adherence(plan) -> list[dict]:
    """Per current stretch: completions over the last ADHERENCE_DAYS days against the
    prescribed times a day (since it was assigned, at most that many days)."""
    now = timezone.now()
    since = now - timedelta(days=ADHERENCE_DAYS)
    rows = (
        HomeExercise.objects.filter(plan=plan, ended_at__isnull=True)
        .select_related("exercise")
        .annotate(week=Count("done", filter=Q(done__done_at__gte=since)))
        .order_by("position")
    )
    result = []
    for row in rows:
        days = min(ADHERENCE_DAYS, max(1, (now - row.created_at).days + 1))
        expected = days * row.times_per_day
        result.append({
            "exercise": row.exercise.name, "done": row.week, "expected": expected,
            "percent": min(100, round(100 * row.week / expected)),
        })  # fmt: skip
    return result
