"""The doors to referrals and plans for the pages: `visible_to` first, 404 outside."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.vocabulary import Role

from ..models import PlanArea, Referral, TreatmentPlan

SERVICE_ERRORS = (DomainConflict, Invalid, NotAllowed)
CLINICAL = (Role.DOCTOR, Role.THERAPIST, Role.MANAGER)


def referral_for(user, referral_id):
    return get_object_or_404(
        Referral.objects.visible_to(user)
        .select_related("patient", "doctor", "renewal_of")
        .prefetch_related("diagnoses", "target_areas", "recommended_modalities"),
        pk=referral_id,
    )


def plan_for(user, plan_id):
    return get_object_or_404(
        TreatmentPlan.objects.visible_to(user)
        .with_visits_used()
        .select_related("patient", "therapist", "referral__doctor")
        .prefetch_related(
            "goals",
            Prefetch("areas", queryset=PlanArea.objects.prefetch_related("modalities")),
            "referral__diagnoses",
            "referral__target_areas",
            "referral__recommended_modalities",
        ),
        pk=plan_id,
    )
