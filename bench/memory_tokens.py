"""The secrets some routes carry in their path (bench/memory.py), each minted by
the project's own function, as its emails and pages mint them: calendar feeds,
the visit's confirm link, the waitlist offer's link, the patient's sign-in link,
the outside physician's links; and the signed-in patient that bench/memory.py
adds to its four staff roles, with a page session and an API token."""

from importlib import import_module

from django.utils import timezone


def _calendar(owner):
    from scheduling.calendars import rotate_calendar_token

    return rotate_calendar_token(owner=owner)


def _confirm(records):
    from bench.memory import _first
    from scheduling.reminders import confirm_token

    visit = _first("scheduling.Appointment", records)
    return confirm_token(visit) if visit else None


def _offer(records):
    from bench.memory import _first
    from scheduling.waitlist import offer_token

    offer = _first("scheduling.WaitlistOffer", records, status="offered")
    return offer_token(offer) if offer else None


def sign_in_token(patient) -> str:
    """A new sign-in link's token, as the front desk's invitation mints it."""
    from portal.sign_in import issue_link

    return issue_link(patient=patient, by=None, channel="bench").rstrip("/").rsplit("/", 1)[1]


def _physician(purpose: str, records) -> str | None:
    """The waiting link's token, minted and emailed by the task's function (each
    minting replaces the last, so once per purpose), read back from the email."""
    from bench.memory_records import mailed
    from referrals import signature_links
    from referrals.models import PhysicianLink

    key = ("physician", purpose)
    if key not in records["cache"]:
        link = PhysicianLink.objects.open().filter(purpose=purpose).order_by("pk").first()
        sent = link is not None and signature_links.email_link(link.pk)
        records["cache"][key] = mailed(r"/sign/([^/\s]+)/") if sent else None
    return records["cache"][key]


def token(name: str, records: dict) -> tuple[str | None, str]:
    """The token route `name` needs, or None and why there is none."""
    from referrals.models import LinkPurpose
    from referrals.signature_links import PAGE_OF

    mint = {
        "calendar:therapist_feed": lambda: _calendar(records["users"][1]),
        "calendar:patient_feed": lambda: _calendar(records["patient"]),
        "confirm:visit": lambda: _confirm(records),
        "confirm:offer": lambda: _offer(records),
        "portal:link": lambda: sign_in_token(records["patient"]),
    }.get(name)
    if mint is None and name.startswith("physician_"):  # the physician's pages
        report = name.startswith(PAGE_OF[LinkPurpose.PROGRESS_REPORT])
        purpose = LinkPurpose.PROGRESS_REPORT if report else LinkPurpose.PLAN_OF_CARE
        mint = lambda: _physician(purpose, records)  # noqa: E731
    if mint is None:
        return None, "no function known to mint its token"
    value = mint()
    return (value, "") if value else (None, "no record to mint its token from")


def patient_headers(patient) -> dict:
    """The patient signed in twice, as the portal signs them in: a page session
    (the sign-in link redeemed with the date of birth) and an API token."""
    from django.conf import settings

    from portal.access import PAGE_SESSION_KEY
    from portal.models import PatientSessionKind
    from portal.sign_in import redeem

    def secret(kind: str) -> str:
        _session, value = redeem(
            token=sign_in_token(patient),
            date_of_birth=patient.date_of_birth.isoformat(),
            kind=kind,
            user_agent="bench/memory.py",
            now=timezone.now(),
        )
        return value

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[PAGE_SESSION_KEY] = secret(PatientSessionKind.PAGES)
    session.save()
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "Authorization": f"Token {secret(PatientSessionKind.API)}",
    }
