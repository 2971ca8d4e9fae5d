"""A plan of care signed by an outside physician through a secure link (API.md,
Outside physicians and documents). The therapist asks; the physician gets an
email with a single-use link (PHYSICIAN_LINK_DAYS), opens it on any phone, asks
for a 6-digit code sent to the same address, and approves with a typed name and
a drawn signature, or asks for changes. Approval certifies the plan as a staff
doctor's does (plans.certify_by_outside_physician). Reminders go out at 3 and 7
days while it waits. Every step is audited with the physician named.

A progress report goes to the physician the same way, by the same machinery
(`request_acknowledgement`, `acknowledge`): the link's `purpose` says which
page it opens and what the emails say; sessions_log.reports records the
acknowledgement on the report.

Only SHA-256 hashes of the link's token and of the code are stored: the token
is minted by the task that emails it (a reminder mints a new one, and the older
link stops working), never passed through the broker."""

import base64
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition, NotAllowed

from . import plans
from .access import PLAN
from .models import LinkOutcome, LinkPurpose, PhysicianLink, PlanStatus, TreatmentPlan

CODE_MINUTES = 15
CODE_TRIES = 5
REMINDER_DAYS = (3, 7)
SIGNATURE_MAX_BYTES = 200_000  # a drawn signature is a few kilobytes of PNG
PNG = b"\x89PNG\r\n\x1a\n"
# the page each kind of link opens (URL names wired in clinic/page_urls.py), what the
# emails call the document, and the audit trail's prefix
PAGE_OF = {
    LinkPurpose.PLAN_OF_CARE: "physician_sign",
    LinkPurpose.PROGRESS_REPORT: "physician_report",
}
WHAT = {
    LinkPurpose.PLAN_OF_CARE: ("Plan of care to sign", "review and sign the plan of care"),
    LinkPurpose.PROGRESS_REPORT: (
        "Progress report to acknowledge",
        "read and acknowledge the progress report",
    ),
}
AUDIT_PREFIX = {
    LinkPurpose.PLAN_OF_CARE: "plan.signature",
    LinkPurpose.PROGRESS_REPORT: "report.acknowledgement",
}


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _who(link: PhysicianLink) -> str:
    return f"outside physician {link.physician} <{link.email}>"


# --- the therapist asks ---------------------------------------------------------------


@transaction.atomic
def request_signature(*, plan: TreatmentPlan, by) -> PhysicianLink:
    PLAN.check(by, "request_signature")
    plan = (
        TreatmentPlan.objects.select_for_update(of=("self",))  # no nullable side locked
        .select_related("referral__outside_physician")
        .get(pk=plan.pk)
    )
    physician = plan.referral.outside_physician
    if plan.therapist_id != by.pk:
        raise NotAllowed("Only the plan's therapist sends it to be signed.")
    if physician is None:
        raise InvalidTransition("The referring doctor is on staff: they approve in the app.")
    if plan.status != PlanStatus.PROPOSED:
        raise InvalidTransition(f"A {plan.status} plan is not waiting for a signature.")
    plan.links.open().filter(purpose=LinkPurpose.PLAN_OF_CARE).update(
        outcome=LinkOutcome.SUPERSEDED, used_at=timezone.now()
    )
    link = _new_link(plan=plan, physician=physician, by=by, purpose=LinkPurpose.PLAN_OF_CARE)
    record(actor=by, action="plan.signature_requested", target=plan, patient=plan.patient,
           detail=f"to {_who(link)}")  # fmt: skip
    return link


def request_acknowledgement(*, plan: TreatmentPlan, by) -> PhysicianLink:
    """A progress report of `plan` sent to its outside physician (the caller,
    sessions_log.reports, has checked the report and runs in its transaction)."""
    physician = plan.referral.outside_physician
    if physician is None:
        raise InvalidTransition("The referring doctor is on staff: they answer in the app.")
    return _new_link(plan=plan, physician=physician, by=by, purpose=LinkPurpose.PROGRESS_REPORT)


def _new_link(*, plan, physician, by, purpose) -> PhysicianLink:
    if not physician.email:
        raise Invalid.field("email", f"{physician} has no email address in the directory.")
    link = PhysicianLink.objects.create(
        plan=plan, physician=physician, email=physician.email, purpose=purpose,
        token_hash=_hash(secrets.token_urlsafe(32)),  # unusable until the email mints one
        expires_at=timezone.now() + timedelta(days=settings.PHYSICIAN_LINK_DAYS), requested_by=by,
    )  # fmt: skip
    from . import tasks

    tasks.email_signature_link.delay_on_commit(str(link.pk))
    return link


def email_link(link_id, *, reminder: bool = False) -> int:
    """Mints the link's token and emails it (run by the task, after commit)."""
    link = PhysicianLink.objects.select_related("plan__patient").get(pk=link_id)
    if link.outcome or link.expires_at <= timezone.now():
        return 0
    token = secrets.token_urlsafe(32)
    PhysicianLink.objects.filter(pk=link.pk).update(token_hash=_hash(token))
    url = settings.SITE_URL.rstrip("/") + reverse(PAGE_OF[link.purpose], args=[token])
    patient = link.plan.patient
    title, ask = WHAT[link.purpose]
    subject = f"{'Reminder: ' if reminder else ''}{title} for {patient.full_name}"
    body = (
        f"{settings.CLINIC_NAME} asks you to {ask} of "
        f"{patient.full_name} (born {patient.date_of_birth:%b %d, %Y}).\n\n"
        f"Open this link on your phone or computer; it works once and until "
        f"{timezone.localtime(link.expires_at):%b %d, %Y}:\n{url}\n\n"
        "The page asks for a 6-digit code, which we send to this same address.\n"
        + ("This reminder replaces the link sent earlier.\n" if reminder else "")
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [link.email])


def remind_waiting_physicians() -> int:
    """The daily scan: a reminder at 3 and at 7 days while a link waits. Each is
    claimed by a conditional update, so two workers never send it twice."""
    from . import tasks

    now, sent = timezone.now(), 0
    for number, days in enumerate(REMINDER_DAYS):
        due = PhysicianLink.objects.open().filter(
            reminders_sent=number, created_at__lte=now - timedelta(days=days)
        )
        for link_id in due.values_list("pk", flat=True):
            claimed = PhysicianLink.objects.filter(pk=link_id, reminders_sent=number)
            if claimed.update(reminders_sent=number + 1):
                tasks.email_signature_reminder.delay_on_commit(str(link_id))
                sent += 1
    return sent


# --- the physician answers -----------------------------------------------------------


def open_link(token: str, purpose: str | None = None) -> PhysicianLink | None:
    """The waiting link this token opens (of this purpose, when given), or None
    (unknown, used, expired, or a link for another page)."""
    links = PhysicianLink.objects.open().filter(token_hash=_hash(token or ""))
    if purpose is not None:
        links = links.filter(purpose=purpose)
    return links.select_related("plan__patient", "plan__therapist", "physician").first()


@transaction.atomic
def send_code(*, link: PhysicianLink) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    PhysicianLink.objects.filter(pk=link.pk).update(
        code_hash=_hash(f"{link.pk}:{code}"), code_attempts=0,
        code_expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )  # fmt: skip
    record(actor=None, action=f"{AUDIT_PREFIX[link.purpose]}_code_sent", target=link.plan,
           patient=link.plan.patient, detail=_who(link))  # fmt: skip
    ask = WHAT[link.purpose][1]
    transaction.on_commit(lambda: _email_code(link.email, code, ask))


def _email_code(email: str, code: str, ask: str) -> None:
    # sent from the request, not a task: the code lives 15 minutes and never
    # enters the broker; a failed send is answered by asking for another code
    send_mail(
        f"Your code: {code}",
        f"Your code to {ask} at {settings.CLINIC_NAME}: {code}\n"
        f"It works for {CODE_MINUTES} minutes.\n",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )


@transaction.atomic
def verify_code(*, link: PhysicianLink, code: str) -> bool:
    """True when `code` is the one sent. A wrong try is counted (and kept: no
    exception rolls it back); after CODE_TRIES the code is dead."""
    link = PhysicianLink.objects.select_for_update().get(pk=link.pk)
    if not link.code_hash or link.code_expires_at <= timezone.now():
        raise Invalid.field("code", "This code has expired: ask for a new one.")
    if link.code_attempts >= CODE_TRIES:
        raise Invalid.field("code", "Too many tries: ask for a new code.")
    link.code_attempts += 1
    good = constant_time_compare(link.code_hash, _hash(f"{link.pk}:{(code or '').strip()}"))
    if good:
        link.verified_at = timezone.now()
    link.save(update_fields=["code_attempts", "verified_at", "updated_at"])
    outcome = "verified" if good else "refused"
    record(actor=None, action=f"{AUDIT_PREFIX[link.purpose]}_code_{outcome}",
           target=link.plan, patient=link.plan.patient, detail=_who(link))  # fmt: skip
    return good


def _answer(link: PhysicianLink, purpose: str, **fields) -> PhysicianLink:
    if link.purpose != purpose:
        raise InvalidTransition(f"This link is for a {link.get_purpose_display().lower()}.")
    if link.verified_at is None:
        raise NotAllowed("Enter the code we emailed you first.")
    claimed = PhysicianLink.objects.filter(pk=link.pk, outcome="").update(
        used_at=timezone.now(), **fields
    )
    if not claimed:  # single use: a second answer, even at the same moment, is refused
        raise InvalidTransition("This link has already been used.")
    return PhysicianLink.objects.get(pk=link.pk)


def _signed_as(typed_name: str, signature: str) -> str:
    """The typed name, once the name and the drawn signature are both there."""
    typed_name = (typed_name or "").strip()
    errors = {}
    if not typed_name:
        errors["typed_name"] = ["Type your name."]
    if not is_drawn_signature(signature):
        errors["signature"] = ["Draw your signature in the box."]
    if errors:
        raise Invalid(errors)
    return typed_name[:200]


@transaction.atomic
def approve(*, link: PhysicianLink, typed_name: str, signature: str) -> PhysicianLink:
    typed_name = _signed_as(typed_name, signature)
    answered = _answer(
        link, LinkPurpose.PLAN_OF_CARE, outcome=LinkOutcome.APPROVED, typed_name=typed_name,
        signature=signature,
    )  # fmt: skip
    plans.certify_by_outside_physician(
        plan=link.plan, detail=f"{_who(link)}, signed as {typed_name}"
    )
    return answered


@transaction.atomic
def ask_for_changes(*, link: PhysicianLink, comment: str) -> PhysicianLink:
    answered = _answer(
        link, LinkPurpose.PLAN_OF_CARE, outcome=LinkOutcome.CHANGES_REQUESTED,
        comment=(comment or "").strip(),
    )  # fmt: skip
    plans.changes_asked_by_outside_physician(plan=link.plan, comment=comment, detail=_who(link))
    return answered


@transaction.atomic
def acknowledge(*, link: PhysicianLink, typed_name: str, signature: str) -> PhysicianLink:
    """The physician's acknowledgement of a progress report: the link answered
    once, with the typed name and the drawn signature. What it does to the report
    is sessions_log.reports', in the same transaction."""
    typed_name = _signed_as(typed_name, signature)
    return _answer(
        link, LinkPurpose.PROGRESS_REPORT, outcome=LinkOutcome.ACKNOWLEDGED,
        typed_name=typed_name, signature=signature,
    )  # fmt: skip


def is_drawn_signature(value: str) -> bool:
    """A PNG data URL of modest size (what the page's signature pad sends)."""
    prefix = "data:image/png;base64,"
    if not isinstance(value, str) or not value.startswith(prefix):
        return False
    if len(value) > SIGNATURE_MAX_BYTES * 4 // 3 + len(prefix) + 4:
        return False
    try:
        return base64.b64decode(value[len(prefix) :], validate=True).startswith(PNG)
    except ValueError:
        return False
