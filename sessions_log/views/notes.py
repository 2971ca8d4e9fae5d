"""The therapist's session note: log it in under a minute on the tablet, correct
the draft, sign it, add an addendum later. A double tap never makes two notes:
the button is disabled on submit, the form carries a one-time token, and a
second post for the same visit lands on the note the first one saved."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.access import allowed
from clinic.audit import record
from clinic.errors import Conflict, DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from referrals.models import PlanArea
from referrals.precaution_pages import precautions_panel
from scheduling.access import access_appointment

from .. import services
from ..access import NOTE, access_note
from ..forms import AddendumForm, NoteForm
from ..models import SessionNote

TOKENS = "note_form_tokens"


def _issue_token(request) -> str:
    token = uuid.uuid4().hex
    request.session[TOKENS] = [*request.session.get(TOKENS, [])[-19:], token]
    return token


def _spend_token(request, token: str) -> bool:
    """True the first time a token is posted; False for a replay (a double tap)."""
    tokens = request.session.get(TOKENS, [])
    if token not in tokens:
        return False
    tokens.remove(token)
    request.session[TOKENS] = tokens
    return True


def _visit(request, appointment_id):
    return access_appointment(request.user, appointment_id)


def _plan_areas(appointment):
    if not appointment.plan_id:
        return []
    return list(PlanArea.objects.filter(plan_id=appointment.plan_id).prefetch_related("modalities"))


def _note_for(request, note_id, verb="read"):
    # a break-the-glass grant opens notes to read, never to change
    return access_note(request.user, note_id, verb, glass=request.method == "GET")


def _render_form(request, form, *, visit, note=None, status=200, workflow=services.NOTE_WORKFLOW):
    return render(
        request,
        "sessions_log/note_form.html",
        {
            "form": form,
            "visit": visit,
            "note": note,
            "referral": visit.plan.referral if visit.plan_id else None,
            "form_token": _issue_token(request),
            "pain_values": range(11),
            "panel_url": workflow.panel_url(note) if note is not None else None,
            **precautions_panel(visit.patient),
        },
        status=status,
    )


@allowed(NOTE, "create")
def note_new(request, appointment_id, workflow=services.NOTE_WORKFLOW):
    visit = _visit(request, appointment_id)
    existing = SessionNote.objects.filter(appointment=visit).only("id").first()
    if existing:
        return redirect("note_detail", note_id=existing.pk)
    form = NoteForm(request.POST or None, plan_areas=_plan_areas(visit))
    if request.method != "POST":
        return _render_form(request, form, visit=visit)
    if not _spend_token(request, request.POST.get("form_token", "")):
        # a replayed form (the second tap) while the first is still saving
        messages.info(request, "This note was already sent once; check it before sending again.")
        return redirect("today")
    areas, area_errors = form.area_data()
    if not form.is_valid() or area_errors:
        for problems in area_errors.values():
            form.add_error(None, problems[0])
        return _render_form(request, form, visit=visit, status=400)
    try:
        note = workflow.log(therapist=request.user, appointment=visit, data=form.data_for_service())
    except Conflict:
        # the other tap of a double tap got here first: its note is the note
        note = SessionNote.objects.filter(appointment=visit).first()
        if note is None:
            raise
        return redirect("note_detail", note_id=note.pk)
    except Invalid as error:
        show_service_error(request, error, form)
        return _render_form(request, form, visit=visit, status=400)
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return _render_form(request, form, visit=visit, status=409)
    if "sign" in request.POST:
        return _sign(request, note, workflow)
    messages.success(request, "Session note saved. Sign it when it is complete.")
    return redirect("note_detail", note_id=note.pk)


def _sign(request, note, workflow):
    try:
        workflow.sign(note=note, by=request.user)
        messages.success(request, "Session note saved and signed.")
    except (DomainConflict, Invalid, NotAllowed) as error:
        show_service_error(request, error)
    return redirect("note_detail", note_id=note.pk)


@allowed(NOTE, "read")
def note_detail(request, note_id, workflow=services.NOTE_WORKFLOW):
    """A draft note is its therapist's form; a signed one reads, with addenda."""
    note = _note_for(request, note_id)
    visit = note.appointment
    mine = note.therapist_id == request.user.pk
    if request.method == "GET":
        record(actor=request.user, action="note.read", target=note, patient=note.patient)
    if mine and not note.is_signed:
        form = NoteForm(
            request.POST or None,
            initial={f: getattr(note, f) for f in services.NOTE_FIELDS},
            plan_areas=_plan_areas(visit),
        )
        if request.method == "POST":
            return _correct(request, form, note, workflow)
        form.load(note)
        return _render_form(request, form, visit=visit, note=note, workflow=workflow)
    return render(
        request,
        "sessions_log/note_detail.html",
        {"note": note, "mine": mine, "addendum_form": AddendumForm()},
    )


def _correct(request, form, note, workflow):
    areas, area_errors = form.area_data()
    if not form.is_valid() or area_errors:
        for problems in area_errors.values():
            form.add_error(None, problems[0])
        return _render_form(
            request, form, visit=note.appointment, note=note, status=400, workflow=workflow
        )
    try:
        note = workflow.correct(note=note, by=request.user, data=form.data_for_service())
    except Invalid as error:
        show_service_error(request, error, form)
        return _render_form(
            request, form, visit=note.appointment, note=note, status=400, workflow=workflow
        )
    except (DomainConflict, NotAllowed) as error:
        show_service_error(request, error)
        return redirect("note_detail", note_id=note.pk)
    if "sign" in request.POST:
        return _sign(request, note, workflow)
    messages.success(request, "Session note saved.")
    return redirect("note_detail", note_id=note.pk)


@require_POST
@allowed(NOTE, "sign")
def note_sign(request, note_id, workflow=services.NOTE_WORKFLOW):
    return _sign(request, _note_for(request, note_id, "sign"), workflow)


@require_POST
@allowed(NOTE, "addenda")
def note_addendum(request, note_id):
    note = _note_for(request, note_id, "addenda")
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.add_addendum(note=note, by=request.user, text=form.cleaned_data["text"])
            messages.success(request, "Addendum added.")
            return redirect("note_detail", note_id=note.pk)
        except Invalid as error:
            show_service_error(request, error, form)
        except (DomainConflict, NotAllowed) as error:
            show_service_error(request, error)
    return render(
        request,
        "sessions_log/note_detail.html",
        {"note": note, "mine": True, "addendum_form": form},
        status=400,
    )
