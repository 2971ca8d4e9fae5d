"""The scheduling pages: a patient's page with their visits, the therapist's day,
the week calendar, one visit's actions and the reminders' outbox."""

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import NO_FRONT_DESK, PATIENT, STAFF, access_patient, allowed
from clinic.audit import record_many
from clinic.consents import patients_missing_consent
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from clinic.models import Patient, User
from clinic.vocabulary import Role
from referrals.contraindications import describe, standing_by_patient
from referrals.models import ReferralStatus, TreatmentPlan

from . import booking, visits
from .access import APPOINTMENT, REMINDER, SERIES, access_appointment
from .calendars import rotate_calendar_token
from .forms import CancelForm, MoveForm
from .models import Appointment, AppointmentStatus, Closure, Reminder, ReminderStatus
from .recurrence import local_day_start


@allowed(PATIENT, "read")
def patient_detail(request, patient_id):
    """One patient. The referrals (episodes) the user may read: all of them, as
    status fields, for the front desk; the clinician's own episodes, and those a
    break-the-glass opened. The front desk also sees the patient's calendar feed."""
    user = request.user
    patient = access_patient(user, patient_id, glass=True)
    # `referrals` and `plans` are the episodes' relations to the patient
    referrals = patient.referrals.visible_to(user, glass=True).with_visits_used()
    referrals = referrals.prefetch_related(
        Prefetch("plans", queryset=TreatmentPlan.objects.with_visits_used())
    )
    if user.role == Role.THERAPIST:
        referrals = referrals.exclude(status=ReferralStatus.DRAFT)
    now = timezone.now()
    visits = (
        Appointment.objects.visible_to(user, glass=True)
        .filter(patient=patient, start__gte=now - timedelta(days=30))
        .select_related("therapist")[:40]
    )
    desk = REMINDER.may(user, "outbox")
    return render(
        request,
        "clinic/patient_detail.html",
        {
            "patient": patient,
            "referrals": list(referrals),
            "clinical": user.role in NO_FRONT_DESK,
            "visits": visits,
            "reminders": _reminders_of(patient) if desk else [],
            "can_edit": PATIENT.may(user, "update"),
            "can_book": SERIES.may(user, "create"),
            "feed_url": _feed_url(request, patient) if PATIENT.may(user, "rotate_calendar") else "",
        },
    )


def _feed_url(request, owner) -> str:
    name = "calendar:patient_feed" if isinstance(owner, Patient) else "calendar:therapist_feed"
    return request.build_absolute_uri(reverse(name, args=[owner.calendar_token]))


@require_POST
@allowed(PATIENT, "rotate_calendar")
def patient_calendar_rotate(request, patient_id):
    """A new secret feed address for the patient (the old one stops at once)."""
    patient = access_patient(request.user, patient_id, "rotate_calendar")
    rotate_calendar_token(owner=patient, by=request.user)
    messages.success(
        request, "The patient's calendar has a new address; the old one no longer works."
    )
    return redirect("patient_detail", patient_id=patient.pk)


@require_POST
@allowed(STAFF, "rotate_calendar")
def calendar_rotate(request):
    """The therapist's own feed: a new secret address (a lost phone, a shared link)."""
    rotate_calendar_token(owner=request.user, by=request.user)
    messages.success(request, "Your calendar has a new address; the old one no longer works.")
    return redirect("today")


def _reminders_of(patient):
    return (
        Reminder.objects.filter(appointment__patient=patient)
        .exclude(status=ReminderStatus.PENDING)
        .select_related("appointment")
        .order_by("-due_at")[:20]
    )


@allowed(APPOINTMENT, "day")
def today(request):
    day = timezone.localdate()
    visits = list(
        Appointment.objects.visible_to(request.user)
        .filter(start__gte=local_day_start(day), start__lt=local_day_start(day + timedelta(days=1)))
        .select_related("patient", "plan__referral", "session_note")
        .order_by("start")
    )
    # the referrals' precautions are shown beside each visit: a clinical read
    shown = {
        v.plan.referral.pk: v.plan.referral
        for v in visits
        if v.plan_id and v.plan.referral.precautions
    }
    record_many(
        actor=request.user,
        action="referral.precautions_read",
        targets=list(shown.values()),
        patient_of=lambda referral: referral.patient_id,
    )
    # before the visit starts: consent missing, and the precautions that stand
    # (findings and the patient's own health history too), each read audited
    patients = {v.patient_id for v in visits}
    no_consent = patients_missing_consent(patients)
    standing = standing_by_patient(patients)
    record_many(
        actor=request.user,
        action="precaution.read",
        targets=[p for rows in standing.values() for p in rows],
        patient_of=lambda precaution: precaution.patient_id,
    )
    for v in visits:
        v.consent_missing = v.patient_id in no_consent
        v.standing = [describe(p) for p in standing.get(v.patient_id, [])]
    return render(
        request,
        "scheduling/today.html",
        {
            "visits": visits,
            "day": day,
            "now": timezone.now(),
            "feed_url": _feed_url(request, request.user),
        },
    )


def _week_start(text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@allowed(APPOINTMENT, "read")
def calendar(request):
    """A week of visits, for one therapist or for all, with the closures."""
    monday = _week_start(request.GET.get("week"))
    days = [monday + timedelta(days=i) for i in range(7)]
    therapists = list(User.objects.with_role(Role.THERAPIST))
    chosen = None
    if request.user.role == Role.THERAPIST:
        chosen = request.user
    elif request.GET.get("therapist"):
        chosen = next((t for t in therapists if str(t.pk) == request.GET["therapist"]), None)
    start, end = local_day_start(monday), local_day_start(monday + timedelta(days=7))
    visits = (
        Appointment.objects.visible_to(request.user)
        .filter(start__gte=start, start__lt=end)
        .select_related("patient", "therapist")
        .only("id", "start", "end", "status", "series_id", "patient__first_name",
              "patient__last_name", "therapist__first_name", "therapist__last_name",
              "therapist__username")
        .order_by("start")
    )  # fmt: skip
    if chosen:
        visits = visits.filter(therapist=chosen)
    by_day = {d: [] for d in days}
    for visit in visits:
        by_day[timezone.localtime(visit.start).date()].append(visit)
    closures = {c.date: c for c in Closure.objects.filter(date__gte=days[0], date__lte=days[-1])}
    return render(
        request,
        "scheduling/calendar.html",
        {
            "week": [{"day": d, "visits": by_day[d], "closure": closures.get(d)} for d in days],
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "therapists": therapists,
            "chosen": chosen,
            "today": timezone.localdate(),
            "statuses": AppointmentStatus.choices,
        },
    )


def _visit(request, appointment_id, verb):
    return access_appointment(request.user, appointment_id, verb)


@allowed(APPOINTMENT, "read")
def appointment_detail(request, appointment_id):
    visit = access_appointment(request.user, appointment_id, glass=True)
    return _render_visit(request, visit)


def _render_visit(request, appointment, move_form=None, cancel_form=None):
    """The visit's page, also re-shown with a refused form (no second fetch)."""
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "visit": appointment,
            "move_form": move_form or MoveForm.for_appointment(appointment),
            "cancel_form": cancel_form or CancelForm(),
            "can_manage": APPOINTMENT.may(request.user, "update"),
            # the front desk, and the therapist for the visits they give (the scope)
            "can_check_in": APPOINTMENT.may(request.user, "check_in"),
        },
    )


def _back_to(request, appointment):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("appointment_detail", appointment_id=appointment.pk)


@require_POST
@allowed(APPOINTMENT, "check_in")
def appointment_check_in(request, appointment_id):
    appointment = _visit(request, appointment_id, "check_in")
    try:
        visits.check_in(appointment=appointment, by=request.user)
        messages.success(request, f"{appointment.patient} is checked in.")
    except (DomainConflict, Invalid, NotAllowed) as error:
        show_service_error(request, error)
    return _back_to(request, appointment)


@require_POST
@allowed(APPOINTMENT, "no_show")
def appointment_no_show(request, appointment_id):
    appointment = _visit(request, appointment_id, "no_show")
    try:
        visits.mark_no_show(appointment=appointment, by=request.user)
        messages.success(request, f"{appointment.patient} is marked as a no-show.")
    except (DomainConflict, Invalid, NotAllowed) as error:
        show_service_error(request, error)
    return _back_to(request, appointment)


@require_POST
@allowed(APPOINTMENT, "update")
def appointment_move(request, appointment_id):
    appointment = _visit(request, appointment_id, "update")
    form = MoveForm(request.POST)
    if form.is_valid():
        start, end = form.slot()
        try:
            booking.move_appointment(appointment=appointment, start=start, end=end, by=request.user)
            messages.success(request, "The visit is moved.")
            return redirect("appointment_detail", appointment_id=appointment.pk)
        except Invalid as error:
            show_service_error(request, _as_move_fields(error), form)
        except DomainConflict as error:
            show_service_error(request, error)
    return _render_visit(request, appointment, move_form=form)


def _as_move_fields(error: Invalid) -> Invalid:
    names = {"start": "day", "end": "duration_minutes"}
    return Invalid({names.get(k, k): v for k, v in error.errors.items()})


@require_POST
@allowed(APPOINTMENT, "cancel")
def appointment_cancel(request, appointment_id):
    appointment = _visit(request, appointment_id, "cancel")
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_visit(request, appointment, cancel_form=form)
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["scope"] == "rest" and appointment.series_id:
            cancelled = booking.cancel_series(
                series=appointment.series,
                from_date=timezone.localtime(appointment.start).date(),
                reason=reason,
                by=request.user,
            )
            messages.success(request, f"{len(cancelled)} visits of the series are cancelled.")
        else:
            visits.cancel_appointment(appointment=appointment, by=request.user, reason=reason)
            messages.success(request, "The visit is cancelled.")
    except (DomainConflict, Invalid, NotAllowed) as error:
        show_service_error(request, error)
    return redirect(f"{reverse('calendar')}?week={timezone.localtime(appointment.start).date()}")


@allowed(REMINDER, "outbox")
def reminder_list(request):
    """What went out and what failed, newest first (pending ones are the outbox)."""
    status = request.GET.get("status", "")
    reminders = (
        Reminder.objects.exclude(status=ReminderStatus.PENDING)
        .select_related("appointment__patient")
        .order_by("-due_at")
    )
    if status in (ReminderStatus.SENT, ReminderStatus.FAILED, ReminderStatus.SKIPPED):
        reminders = reminders.filter(status=status)
    return render(
        request,
        "scheduling/reminder_list.html",
        {"reminders": reminders[:100], "status": status},
    )
