"""Signing a patient in by link (API.md, The patient's side).

The front desk (or a reminder) issues a link: `SITE_URL/p/<token>`, lasting
PATIENT_LINK_HOURS. A GET of the link only asks for the date of birth (mail
scanners open links); the answer redeems it, once. PATIENT_LINK_ATTEMPTS wrong
dates of birth lock it. Redeeming opens a `PatientSession`, which ends after
PATIENT_SESSION_IDLE_MINUTES without a request. Every step is an audit event
on the patient (actor: the staff member, or none for the patient)."""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from clinic.audit import current_ip, record
from clinic.errors import Invalid
from clinic.models import Patient, ReminderChannel, User
from scheduling import reminders

from .access import LINK
from .models import PatientSession, PatientSessionKind, SignInLink

BY_PATIENT = "by the patient"


class LinkGone(Exception):
    """The link is unknown, used, expired or locked (the API's 410)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.PATIENT_SESSION_IDLE_MINUTES)


# --- issuing and sending a link -----------------------------------------------------------


def issue_link(*, patient: Patient, by: User | None, channel: str = "", now=None) -> str:
    """A new sign-in link's full address (shown or sent once; only its digest is kept)."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    link = SignInLink.objects.create(
        patient=patient,
        digest=digest(token),
        expires_at=now + timedelta(hours=settings.PATIENT_LINK_HOURS),
        sent_by=by,
        channel=channel,
    )
    record(actor=by, action="portal.link_issued", target=link, patient=patient, detail=channel)
    return link_url(token)


def link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:link", args=[token])


def invite_channel(patient: Patient) -> str:
    """The patient's reminder channel if it can carry a link, else whichever
    contact the patient has (email first); "" when there is none."""
    usable = {ReminderChannel.EMAIL: bool(patient.email), ReminderChannel.SMS: bool(patient.phone)}
    if usable.get(patient.reminder_channel):
        return patient.reminder_channel
    return next((channel for channel, ok in usable.items() if ok), "")


@transaction.atomic
def send_invite(*, patient: Patient, by: User) -> str:
    """The front desk sends the patient a sign-in link by their channel."""
    LINK.check(by, "invite")
    channel = invite_channel(patient)
    if not channel:
        raise Invalid.field("contact", "The patient has no email address or phone number.")
    url = issue_link(patient=patient, by=by, channel=channel)
    context = {
        "patient": patient,
        "link": url,
        "hours": settings.PATIENT_LINK_HOURS,
        **reminders.clinic_context(),
    }
    if channel == ReminderChannel.SMS:
        text = render_to_string("portal/messages/invite_sms.txt", context).strip()
        reminders.sms_backend().send(to=patient.phone, text=text)
    else:
        EmailMessage(
            subject=f"Your sign-in link for {settings.CLINIC_NAME}",
            body=render_to_string("portal/messages/invite_email.txt", context),
            to=[patient.email],
        ).send(fail_silently=False)
    return channel


# --- redeeming a link -------------------------------------------------------------------------


def usable_link(token: str, *, now=None) -> SignInLink:
    """The link behind `token` if it may still be redeemed; else LinkGone."""
    now = now or timezone.now()
    link = SignInLink.objects.usable(now).select_related("patient").filter(digest=digest(token))
    link = link.first()
    if link is None or not link.patient.is_active:
        raise LinkGone("This sign-in link has expired, has been used, or is locked.")
    return link


def parse_birth_date(value) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Invalid.field("date_of_birth", "Enter the date of birth as YYYY-MM-DD.") from None


def redeem(
    *, token: str, date_of_birth, kind: str, user_agent: str = "", now=None
) -> tuple[PatientSession, str]:
    """Trade the link and the right date of birth for a patient session, once.
    Returns the session and its secret. A wrong date of birth counts against
    the link (Invalid, a 400); the last allowed one locks it (LinkGone after)."""
    now = now or timezone.now()
    answer = parse_birth_date(date_of_birth)
    with transaction.atomic():
        link = usable_link(token, now=now)
        link = SignInLink.objects.select_for_update().get(pk=link.pk)
        if link.used_at or link.locked_at:  # redeemed or locked while we waited
            raise LinkGone("This sign-in link has expired, has been used, or is locked.")
        if answer != link.patient.date_of_birth:
            _count_wrong_answer(link, now=now)
            wrong = True
        else:
            wrong = False
            session, secret = _open_session(link, kind=kind, user_agent=user_agent, now=now)
    # outside the block: the wrong answer's count must be committed, not rolled back
    if wrong:
        raise Invalid.field("date_of_birth", "The date of birth does not match our records.")
    return session, secret


def _count_wrong_answer(link: SignInLink, *, now) -> None:
    SignInLink.objects.filter(pk=link.pk).update(failed_attempts=F("failed_attempts") + 1)
    attempts = link.failed_attempts + 1
    if attempts >= settings.PATIENT_LINK_ATTEMPTS:
        SignInLink.objects.filter(pk=link.pk).update(locked_at=now)
        record(actor=None, action="portal.link_locked", target=link, patient=link.patient)
    else:
        record(actor=None, action="portal.sign_in_failed", target=link, patient=link.patient)


def _open_session(link: SignInLink, *, kind: str, user_agent: str, now):
    SignInLink.objects.filter(pk=link.pk).update(used_at=now)
    secret = secrets.token_urlsafe(32)
    session = PatientSession.objects.create(
        patient=link.patient,
        link=link,
        kind=kind,
        digest=digest(secret),
        last_seen_at=now,
        ip=current_ip.get(),
        user_agent=user_agent[:300],
    )
    record(
        actor=None, action="portal.signed_in", target=session, patient=link.patient,
        detail=f"{BY_PATIENT} ({PatientSessionKind(kind).label})",
    )  # fmt: skip
    return session, secret


# --- the session on each request ----------------------------------------------------------------


def session_for(secret: str, *, now=None) -> PatientSession | None:
    """The live session behind `secret`, its idle clock pushed on; None if it
    is unknown, ended or idle too long."""
    now = now or timezone.now()
    alive = PatientSession.objects.alive(idle_since=now - idle_limit())
    session = alive.select_related("patient").filter(digest=digest(secret)).first()
    if session is None or not session.patient.is_active:
        return None
    PatientSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    session.last_seen_at = now
    return session


def expires_at(session: PatientSession) -> datetime:
    return session.last_seen_at + idle_limit()


def end_session(session: PatientSession, *, now=None) -> None:
    now = now or timezone.now()
    PatientSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now)
    record(actor=None, action="portal.signed_out", target=session, patient=session.patient)


def audit_by_patient(patient: Patient, action: str, *, via: str, target=None) -> None:
    """A patient's read of their own record, audited like a staff member's."""
    record(
        actor=None, action=action, target=target or patient, patient=patient,
        detail=f"{BY_PATIENT} ({via})",
    )  # fmt: skip


def link_for_reminder(sender, *, reminder, context: dict, **kwargs) -> None:
    """scheduling.reminders.message_composing: a fresh link in each reminder
    (none where the patient pages are not served, as in scheduling's own tests)."""
    try:
        reverse("portal:link", args=["x"])
    except NoReverseMatch:
        return
    patient = reminder.appointment.patient
    context["sign_in_link"] = issue_link(patient=patient, by=None, channel=reminder.channel)
