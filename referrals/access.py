"""The one door to referrals, plans and precautions (see clinic/access.py):
the policy table of what each role may ever do, and the `access_<thing>`
functions that scope (404 outside scope, same as missing)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from clinic.access import (
    ALL_ROLES,
    CLINICIANS,
    DOCTOR,
    FRONT_DESK,
    MANAGER,
    NO_FRONT_DESK,
    THERAPIST,
    Policy,
)
from clinic.errors import DomainConflict, Invalid, NotAllowed

from .models import PlanArea, Referral, TreatmentPlan

SERVICE_ERRORS = (DomainConflict, Invalid, NotAllowed)

REFERRAL = Policy(
    "referral",
    {
        "read": ALL_ROLES,  # the front desk: status fields only
        "read_clinical": NO_FRONT_DESK,
        "create": DOCTOR,
        # a paper prescription of an outside physician, entered next to its scan
        # (API.md): the transcribing therapist edits the draft and signs for the
        # document; the services hold each referral to its own writer
        "transcribe": THERAPIST,
        "update": CLINICIANS,
        "sign": CLINICIANS,
        "complete": DOCTOR,
        "pdf": NO_FRONT_DESK,
        "intake": THERAPIST,  # the intake queue: each waiting referral alone
        "episodes": CLINICIANS | MANAGER,  # a patient's episodes, as a summary
    },
)
PLAN = Policy(
    "plan",
    {
        "read": ALL_ROLES,  # the front desk: status fields only
        "read_clinical": NO_FRONT_DESK,
        "progress": NO_FRONT_DESK,
        "pdf": NO_FRONT_DESK,  # the plan of care
        "discharge": NO_FRONT_DESK,  # the discharge summary, once therapy ended
        # to an outside physician by a secure link (referrals/signature_links.py)
        "request_signature": THERAPIST,
        "create": THERAPIST,
        "update": THERAPIST,
        "propose": THERAPIST,
        "approve": DOCTOR,
        "request_changes": DOCTOR,
        "complete": CLINICIANS,
        "discontinue": CLINICIANS,
        "end_therapy": DOCTOR,  # the plan and its referral together (a page)
        "mine": THERAPIST,  # the therapist's plan list (a page)
        "review": DOCTOR,  # the doctor's plans to review (a page)
    },
)
PRECAUTION = Policy(
    "precaution",
    {"read": NO_FRONT_DESK, "create": CLINICIANS, "clear": DOCTOR, "clearances": DOCTOR},
)
DIAGNOSIS = Policy("diagnosis", {"search": ALL_ROLES})
# Referring physicians outside the clinic: a directory, not a clinical record.
# The front desk, therapists and doctors fill it; everyone reads it.
PHYSICIAN = Policy(
    "physician",
    {"read": ALL_ROLES, "create": CLINICIANS | FRONT_DESK, "update": CLINICIANS | FRONT_DESK},
)
MODALITY = Policy("modality", {"read": ALL_ROLES})


def access_referral(user, referral_id, verb: str = "read_clinical", *, glass: bool = False):
    REFERRAL.check(user, verb)
    return get_object_or_404(
        Referral.objects.visible_to(user, glass=glass)
        .select_related("patient", "doctor", "outside_physician", "transcribed_by", "renewal_of")
        .prefetch_related("diagnoses", "target_areas", "recommended_modalities"),
        pk=referral_id,
    )


def access_plan(user, plan_id, verb: str = "read_clinical", *, glass: bool = False):
    PLAN.check(user, verb)
    return get_object_or_404(
        TreatmentPlan.objects.visible_to(user, glass=glass)
        .with_visits_used()
        .select_related("patient", "therapist", "referral__doctor", "referral__outside_physician")
        .prefetch_related(
            "goals",
            Prefetch("areas", queryset=PlanArea.objects.prefetch_related("modalities")),
            "referral__diagnoses",
            "referral__target_areas",
            "referral__recommended_modalities",
        ),
        pk=plan_id,
    )
