"""The one door to billing records (API.md, Billing; see clinic/access.py): a
`Policy` per kind of record, `verb -> the roles that may ever do it` (403 for
any other role), read by the API's permission class, the pages' `@allowed` and
the services; the rows each user may see (404 outside them, the same answer as
missing); and `access_<thing>(user, id, verb)` for views, pages and exports.

The biller reads patients' demographics, coverages, authorizations, charges,
claims and payments, with the diagnosis codes a claim needs, and never a
note's text, a precaution, a finding or a report (the clinical apps' tables
leave the biller out). The front desk writes coverages, authorizations and
payments and reads the ledger (no diagnosis codes). The manager writes payers,
service codes and fees, and reads. Doctors and therapists read the billing of
their own care episodes."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from clinic.access import BILLING, CLINICIANS, FRONT_DESK, MANAGER, Policy
from clinic.models import Patient
from clinic.vocabulary import Role
from referrals.models import Referral, in_care

from .models import Authorization, Charge, Claim, Coverage, Payer, Payment, ServiceCode

OFFICE = BILLING | FRONT_DESK | MANAGER  # the whole clinic's billing, no clinical text
EVERYONE = OFFICE | CLINICIANS

SERVICE_CODE = Policy("service_code", {"read": EVERYONE, "create": MANAGER, "update": MANAGER})
PAYER = Policy("payer", {"read": EVERYONE, "create": MANAGER, "update": MANAGER})
COVERAGE = Policy("coverage", {"read": EVERYONE, "create": FRONT_DESK, "update": FRONT_DESK})
AUTHORIZATION = Policy(
    "authorization", {"read": EVERYONE, "create": FRONT_DESK, "update": FRONT_DESK}
)
CHARGE = Policy(
    "charge",
    {
        "read": EVERYONE,
        # the front desk voids the fees of missed visits only (billing.charging)
        "void": BILLING | FRONT_DESK,
        # the superbill names the diagnoses: not for the front desk
        "superbill": BILLING | MANAGER | CLINICIANS,
    },
)
CLAIM = Policy(
    "claim",
    {
        "read": BILLING | MANAGER | CLINICIANS,
        "create": BILLING,
        "submit": BILLING,
        "deny": BILLING,
        "paid": BILLING,
        "secondary": BILLING,  # the same charges to the secondary coverage
        "x12": BILLING | MANAGER,
        "pdf": BILLING | MANAGER | CLINICIANS,
    },
)
PAYMENT = Policy("payment", {"read": OFFICE, "create": FRONT_DESK | BILLING})
LEDGER = Policy("ledger", {"read": OFFICE})
# the biller's work queue (a page); a draft note's services and units (a page)
WORK_QUEUE = Policy("work_queue", {"read": BILLING | MANAGER})
NOTE_BILLING = Policy("note_billing", {"read": CLINICIANS | MANAGER})


# --- scope: the rows a user may see -----------------------------------------------------------


def episodes_of(user):
    """The referrals (care episodes) a clinician takes part in (referrals'
    `in_care`): a doctor those she wrote, a therapist those of the plans he
    holds or the visits he gives."""
    if user.role not in CLINICIANS:
        return Referral.objects.none()
    return Referral.objects.filter(in_care(user))


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
    COVERAGE.check(user, verb)
    scoped = coverages_visible_to(user).select_related("patient", "payer")
    return get_object_or_404(scoped, pk=coverage_id)


def access_authorization(user, authorization_id, verb: str = "read") -> Authorization:
    AUTHORIZATION.check(user, verb)
    scoped = authorizations_visible_to(user).select_related("coverage__patient", "coverage__payer")
    return get_object_or_404(scoped.prefetch_related("codes"), pk=authorization_id)


def access_charge(user, charge_id, verb: str = "read") -> Charge:
    CHARGE.check(user, verb)
    scoped = charges_visible_to(user).select_related("patient", "payer", "coverage", "therapist")
    return get_object_or_404(scoped.prefetch_related("lines"), pk=charge_id)


def access_claim(user, claim_id, verb: str = "read") -> Claim:
    CLAIM.check(user, verb)
    scoped = claims_visible_to(user).select_related("payer", "coverage__patient", "primary_claim")
    return get_object_or_404(scoped, pk=claim_id)


def access_patient_billing(user, patient_id, verb: str = "read") -> Patient:
    LEDGER.check(user, verb)
    return get_object_or_404(patients_visible_to(user), pk=patient_id)


def access_payer(user, payer_id, verb: str = "read") -> Payer:
    PAYER.check(user, verb)
    return get_object_or_404(Payer.objects.all(), pk=payer_id)


def access_service_code(user, code, verb: str = "read") -> ServiceCode:
    SERVICE_CODE.check(user, verb)
    return get_object_or_404(ServiceCode.objects.all(), pk=code)
