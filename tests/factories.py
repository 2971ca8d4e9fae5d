"""factory_boy factories for the clinic's records. Defaults describe the
ordinary case: a signed referral, an approved plan, a booked visit tomorrow."""

from datetime import timedelta

import factory
from django.utils import timezone

from clinic.models import Patient, User
from clinic.vocabulary import Role
from referrals.models import (
    Diagnosis,
    PlanArea,
    PlanStatus,
    Referral,
    ReferralStatus,
    TargetArea,
    TreatmentPlan,
)
from scheduling.models import Appointment, AppointmentStatus
from sessions_log.models import SessionNote


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.example")
    role = Role.THERAPIST
    password = factory.django.Password("correct-horse-battery")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    phone = "+15550100100"
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@patients.example")


class ReferralFactory(factory.django.DjangoModelFactory):
    """A signed referral for neck pain, 10 visits, valid for 60 days."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(UserFactory, role=Role.DOCTOR)
    status = ReferralStatus.SIGNED
    signed_at = factory.LazyFunction(timezone.now)
    precautions = "Avoid deep pressure over the carotid area."
    visits_prescribed = 10
    frequency_per_week = 2
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))

    class Params:
        draft = factory.Trait(status=ReferralStatus.DRAFT, signed_at=None)

    @factory.post_generation
    def diagnoses(self, create, extracted, **kwargs):
        if create:
            for i, (code, text) in enumerate(extracted or [("M54.2", "Cervicalgia")]):
                Diagnosis.objects.create(referral=self, code=code, description=text, position=i)

    @factory.post_generation
    def target_areas(self, create, extracted, **kwargs):
        if create:
            for region, side in extracted or [("neck", "bilateral"), ("upper_back", "left")]:
                TargetArea.objects.create(referral=self, region=region, side=side)


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    """An approved plan of 8 visits on the referral's neck."""

    class Meta:
        model = TreatmentPlan
        skip_postgeneration_save = True

    referral = factory.SubFactory(ReferralFactory)
    patient = factory.LazyAttribute(lambda p: p.referral.patient)
    therapist = factory.SubFactory(UserFactory, role=Role.THERAPIST)
    status = PlanStatus.APPROVED
    frequency_per_week = 2
    planned_visits = 8
    start_date = factory.LazyFunction(timezone.localdate)
    approved_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            for region, side in extracted or [("neck", "bilateral")]:
                area = PlanArea.objects.create(plan=self, region=region, side=side)
                area.modalities.set(["trigger_point", "myofascial_release"])


def _tomorrow_at(hour: int):
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    plan = factory.SubFactory(TreatmentPlanFactory)
    patient = factory.LazyAttribute(lambda a: a.plan.patient if a.plan else PatientFactory())
    therapist = factory.LazyAttribute(
        lambda a: a.plan.therapist if a.plan else UserFactory(role=Role.THERAPIST)
    )
    start = factory.LazyFunction(lambda: _tomorrow_at(10))
    end = factory.LazyAttribute(lambda a: a.start + timedelta(minutes=45))
    status = AppointmentStatus.BOOKED


class SessionNoteFactory(factory.django.DjangoModelFactory):
    """A draft note on a visit that happened an hour ago."""

    class Meta:
        model = SessionNote

    appointment = factory.SubFactory(
        AppointmentFactory,
        start=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
        status=AppointmentStatus.COMPLETED,
    )
    therapist = factory.LazyAttribute(lambda n: n.appointment.therapist)
    patient = factory.LazyAttribute(lambda n: n.appointment.patient)
    plan = factory.LazyAttribute(lambda n: n.appointment.plan)
    pain_before = 6
    pain_after = 4
    subjective = "Neck stiff after desk work."
    objective = "Taut band in left upper trapezius."
    assessment = "Responding to trigger point work."
    plan_text = "Continue twice weekly."
    response = "improved"
