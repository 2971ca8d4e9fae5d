"""The one door to billing records (API.md, Billing): for each kind of record, a
table of verbs and the roles that may ever do them (403 for any other role),
the rows each user may see (404 outside them, the same answer as missing),
and `access_<thing>(user, id, verb)` for views, pages and exports alike.

The biller reads patients' demographics, coverages, authorizations, charges,
claims and payments, with the diagnosis codes a claim needs, and never a
note's text, a precaution, a finding or a report. The front desk writes
coverages, authorizations and payments and reads the ledger (no diagnosis
codes). The manager writes payers, service codes and fees, and reads.
Doctors and therapists read the billing of their own care episodes."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from clinic.models import Patient
from clinic.vocabulary import Role
from referrals.models import Referral, ReferralStatus

from .models import Authorization, Charge, Claim, Coverage, Payer, Payment, ServiceCode

ALL_ROLES = frozenset(Role.values)
BILLING = frozenset({Role.BILLING})
FRONT_DESK = frozenset({Role.FRONT_DESK})
MANAGER = frozenset({Role.MANAGER})
CLINICIANS = frozenset({Role.DOCTOR, Role.THERAPIST})
OFFICE = BILLING | FRONT_DESK | MANAGER  # the whole clinic's billing, no clinical text

# verb -> the roles that may ever do it
SERVICE_CODE = {"read": ALL_ROLES, "create": MANAGER, "update": MANAGER}
PAYER = {"read": ALL_ROLES, "create": MANAGER, "update": MANAGER}
COVERAGE = {"read": OFFICE | CLINICIANS, "create": FRONT_DESK, "update": FRONT_DESK}
AUTHORIZATION = COVERAGE
CHARGE = {
    "read": OFFICE | CLINICIANS,
    # the front desk voids the fees of missed visits only (billing.charging)
    "void": BILLING | FRONT_DESK,
    # the superbill names the diagnoses: not for the front desk
    "superbill": BILLING | MANAGER | CLINICIANS,
}
CLAIM = {
    "read": BILLING | MANAGER | CLINICIANS,
    "create": BILLING,
    "submit": BILLING,
    "deny": BILLING,
    "paid": BILLING,
    "x12": BILLING | MANAGER,
    "pdf": BILLING | MANAGER | CLINICIANS,
}
PAYMENT = {"read": OFFICE, "create": FRONT_DESK | BILLING}
LEDGER = {"read": OFFICE}
# the biller's work queue page; a note's services and units before signing
WORK_QUEUE = {"read": BILLING | MANAGER}
NOTE_BILLING = {"read": CLINICIANS | MANAGER}
# the Django admin: payers, fee schedules, service codes and the mapping
ADMINISTRATION = {"use": MANAGER}


def may(table: dict, user, verb: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return getattr(user, "role", None) in table[verb]


def check(table: dict, user, verb: str) -> None:
    """A role that may never do this is refused: a 403 for the API and the pages."""
    if not may(table, user, verb):
        raise PermissionDenied(f"Your role may not {verb.replace('_', ' ')} this.")


def roles_by_action(table: dict, **actions: str) -> dict:
    """The API views' `roles`: action -> the roles of its verb in `table`."""
    return {action: table[verb] for action, verb in actions.items()}


def page(table: dict, verb: str, user) -> None:
    check(table, user, verb)


# --- scope: the rows a user may see -----------------------------------------------------------


def episodes_of(user):
    """The referrals (care episodes) a clinician takes part in: a doctor those she
    referred and signed, a therapist those of the plans he holds or the visits he
    gives. Drafting a referral opens nothing."""
    if user.role == Role.DOCTOR:
        return Referral.objects.filter(doctor=user).exclude(status=ReferralStatus.DRAFT)
    if user.role == Role.THERAPIST:
        return Referral.objects.filter(
            Q(plans__therapist=user) | Q(plans__appointments__therapist=user)
        ).distinct()
    return Referral.objects.none()


def patients_in_care_of(user):
    return Patient.objects.filter(pk__in=episodes_of(user).values("patient"))


def coverages_visible_to(user):
    if user.role in OFFICE:
        return Coverage.objects.all()
    if user.role in CLINICIANS:
        return Coverage.objects.filter(patient__in=patients_in_care_of(user).values("pk"))
    return Coverage.objects.none()


def authorizations_visible_to(user):
    return Authorization.objects.filter(coverage__in=coverages_visible_to(user).values("pk"))


def charges_visible_to(user):
    if user.role in OFFICE:
        return Charge.objects.all()
    if user.role in CLINICIANS:
        own = Q(referral__in=episodes_of(user).values("pk"))
        if user.role == Role.THERAPIST:
            own |= Q(therapist=user)
        return Charge.objects.filter(own)
    return Charge.objects.none()


def claims_visible_to(user):
    if user.role in (Role.BILLING, Role.MANAGER):
        return Claim.objects.all()
    if user.role in CLINICIANS:
        mine = charges_visible_to(user).values("pk")
        return Claim.objects.filter(pk__in=Claim.charges.through.objects.filter(
            charge__in=mine).values("claim"))  # fmt: skip
    return Claim.objects.none()


def payments_visible_to(user):
    return Payment.objects.all() if user.role in OFFICE else Payment.objects.none()


def patients_visible_to(user):
    """The patients whose billing `user` may open (the ledger, coverages)."""
    if user.role in OFFICE:
        return Patient.objects.filter(is_active=True)
    return patients_in_care_of(user).filter(is_active=True)


# --- the doors ----------------------------------------------------------------------------------


def access_coverage(user, coverage_id, verb: str = "read") -> Coverage:
    check(COVERAGE, user, verb)
    scoped = coverages_visible_to(user).select_related("patient", "payer")
    return get_object_or_404(scoped, pk=coverage_id)


def access_authorization(user, authorization_id, verb: str = "read") -> Authorization:
    check(AUTHORIZATION, user, verb)
    scoped = authorizations_visible_to(user).select_related("coverage__patient", "coverage__payer")
    return get_object_or_404(scoped.prefetch_related("codes"), pk=authorization_id)


def access_charge(user, charge_id, verb: str = "read") -> Charge:
    check(CHARGE, user, verb)
    scoped = charges_visible_to(user).select_related("patient", "payer", "coverage", "therapist")
    return get_object_or_404(scoped.prefetch_related("lines"), pk=charge_id)


def access_claim(user, claim_id, verb: str = "read") -> Claim:
    check(CLAIM, user, verb)
    scoped = claims_visible_to(user).select_related("payer", "coverage__patient")
    return get_object_or_404(scoped, pk=claim_id)


def access_patient_billing(user, patient_id, verb: str = "read") -> Patient:
    check(LEDGER, user, verb)
    return get_object_or_404(patients_visible_to(user), pk=patient_id)


def access_payer(user, payer_id, verb: str = "read") -> Payer:
    check(PAYER, user, verb)
    return get_object_or_404(Payer.objects.all(), pk=payer_id)


def access_service_code(user, code, verb: str = "read") -> ServiceCode:
    check(SERVICE_CODE, user, verb)
    return get_object_or_404(ServiceCode.objects.all(), pk=code)
