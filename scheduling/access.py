"""The door of scheduling (issue 11's one door): who may do what to appointments,
series and reminders; `access_appointment` scopes (404 outside scope)."""

from django.shortcuts import get_object_or_404

from clinic.access import ALL_ROLES, DESK, FRONT_DESK, MANAGER, THERAPIST, Policy

from .models import Appointment

APPOINTMENT = Policy(
    "appointment",
    {
        "read": ALL_ROLES,
        "create": FRONT_DESK,
        "update": FRONT_DESK,
        "cancel": FRONT_DESK,
        "check_in": FRONT_DESK | THERAPIST,
        "no_show": FRONT_DESK | THERAPIST,
        "revert": FRONT_DESK,  # undo a check-in, no-show or cancellation within 24 hours
        "reminders": ALL_ROLES,
        "day": THERAPIST,  # the therapist's Today page
        "sheet": DESK | THERAPIST,  # the printable day sheet (a therapist: their own)
    },
)


SERIES = Policy("series", {"read": ALL_ROLES, "create": FRONT_DESK, "cancel": FRONT_DESK})


# the clinic's places: the manager keeps them, all staff read them (the biller does not)
LOCATION = Policy("location", {"read": ALL_ROLES, "create": MANAGER, "update": MANAGER})
ROOM = Policy("room", {"read": ALL_ROLES, "create": MANAGER, "update": MANAGER})

# the waitlist and its offers: the front desk keeps them, the manager reads them
WAITLIST = Policy(
    "waitlist",
    {
        "read": DESK,
        "create": FRONT_DESK,
        "update": FRONT_DESK,
        "withdraw": FRONT_DESK,
        "offers": DESK,
        "accept": FRONT_DESK,
    },  # fmt: skip
)

REMINDER = Policy("reminder", {"outbox": DESK})  # what went out and what failed


def access_appointment(user, appointment_id, verb: str = "read", *, glass: bool = False):
    APPOINTMENT.check(user, verb)
    scoped = Appointment.objects.visible_to(user, glass=glass)
    return get_object_or_404(
        scoped.select_related("patient", "therapist", "series", "plan__referral"),
        pk=appointment_id,
    )
