"""The end of therapy, one service for the doctor's page and for the progress
report that ends it: the plan is completed with its discharge summary, the
referral (the episode) with it, and the visits still booked are released."""

from django.db import transaction
from django.utils import timezone

from clinic.errors import Invalid
from clinic.models import User
from referrals import plans as referral_plans
from referrals import services as referral_services
from referrals.models import ReferralStatus, TreatmentPlan

from .models import Appointment, AppointmentStatus
from .visits import release_visit


@transaction.atomic
def end_therapy(*, plan: TreatmentPlan, by: User, discharge_summary: str) -> TreatmentPlan:
    if not (discharge_summary or "").strip():
        raise Invalid.field("discharge_summary", "Write the discharge summary.")
    plan = referral_plans.complete_plan(plan=plan, by=by, summary=discharge_summary.strip())
    if plan.referral.status == ReferralStatus.SIGNED:
        referral_services.complete_referral(referral=plan.referral, by=by)
    booked = Appointment.objects.filter(
        plan=plan, status=AppointmentStatus.BOOKED, start__gte=timezone.now()
    ).select_related("patient")
    for visit in booked:
        release_visit(appointment=visit, by=by, reason="Therapy ended by the doctor.")
    return plan
