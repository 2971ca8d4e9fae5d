"""The front desk's waitlist page (issue 15): the open entries in the order
offers go out, with their open offers; the closed ones on a filter; add an
entry for a patient found by name, change an open one, withdraw it with a
reason. Every change goes through scheduling.waitlist (the API's services);
the page only adds the version check the API makes with If-Match, so that a
change made since the page was read is shown, never silently overwritten."""

import uuid

from django.contrib import messages
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.access import access_patient, allowed
from clinic.audit import record, record_many
from clinic.errors import Conflict, DomainConflict, Invalid, NotAllowed
from clinic.forms import WEEKDAYS, show_service_error
from clinic.models import Patient
from clinic.views import search_patients

from . import waitlist
from .access import WAITLIST
from .models import OfferStatus, WaitlistEntry, WaitlistOffer
from .waitlist_forms import EntryForm, WithdrawForm

DAY_NAMES = dict(WEEKDAYS)
CLOSED_SHOWN = 100
FOUND_SHOWN = 20


class Stale(Conflict):
    def __init__(self):
        super().__init__(
            "Someone changed this entry since you opened it; nothing was saved. "
            "It now reads as below: check it and save again.",
            conflicts=[],
        )


def _described(entry):
    """The entry's wishes in words, for the list and the edit page."""
    entry.days_text = ", ".join(DAY_NAMES[d] for d in sorted(entry.weekdays, key=_day_order))
    return entry


def _day_order(code):
    return list(DAY_NAMES).index(code) if code in DAY_NAMES else 7


def _entries(user):
    open_offers = (
        WaitlistOffer.objects.filter(status=OfferStatus.OFFERED)
        .select_related("therapist", "room")
        .order_by("start")
    )
    return (
        WaitlistEntry.objects.visible_to(user)
        .select_related("patient", "therapist", "withdrawn_by")
        .prefetch_related(Prefetch("offers", queryset=open_offers, to_attr="open_offers"))
    )


@allowed(WAITLIST, "read")
def waitlist_list(request):
    """The open entries, first come first offered (`?show=closed`: the
    withdrawn and served ones, the latest closed first)."""
    closed = request.GET.get("show") == "closed"
    entries = _entries(request.user)
    if closed:
        entries = entries.filter(active=False).order_by("-updated_at", "id")[:CLOSED_SHOWN]
    else:
        entries = entries.filter(active=True).order_by("created_at", "id")
    entries = [_described(entry) for entry in entries]
    record_many(
        actor=request.user, action="waitlist.read", targets=entries,
        patient_of=lambda entry: entry.patient_id,
    )  # fmt: skip
    return render(
        request,
        "waitlist/list.html",
        {
            "entries": entries,
            "closed": closed,
            "can_keep": WAITLIST.may(request.user, "update"),
        },
    )


@allowed(WAITLIST, "create")
def waitlist_new(request):
    """Find the patient by name or phone (`?q=`), then their wishes
    (`?patient=`); the patient page's link comes straight to the second."""
    patient_id = request.GET.get("patient")
    if not patient_id:
        term = request.GET.get("q", "").strip()
        found = []
        if term:
            scoped = Patient.objects.visible_to(request.user).active()
            found = search_patients(scoped, term).order_by("last_name", "first_name")
            found = list(found[:FOUND_SHOWN])
        return render(request, "waitlist/find.html", {"q": term, "found": found})
    patient = access_patient(request.user, _uuid_or_404(patient_id))
    form = EntryForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            entry = waitlist.add_entry(data={**form.wishes(), "patient": patient}, by=request.user)
        except Invalid as error:
            show_service_error(request, error, form)
        except (DomainConflict, NotAllowed) as error:
            show_service_error(request, error)
        else:
            messages.success(request, f"{entry.patient} is on the waitlist.")
            return redirect("waitlist")
    return render(
        request,
        "waitlist/entry_form.html",
        {"patient": patient, "form": form, "entry": None},
        status=400 if request.method == "POST" else 200,
    )


def _uuid_or_404(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404("No such patient.") from None


def _entry(request, entry_id):
    return _described(get_object_or_404(_entries(request.user), pk=entry_id))


def _claim(entry, version) -> None:
    """Lock the entry at the version the desk read, or refuse (If-Match's work
    on the page): the row stays locked until the change is written."""
    claimed = WaitlistEntry.objects.filter(pk=entry.pk, version=version).update(
        version=F("version")
    )
    if version is None or claimed != 1:
        raise Stale()


def _render_entry(request, entry, form=None, withdraw_form=None, status=200):
    if entry.active:
        form = form or EntryForm.for_entry(entry)
        withdraw_form = withdraw_form or WithdrawForm(initial={"version": entry.version})
    return render(
        request,
        "waitlist/entry_form.html",
        {"patient": entry.patient, "entry": entry, "form": form, "withdraw_form": withdraw_form},
        status=status,
    )


def _refused(request, entry, error, form_class, data):
    """A refusal of the whole change: said at the top; the desk's input kept,
    against the entry as it now reads (and its version, to save over it)."""
    entry.refresh_from_db()
    _described(entry)
    show_service_error(request, error)
    if not entry.active:
        return _render_entry(request, entry, status=409)
    data = data.copy()
    data["version"] = entry.version
    if form_class is EntryForm:
        return _render_entry(request, entry, form=EntryForm.for_entry(entry, data), status=409)
    return _render_entry(request, entry, withdraw_form=WithdrawForm(data), status=409)


@allowed(WAITLIST, "update")
def waitlist_edit(request, entry_id):
    entry = _entry(request, entry_id)
    if request.method != "POST":
        record(actor=request.user, action="waitlist.read", target=entry, patient=entry.patient)
        return _render_entry(request, entry)
    form = EntryForm.for_entry(entry, request.POST)
    if not form.is_valid():
        return _render_entry(request, entry, form=form, status=400)
    try:
        with transaction.atomic():
            _claim(entry, form.cleaned_data["version"])
            waitlist.change_entry(entry=entry, data=form.wishes(), by=request.user)
    except Invalid as error:
        show_service_error(request, error, form)
        return _render_entry(request, entry, form=form, status=400)
    except (DomainConflict, NotAllowed) as error:
        return _refused(request, entry, error, EntryForm, request.POST)
    messages.success(request, f"The entry of {entry.patient} is changed.")
    return redirect("waitlist")


@require_POST
@allowed(WAITLIST, "withdraw")
def waitlist_withdraw(request, entry_id):
    entry = _entry(request, entry_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_entry(request, entry, withdraw_form=form, status=400)
    try:
        with transaction.atomic():
            _claim(entry, form.cleaned_data["version"])
            waitlist.withdraw_entry(
                entry=entry, by=request.user, reason=form.cleaned_data["reason"]
            )
    except (DomainConflict, NotAllowed) as error:
        return _refused(request, entry, error, WithdrawForm, request.POST)
    messages.success(request, f"{entry.patient} is off the waitlist.")
    return redirect("waitlist")
