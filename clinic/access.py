"""The one door of the clinic core (issue 11): who may do what to patients,
appointments, series, reminders, the audit trail and break-the-glass.

Each app keeps one such module (referrals/access.py, sessions_log/access.py):
a `Policy` per kind of record, `verb -> the roles that may ever do it`, read by
the API's permission class, the pages' `@allowed` decorator and the services
alike; and `access_<thing>(user, id)` functions that scope (404 outside scope,
the same answer as missing). Which rows a user may see is the model's
`visible_to(user)`; `glass=True` adds the patients a break-the-glass grant
opens, for reads only."""

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .errors import NotAllowed
from .models import Patient
from .vocabulary import Role

BILLING = frozenset({Role.BILLING})
# The roles of care and the desk. The biller is not among them: billing reads only
# what a claim needs (API.md, Billing), granted by name where it is (billing/access.py),
# so no clinical table opens to the biller by default.
ALL_ROLES = frozenset(Role.values) - BILLING
DOCTOR = frozenset({Role.DOCTOR})
THERAPIST = frozenset({Role.THERAPIST})
FRONT_DESK = frozenset({Role.FRONT_DESK})
MANAGER = frozenset({Role.MANAGER})
CLINICIANS = DOCTOR | THERAPIST
DESK = FRONT_DESK | MANAGER
NO_FRONT_DESK = ALL_ROLES - FRONT_DESK


@dataclass(frozen=True)
class Policy:
    """One kind of record: each verb and the roles that may ever do it."""

    name: str
    verbs: dict = field(default_factory=dict)

    def roles(self, verb: str) -> frozenset:
        return self.verbs[verb]  # a KeyError is a programming error: an unknown verb

    def may(self, user, verb: str) -> bool:
        if not (user and user.is_authenticated and user.is_active):
            return False
        # an unknown verb (e.g. DRF's "metadata" describing OPTIONS) may nothing
        return getattr(user, "role", None) in self.verbs.get(verb, frozenset())

    def check(self, user, verb: str) -> None:
        """For services: a role that may never do this is refused (a 403)."""
        if not self.may(user, verb):
            role = getattr(user, "role", "") or "caller"
            raise NotAllowed(f"A {role.replace('_', ' ')} may not {verb.replace('_', ' ')} this.")


def allowed(policy: Policy, verb: str):
    """A page's door: signed in, and a role that may `verb` (else 403). The view
    records which action it is, so the parity test can pair it with the API's."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not policy.may(request.user, verb):
                raise PermissionDenied("Your role does not use this page.")
            return view(request, *args, **kwargs)

        wrapper.access = (policy, verb)
        return wrapper

    return decorator


# --- the clinic core's table ---------------------------------------------------------

PATIENT = Policy(
    "patient",
    {
        # the directory: doctors and the front desk all, a therapist their own
        "read": ALL_ROLES | BILLING,  # the biller: demographics, for claims
        "create": DOCTOR | FRONT_DESK,
        # contact details and reminder channel (API.md, Roles): the front desk only
        "update": FRONT_DESK,
        "rotate_calendar": FRONT_DESK,
        "break_glass": CLINICIANS,
        # a doctor's worklist of the patients in her episodes (a page)
        "list_in_care": DOCTOR,
    },
)
STAFF = Policy(
    "staff",
    {
        "read": ALL_ROLES | BILLING,  # the biller: the rendering therapist of a claim
        "me": ALL_ROLES | BILLING,
        "sign_out": ALL_ROLES | BILLING,
        "rotate_calendar": THERAPIST,
    },
)
AUDIT = Policy("audit", {"read": MANAGER})
# the Django admin: staff, catalog, closures; clinical history read-only
ADMINISTRATION = Policy("administration", {"use": MANAGER})
BREAK_GLASS = Policy("break_glass", {"read": MANAGER})
# consent documents (the manager publishes versions) and paper consents (the front desk)
CONSENT = Policy("consent", {"publish": MANAGER, "record_paper": FRONT_DESK})


# --- the doors ----------------------------------------------------------------------------


def access_patient(user, patient_id, verb: str = "read", *, glass: bool = False):
    """A patient of `user`'s directory (or scope); 404 outside it, 403 for a role
    that may never `verb`."""
    PATIENT.check(user, verb)
    return get_object_or_404(Patient.objects.visible_to(user, glass=glass).active(), pk=patient_id)
