"""The waitlist's rules (API.md, Scheduling (v1 additions)): the front desk
puts a patient on it; a cancelled visit's slot is offered to the entries it
fits (`offer_freed_slots`, called from the one cancellation path,
scheduling.visits); the patient is told through their reminder channel with a
single-use link; the first acceptance books the slot through the booking
service (every rule applies) and the later ones are a 409."""

import logging
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Conflict, Invalid
from clinic.models import ReminderChannel, User
from clinic.vocabulary import Role
from referrals.models import PlanStatus

from . import reminders
from .access import WAITLIST
from .booking import book_slot
from .models import WEEKDAYS, OfferStatus, WaitlistEntry, WaitlistOffer
from .recurrence import clinic_zone

log = logging.getLogger(__name__)

OFFER_SALT = "scheduling.waitlist.offer"


# --- the entries --------------------------------------------------------------------------


def _entry_errors(data: dict) -> dict:
    errors: dict = {}
    days = data.get("weekdays") or []
    if not days or any(day not in WEEKDAYS for day in days) or len(set(days)) != len(days):
        errors["weekdays"] = [f"Name each weekday once, as RRULE codes: {' '.join(WEEKDAYS)}."]
    if data["latest"] < data["earliest"]:
        errors["latest"] = ["The latest day comes on or after the earliest."]
    elif data["latest"] < timezone.localdate():
        errors["latest"] = ["The latest day is already past."]
    if data["to_time"] <= data["from_time"]:
        errors["to_time"] = ["The end of the hours comes after their start."]
    plan, patient, therapist = data["plan"], data["patient"], data.get("therapist")
    if plan.patient_id != patient.pk:
        errors["plan"] = ["The plan belongs to another patient."]
    elif plan.status != PlanStatus.APPROVED:
        errors["plan"] = [f"The plan is {plan.status}; only an approved plan can be booked."]
    if therapist is not None and therapist.role != Role.THERAPIST:
        errors["therapist"] = ["Choose a therapist."]
    return errors


@transaction.atomic
def add_entry(*, data: dict, by: User) -> WaitlistEntry:
    WAITLIST.check(by, "create")
    if errors := _entry_errors(data):
        raise Invalid(errors)
    entry = WaitlistEntry.objects.create(created_by=by, **data)
    record(actor=by, action="waitlist.add", target=entry, patient=entry.patient)
    return entry


# the entry's wishes the front desk may change; the patient is the entry's own
EDITABLE = ("plan", "therapist", "earliest", "latest", "weekdays", "from_time", "to_time")


def _open_entry(entry: WaitlistEntry) -> WaitlistEntry:
    """The entry, locked; a closed one (served or withdrawn) is a 409."""
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.active:
        state = "withdrawn" if entry.withdrawn_at else "already served"
        raise Conflict(f"This waitlist entry is {state}; add a new one.", conflicts=[])
    return entry


@transaction.atomic
def change_entry(*, entry: WaitlistEntry, data: dict, by: User) -> WaitlistEntry:
    """Change an open entry's wishes (its dates, weekdays, hours, therapist or
    plan); the patient stays. Checked as a new entry is, as a whole; its open
    offers that no longer fit are withdrawn."""
    WAITLIST.check(by, "update")
    if "patient" in data and data["patient"].pk != entry.patient_id:
        raise Invalid({"patient": ["An entry's patient cannot change; add a new entry."]})
    entry = _open_entry(entry)
    wanted = {name: data.get(name, getattr(entry, name)) for name in EDITABLE}
    if errors := _entry_errors({**wanted, "patient": entry.patient}):
        raise Invalid(errors)
    changed = sorted(name for name in EDITABLE if wanted[name] != getattr(entry, name))
    if not changed:
        return entry
    for name in changed:
        setattr(entry, name, wanted[name])
    entry.version += 1
    entry.save(update_fields=[*changed, "version", "updated_at"])
    unfit = [
        offer.pk
        for offer in entry.offers.filter(status=OfferStatus.OFFERED)
        if not _offer_fits(entry, offer)
    ]
    WaitlistOffer.objects.filter(pk__in=unfit).update(
        status=OfferStatus.WITHDRAWN, updated_at=timezone.now()
    )
    record(
        actor=by, action="waitlist.update", target=entry, patient=entry.patient,
        detail="changed " + ", ".join(changed),
    )  # fmt: skip
    return entry


@transaction.atomic
def withdraw_entry(*, entry: WaitlistEntry, by: User, reason: str = "") -> WaitlistEntry:
    """The patient no longer waits: the entry is closed and kept (when, who,
    why), and its open offers are withdrawn, so their links book nothing."""
    WAITLIST.check(by, "withdraw")
    entry = _open_entry(entry)
    entry.active, entry.withdrawn_at, entry.withdrawn_by = False, timezone.now(), by
    entry.withdraw_reason = reason.strip()
    entry.version += 1
    entry.save(update_fields=["active", "withdrawn_at", "withdrawn_by", "withdraw_reason",
                              "version", "updated_at"])  # fmt: skip
    entry.offers.filter(status=OfferStatus.OFFERED).update(
        status=OfferStatus.WITHDRAWN, updated_at=timezone.now()
    )
    record(
        actor=by, action="waitlist.withdraw", target=entry, patient=entry.patient,
        detail=entry.withdraw_reason,
    )  # fmt: skip
    return entry


def _offer_fits(entry: WaitlistEntry, offer: WaitlistOffer) -> bool:
    day = timezone.localtime(offer.start, clinic_zone()).date()
    return (
        entry.earliest <= day <= entry.latest
        and entry.therapist_id in (None, offer.therapist_id)
        and _fits(entry, offer.start, offer.end)
    )


# --- offers when a visit is cancelled -------------------------------------------------------


def _fits(entry: WaitlistEntry, start: datetime, end: datetime) -> bool:
    start, end = timezone.localtime(start, clinic_zone()), timezone.localtime(end, clinic_zone())
    return (
        WEEKDAYS[start.weekday()] in entry.weekdays
        and start.date() == end.date()
        and entry.from_time <= start.time()
        and end.time() <= entry.to_time
    )


def offer_freed_slots(appointments) -> list[WaitlistOffer]:
    """Offer each cancelled visit's slot (still to come) to the open entries it
    fits: its day within their dates and weekdays, its hours within theirs, its
    therapist theirs if they named one. Called inside the cancellation's
    transaction; the patients are told once it commits."""
    now = timezone.now()
    offers = []
    for freed in appointments:
        if freed.start <= now:
            continue
        day = timezone.localtime(freed.start, clinic_zone()).date()
        candidates = WaitlistEntry.objects.filter(
            active=True, earliest__lte=day, latest__gte=day, plan__status=PlanStatus.APPROVED
        ).exclude(patient_id=freed.patient_id)
        for entry in candidates.select_related("patient"):
            if entry.therapist_id not in (None, freed.therapist_id):
                continue
            if not _fits(entry, freed.start, freed.end):
                continue
            offers.append(
                WaitlistOffer(
                    entry=entry,
                    freed=freed,
                    therapist_id=freed.therapist_id,
                    room_id=freed.room_id,
                    start=freed.start,
                    end=freed.end,
                    sent_by=_channel(entry.patient),
                )  # fmt: skip
            )
    offers = WaitlistOffer.objects.bulk_create(offers, ignore_conflicts=True)
    for offer in offers:
        record(actor=None, action="waitlist.offer", target=offer, patient=offer.entry.patient)
    ids = [offer.pk for offer in offers if offer.sent_by]
    if ids:
        transaction.on_commit(lambda: send_offers(ids))
    return offers


def withdraw_offers(freed) -> int:
    """A cancellation undone: its slot's open offers are closed as taken."""
    return WaitlistOffer.objects.filter(freed=freed, status=OfferStatus.OFFERED).update(
        status=OfferStatus.TAKEN, updated_at=timezone.now()
    )


def _channel(patient) -> str:
    """The channel the patient's reminders use, if it can carry a message."""
    if not patient.reminder_consent or patient.reminder_channel == ReminderChannel.NONE:
        return ""
    if patient.reminder_channel == ReminderChannel.EMAIL and patient.email:
        return ReminderChannel.EMAIL
    if patient.reminder_channel == ReminderChannel.SMS and patient.phone:
        return ReminderChannel.SMS
    return ""


# --- the patient's link ---------------------------------------------------------------------


def offer_token(offer: WaitlistOffer) -> str:
    return signing.dumps({"o": str(offer.pk)}, salt=OFFER_SALT)


def offer_url(offer: WaitlistOffer) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("confirm:offer", args=[offer_token(offer)])


def offer_for_link(token: str) -> WaitlistOffer:
    """The offer a link names, whatever its state (the page says which)."""
    max_age = reminders.setting("REMINDER_LINK_MAX_AGE", 14 * 24 * 3600)
    try:
        data = signing.loads(token, salt=OFFER_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise reminders.LinkInvalid("This link has expired.") from None
    except signing.BadSignature:
        raise reminders.LinkInvalid("This link is not valid.") from None
    offer = (
        WaitlistOffer.objects.select_related("entry__patient", "therapist", "room__location")
        .filter(pk=data["o"])
        .first()
    )
    if offer is None:
        raise reminders.LinkInvalid("This link is not valid.")
    return offer


def offer_context(offer: WaitlistOffer) -> dict:
    """What the offer's patient reads: their own name, the slot (on the clock of
    the room's location, when it has one), nothing else."""
    zone = offer.room.location.zone if offer.room_id else clinic_zone()
    return {
        "offer": offer,
        "patient": offer.entry.patient,
        "therapist": offer.therapist,
        "room": offer.room,
        "start": reminders.on_clock(offer.start, zone),
        "end": reminders.on_clock(offer.end, zone),
        **reminders.clinic_context(),
    }


def send_offers(ids) -> None:
    """Tell each patient of their offer, on their reminder channel (the same
    backends as the reminders); a failure is logged, the offer stays open."""
    offers = WaitlistOffer.objects.filter(pk__in=ids).select_related(
        "entry__patient", "therapist", "room__location"
    )
    for offer in offers:
        context = {**offer_context(offer), "link": offer_url(offer)}
        patient = offer.entry.patient
        try:
            if offer.sent_by == ReminderChannel.SMS:
                text = render_to_string("waitlist/offer_sms.txt", context).strip()
                reminders.sms_backend().send(to=patient.phone, text=text)
            else:
                EmailMessage(
                    subject=" ".join(
                        render_to_string("waitlist/offer_subject.txt", context).split()
                    ),
                    body=render_to_string("waitlist/offer_email.txt", context),
                    to=[patient.email],
                    headers={"X-Clinic-Offer": str(offer.pk)},
                ).send(fail_silently=False)
        except Exception:  # the offer stays on the front desk's list
            log.exception("waitlist offer %s not sent", offer.pk)


# --- the first acceptance books -------------------------------------------------------------


def _closed(offer: WaitlistOffer) -> Conflict:
    if offer.status == OfferStatus.ACCEPTED:
        return Conflict("This offer has already been accepted.", conflicts=[])
    if offer.status == OfferStatus.WITHDRAWN:
        return Conflict("This offer has been withdrawn.", conflicts=[])
    return Conflict("This time has already been taken.", conflicts=[])


@transaction.atomic
def accept_offer(*, offer: WaitlistOffer, by: User | None = None):
    """Book the offered slot for the entry's patient (`by`: the front desk on
    the patient's behalf, or None for the patient's own link). Every rule of a
    booking applies; the first acceptance of a slot wins, later ones are 409."""
    if by is not None:
        WAITLIST.check(by, "accept")
    # every offer of the slot, locked in id order: acceptances of one slot go in
    # turn, and the first one's closing of the others never waits on the second
    siblings = WaitlistOffer.objects.filter(freed_id=offer.freed_id).order_by("pk")
    list(siblings.select_for_update().values_list("pk"))
    offer = WaitlistOffer.objects.select_related(
        "entry__plan__referral", "entry__patient", "therapist", "room__location"
    ).get(pk=offer.pk)
    if offer.status != OfferStatus.OFFERED:
        raise _closed(offer)
    entry = offer.entry
    try:
        with transaction.atomic():
            # the booking lock (the slot's therapist) puts two acceptances in turn
            visit = book_slot(
                patient=entry.patient, therapist=offer.therapist, start=offer.start,
                end=offer.end, plan=entry.plan, by=by, room=offer.room,
            )  # fmt: skip
            offer.status, offer.booked = OfferStatus.ACCEPTED, visit
            offer.save(update_fields=["status", "booked", "updated_at"])
    except Conflict:
        raise Conflict("This time has already been taken.", conflicts=[]) from None
    except IntegrityError as error:  # offer_one_accepted_per_slot: another won
        raise Conflict("This time has already been taken.", conflicts=[]) from error
    WaitlistOffer.objects.filter(freed_id=offer.freed_id, status=OfferStatus.OFFERED).update(
        status=OfferStatus.TAKEN, updated_at=timezone.now()
    )
    WaitlistEntry.objects.filter(pk=entry.pk).update(active=False, updated_at=timezone.now())
    record(
        actor=by, action="waitlist.accept", target=offer, patient=entry.patient,
        detail="" if by else "by the patient (offer link)",
    )  # fmt: skip
    return visit
