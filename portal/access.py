"""The portal's door (see clinic/access.py). Two kinds of caller meet here:

- staff, by role: the front desk sends a patient a sign-in link (`LINK`);
- the patient, by a patient session (never a staff account): `PORTAL` names what
  a patient may do, and every row is reached through `access_own_<thing>`,
  which starts from the signed-in patient, so another patient's id is a 404.

A patient session is not a Django user: staff views never see it (their
authentication finds no one), and the portal's views accept nothing else."""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from clinic.access import FRONT_DESK, Policy
from scheduling.models import Appointment

PATIENT_ROLE = "patient"  # the portal's one "role": never a staff role

LINK = Policy("portal_link", {"invite": FRONT_DESK})
# what a signed-in patient may do, each on their own record only
PATIENT_VERBS = [
    "home", "read_me", "update_me", "read_visits", "confirm", "cancel", "sign_out",
    "read_consents", "sign_consent", "read_intake", "answer_intake",
    "read_questionnaires", "answer_questionnaire", "read_home_programme", "exercise_done",
    "read_record", "read_documents",
]  # fmt: skip
PORTAL = Policy("portal", {verb: frozenset({PATIENT_ROLE}) for verb in PATIENT_VERBS})

PAGE_SESSION_KEY = "portal_session"  # the Django session's key for the patient's session


@dataclass(frozen=True)
class PatientCaller:
    """Who a portal request comes from: a patient, through one session."""

    session: object  # portal.models.PatientSession
    role: str = PATIENT_ROLE
    is_authenticated: bool = True
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def patient(self):
        return self.session.patient

    @property
    def pk(self):
        return f"patient-session:{self.session.pk}"  # the write limit's counter


def page_caller(request) -> PatientCaller | None:
    """The patient of the pages' session, if it is alive and no staff member is
    signed in in this browser (a staff sign-in never doubles as a patient's)."""
    from .sign_in import session_for  # sign_in imports this module's LINK

    secret = request.session.get(PAGE_SESSION_KEY)
    if not secret or request.user.is_authenticated:
        return None
    session = session_for(secret)
    return PatientCaller(session=session) if session else None


def patient_page(verb: str):
    """A patient page's door: a live patient session (else back to the sign-in
    help page), and a verb of `PORTAL`. Staff get a 403: not their page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                raise PermissionDenied("Patient pages are for patients.")
            caller = page_caller(request)
            if caller is None:
                return redirect("portal:signed_out")
            if not PORTAL.may(caller, verb):
                raise PermissionDenied
            request.patient_caller = caller
            return view(request, *args, **kwargs)

        wrapper.access = (PORTAL, verb)
        return wrapper

    return decorator


def own_upcoming_visits(patient):
    """The patient's visits from today on that are still to come or happening."""
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Appointment.objects.filter(patient=patient, start__gte=start_of_day)
        .live()
        .select_related("therapist")
        .order_by("start")
    )


def access_own_appointment(caller: PatientCaller, appointment_id, verb: str = "read_visits"):
    PORTAL.check(caller, verb)
    return get_object_or_404(
        Appointment.objects.filter(patient=caller.patient).select_related("therapist", "patient"),
        pk=appointment_id,
    )
