"""The scheduling pages: a patient's page with their visits, the therapist's day,
the week calendar, one visit's actions and the reminders' outbox."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.access import NO_FRONT_DESK, PATIENT, STAFF, access_patient, allowed
from clinic.audit import record_many
from clinic.consents import patients_missing_consent
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import flat_errors, show_service_error
from clinic.models import Patient
from clinic.vocabulary import Role
from documents.access import DOCUMENT
from documents.models import Document, DocumentKind
from referrals.contraindications import describe, standing_by_patient
from referrals.models import ReferralStatus, TreatmentPlan

from . import booking, visits
from .access import APPOINTMENT, REMINDER, SERIES, access_appointment
from .availability import free_starts
from .calendars import rotate_calendar_token
from .forms import CancelForm, MoveForm
from .models import Appointment, AppointmentStatus, Reminder, ReminderStatus
from .recurrence import local_day_start
from .series import cancel_series
from .series import visits as visits_in_words


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
    documents = list(
        Document.objects.visible_to(user, glass=True)
        .filter(patient=patient)
        .select_related("uploaded_by")[:50]
    )
    record_many(actor=user, action="document.read", targets=documents, patient_of=_its_patient)
    return render(
        request,
        "clinic/patient_detail.html",
        {
            "patient": patient,
            "referrals": list(referrals),
            "clinical": user.role in NO_FRONT_DESK,
            "visits": visits,
            "reminders": _reminders_of(patient) if desk else [],
            "documents": documents,
            "can_open_documents": DOCUMENT.may(user, "content"),
            "can_attach": DOCUMENT.may(user, "create"),
            "document_kinds": DocumentKind.choices,
            "can_edit": PATIENT.may(user, "update"),
            "can_book": SERIES.may(user, "create"),
            "feed_url": _feed_url(request, patient) if PATIENT.may(user, "rotate_calendar") else "",
        },
    )


def _its_patient(record):
    return record.patient_id


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


def _visit(request, appointment_id, verb):
    return access_appointment(request.user, appointment_id, verb)


@allowed(APPOINTMENT, "read")
def appointment_detail(request, appointment_id):
    visit = access_appointment(request.user, appointment_id, glass=True)
    return _render_visit(request, visit)


def _free_that_day(user, appointment) -> list:
    """Where a booked visit could move on its day with its therapist (the move
    form's companion): its own time counts as free."""
    if appointment.status != AppointmentStatus.BOOKED or not APPOINTMENT.may(user, "update"):
        return []
    day = timezone.localtime(appointment.start).date()
    free = free_starts(
        therapist=appointment.therapist,
        patient=appointment.patient,
        days=[day],
        duration=appointment.end - appointment.start,
        exclude_ids=[appointment.pk],
    )
    return free[day]


def _render_visit(request, appointment, move_form=None, cancel_form=None, suggestions=()):
    """The visit's page, also re-shown with a refused form (no second fetch) and,
    after a clash, its free times as one-click moves."""
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "visit": appointment,
            "suggestions": suggestions,
            "free_that_day": _free_that_day(request.user, appointment),
            "move_form": move_form or MoveForm.for_appointment(appointment),
            "cancel_form": cancel_form or CancelForm(),
            "can_manage": APPOINTMENT.may(request.user, "update"),
            # the front desk, and the therapist for the visits they give (the scope)
            "can_check_in": APPOINTMENT.may(request.user, "check_in"),
            "on_its_day": timezone.localtime(appointment.start).date() == timezone.localdate(),
            "started": appointment.start <= timezone.now(),
            "can_revert": APPOINTMENT.may(request.user, "revert")
            and appointment.status in visits.REVERTIBLE
            and appointment.status_changed_at is not None
            and appointment.status_changed_at >= timezone.now() - visits.REVERT_WITHIN,
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
@allowed(APPOINTMENT, "revert")
def appointment_revert(request, appointment_id):
    appointment = _visit(request, appointment_id, "revert")
    try:
        visits.revert_status(appointment=appointment, by=request.user)
        messages.success(request, f"The visit of {appointment.patient} is booked again.")
    except (DomainConflict, Invalid, NotAllowed) as error:
        show_service_error(request, error)
    return _back_to(request, appointment)


@require_POST
@allowed(APPOINTMENT, "update")
def appointment_move(request, appointment_id):
    """The visit page's move form, and the calendar's drag, resize and keys
    (which ask for JSON: the reason of a refusal is shown where the visit was)."""
    appointment = _visit(request, appointment_id, "update")
    wants_json = request.headers.get("Accept") == "application/json"
    form = MoveForm(request.POST)
    if not form.is_valid():
        if wants_json:
            errors = {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
            return _refused(Invalid(errors), status=400)
        return _render_visit(request, appointment, move_form=form)
    start, end = form.slot()
    try:
        moved = booking.move_appointment(
            appointment=appointment,
            start=start,
            end=end,
            therapist=form.cleaned_data.get("therapist"),
            by=request.user,
        )
    except Invalid as error:
        if wants_json:
            return _refused(error, status=400)
        show_service_error(request, _as_move_fields(error), form)
    except DomainConflict as error:
        suggestions = _suggested(error, form, appointment)
        if wants_json:
            return _refused(error, status=409, suggestions=suggestions)
        show_service_error(request, error)
        return _render_visit(request, appointment, move_form=form, suggestions=suggestions)
    else:
        if wants_json:
            return JsonResponse({"message": f"Moved: {_described(moved)}."})
        messages.success(request, "The visit is moved.")
        return redirect("appointment_detail", appointment_id=appointment.pk)
    return _render_visit(request, appointment, move_form=form)


def _described(visit) -> str:
    start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
    return f"{visit.patient}, {start:%a %b %d %H:%M}-{end:%H:%M} with {visit.therapist}"


def _suggested(error, form, appointment) -> list[dict]:
    """A clash's free starts that day, each a move to post as it is (the same
    therapist and length): the visit page's and the calendar's one-click moves."""
    found = {}
    therapist = form.cleaned_data.get("therapist") or appointment.therapist
    for clash in getattr(error, "extra", {}).get("conflicts", []):
        for free in clash.get("suggestions", []):
            start = timezone.localtime(free["start"])
            if start == appointment.start and therapist.pk == appointment.therapist_id:
                continue  # where it already is: no move
            found.setdefault(start, {
                "day": start.date().isoformat(), "at": f"{start:%H:%M}",
                "duration_minutes": form.cleaned_data["duration_minutes"],
                "therapist": str(therapist.pk),
            })  # fmt: skip
    return [found[start] for start in sorted(found)][:3]


def _refused(error, *, status: int, suggestions=()) -> JsonResponse:
    """Why the visit stays where it was, in sentences (and where it could go)."""
    if isinstance(error, Invalid):
        sentences = [
            m.get("message", m) if isinstance(m, dict) else m for m in flat_errors(error.errors)
        ]
    else:
        sentences = [error.detail]
        for clash in error.extra.get("conflicts", []):
            start, end = timezone.localtime(clash["start"]), timezone.localtime(clash["end"])
            whose = f"the {clash['with']}"
            sentences.append(f"It overlaps a visit of {whose} at {start:%H:%M}-{end:%H:%M}.")
    answer = {"message": "Not moved: " + " ".join(sentences), "suggestions": list(suggestions)}
    return JsonResponse(answer, status=status)


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
            cancelled = cancel_series(
                series=appointment.series,
                from_date=timezone.localtime(appointment.start).date(),
                reason=reason,
                by=request.user,
            )
            counted = visits_in_words(len(cancelled))
            messages.success(request, f"{counted} of the series cancelled.")
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
