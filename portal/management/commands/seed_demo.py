"""`python manage.py seed_demo`: a believable demo clinic, idempotent, and a
working sign-in link for one of its patients (printed on every run).

It lives in the top domain app (portal) because it seeds every layer below.
Demo passwords must never reach a real clinic, so it refuses to run with DEBUG
off unless given --force."""

import base64
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from billing import demo as billing_demo
from billing.charging import sign_note_and_charge
from billing.note_services import log_session_with_services
from clinic.consents import publish_consent, record_paper_consent
from clinic.errors import Conflict, Invalid
from clinic.models import ConsentKind, Patient, User
from clinic.vocabulary import Role
from portal.demo import DEMO_EMAIL_DOMAIN, print_demo_link, seed_health_histories
from referrals import plans as referral_plans
from referrals import services as referral_services
from referrals.models import TreatmentPlan
from scheduling import demo as scheduling_demo
from scheduling.booking import book_appointment
from scheduling.models import Appointment, AppointmentStatus, Closure
from scheduling.series import book_series
from sessions_log.home_programme import set_home_programme
from sessions_log.models import Exercise

CONSENT_TEXT = (
    "I agree to rehabilitative medical massage as my doctor referred and my therapist "
    "planned it. My therapist has explained what it involves, what I may feel during and "
    "after it, and that I may ask to stop at any time. I will tell my therapist about any "
    "change in my health before each visit."
)

DEMO_PASSWORD = "demo"

STAFF = [
    ("doctor", Role.DOCTOR, "Dana", "Doyle"),
    ("doctor2", Role.DOCTOR, "Owen", "Olsen"),
    ("therapist", Role.THERAPIST, "Theo", "Tran"),
    ("therapist2", Role.THERAPIST, "Tess", "Ives"),
    ("frontdesk", Role.FRONT_DESK, "Fran", "Desk"),
    ("manager", Role.MANAGER, "Mia", "Manager"),
    ("billing", Role.BILLING, "Bill", "Ing"),
]

# (code, region, side) — conditions rehabilitative massage treats
CONDITIONS = [
    ("M62.830", "lower_back", "bilateral", "Muscle spasm of back"),
    ("M54.2", "neck", "bilateral", "Cervicalgia"),
    ("M54.50", "lower_back", "midline", "Low back pain"),
    ("G44.209", "neck", "bilateral", "Tension-type headache"),
    ("M53.3", "sacroiliac", "right", "Sacroiliac dysfunction"),
    ("M62.838", "calf", "left", "Other muscle spasm"),
    ("M54.6", "mid_back", "midline", "Thoracic spine pain"),
    ("G80.1", "thigh", "bilateral", "Spastic diplegic cerebral palsy"),
]

PATIENTS = [
    ("Alice", "Moreno"), ("Ben", "Carter"), ("Chloe", "Nguyen"), ("David", "Okafor"),
    ("Elena", "Rossi"), ("Frank", "Miller"), ("Grace", "Kim"), ("Hassan", "Ali"),
    ("Ivy", "Thompson"), ("Jack", "Walsh"), ("Kara", "Singh"), ("Liam", "Brennan"),
    ("Maya", "Cohen"), ("Noah", "Fischer"), ("Olivia", "Park"), ("Pedro", "Alves"),
    ("Quinn", "Harper"), ("Rosa", "Lopez"), ("Sam", "Becker"), ("Tara", "Quinn"),
]  # fmt: skip

# the questionnaire a region's plan asks the patient to answer (issue 14)
DISABILITY_GOALS = {
    "neck": [{"description": "Neck disability halved", "measure": "ndi", "baseline": 20,
              "target": 10}],
    "lower_back": [{"description": "Back disability under 20 %", "measure": "odi",
                    "baseline": 40, "target": 20}],
}  # fmt: skip
STRETCHES = {
    "neck": ["neck_side_bend", "upper_trapezius", "chin_tuck"],
    "lower_back": ["knee_to_chest", "lumbar_rotation", "piriformis_figure_four"],
}
NO_CONSENT = "Grace"  # signs nothing yet: Today shows it, and her notes wait for it
NOT_IMPROVING = "Frank"  # one patient whose pain does not fall
INTAKE = ("Sam", "Tara")  # signed referrals still waiting for a plan
PROPOSED = ("Rosa",)  # a plan waiting for the doctor's approval


class Command(BaseCommand):
    help = "Seed a demo clinic (staff with password 'demo'); refuses to run with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off (demo passwords); use --force."
            )
        if Patient.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
            self.stdout.write("The demo clinic is already seeded; nothing added.")
        else:
            with transaction.atomic():
                staff = self.create_staff()
                self.create_clinic(staff)
                # two locations with rooms, and every therapist's hours (scheduling.demo)
                scheduling_demo.seed_places(time_zone=settings.TIME_ZONE)
            self.stdout.write(self.style.SUCCESS("Demo clinic seeded. Sign in at / with:"))
            for username, role, *_ in STAFF:
                self.stdout.write(f"  {username:<11} / {DEMO_PASSWORD}   ({role})")
        print_demo_link(self)

    def create_staff(self) -> dict[str, User]:
        staff = {}
        for username, role, first, last in STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"role": role, "first_name": first, "last_name": last,
                          "email": f"{username}@clinic.example", "is_staff": role == Role.MANAGER},
            )  # fmt: skip
            if created:
                # demo accounts only: exempt from the password validators on purpose
                user.set_password(DEMO_PASSWORD)
                if role in (Role.THERAPIST, Role.DOCTOR):  # claims name their NPI
                    user.npi = billing_demo.demo_npi(len(staff) + 1)
                    user.taxonomy_code = "225700000X" if role == Role.THERAPIST else "207Q00000X"
                user.save()
            staff[username] = user
        return staff

    def create_clinic(self, staff):
        zone = ZoneInfo(settings.TIME_ZONE)
        today = timezone.localdate()
        Closure.objects.get_or_create(
            date=_next_weekday(today + timedelta(days=14), 0),
            defaults={"reason": "Staff training day"},
        )
        payers = billing_demo.create_payers()
        for i, (first, last) in enumerate(PATIENTS):
            doctor = staff["doctor"] if i % 3 else staff["doctor2"]
            therapist = staff["therapist"] if i % 2 == 0 else staff["therapist2"]
            code, region, side, _ = CONDITIONS[i % len(CONDITIONS)]
            patient = Patient.objects.create(
                first_name=first,
                last_name=last,
                date_of_birth=today.replace(year=today.year - 30 - i * 2, day=min(today.day, 28)),
                phone=f"+1555010{i:04d}",
                email=f"{first.lower()}.{last.lower()}@{DEMO_EMAIL_DOMAIN}",
                reminder_channel="sms" if i % 4 == 3 else "email",
                created_by=staff["frontdesk"],
            )
            billing_demo.give_address(patient, i)
            billing_demo.cover(patient, i, payers, by=staff["frontdesk"])
            referral = referral_services.create_referral(
                doctor=doctor,
                patient=patient,
                data={
                    "diagnoses": [{"code": code}],
                    "target_areas": [{"region": region, "side": side}],
                    "recommended_modalities": ["trigger_point", "myofascial_release"],
                    "precautions": "On anticoagulants: light pressure only." if i % 5 == 0 else "",
                    "visits_prescribed": 12,
                    "frequency_per_week": 2,
                    "valid_until": today + timedelta(days=75 if i != 7 else 6),
                },
            )
            referral = referral_services.sign_referral(referral=referral, by=doctor)
            if first in INTAKE:
                continue
            plan = referral_plans.create_plan(
                therapist=therapist,
                referral=referral,
                data={
                    "areas": [{"region": region, "side": side,
                               "modalities": ["trigger_point", "myofascial_release"],
                               "notes": "Work from superficial to deep layers."}],
                    "goals": [{"description": "Pain at most 2 of 10", "measure": "nprs",
                               "baseline": 7, "target": 2},
                              *DISABILITY_GOALS.get(region, [])],
                    "frequency_per_week": 2,
                    "planned_visits": 12,
                    "start_date": today - timedelta(days=24),
                },
            )  # fmt: skip
            plan = referral_plans.propose_plan(plan=plan, by=therapist)
            if first in PROPOSED:
                continue
            plan = referral_plans.approve_plan(plan=plan, by=doctor)
            slot = time(8 + (i // 2) % 10, 0)
            self.past_sessions(
                plan, therapist, patient, slot, zone, improving=first != NOT_IMPROVING
            )
            self.upcoming_visits(plan, therapist, patient, slot, zone, by=staff["frontdesk"])
        self.visit_due_for_reminders(staff)
        billing_demo.claim_the_week(biller=staff["billing"])
        self.patient_side(staff)

    def patient_side(self, staff):
        """Consent to treatment, signed on paper by all but one; health histories;
        home programmes."""
        consent = publish_consent(
            kind=ConsentKind.TREATMENT, title="Consent to treatment", text=CONSENT_TEXT, by=None
        )
        scan = base64.b64encode(b"%PDF-1.4 demo scan of a signed consent").decode()
        for patient in Patient.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}"):
            if patient.first_name != NO_CONSENT:
                record_paper_consent(
                    patient=patient, document=consent, scan=scan, by=staff["frontdesk"]
                )
        seed_health_histories()
        library = {e.code: e.pk for e in Exercise.objects.all()}
        for plan in TreatmentPlan.objects.approved().prefetch_related("areas"):
            codes = STRETCHES.get(plan.areas.all()[0].region, []) if plan.areas.all() else []
            if codes and all(code in library for code in codes):
                items = [{"exercise": str(library[code])} for code in codes]
                set_home_programme(plan=plan, items=items, by=plan.therapist)

    def past_sessions(self, plan, therapist, patient, slot, zone, *, improving):
        today = timezone.localdate()
        days = [today - timedelta(days=d) for d in (24, 21, 17, 14, 10, 7, 3)]
        for n, day in enumerate(d for d in days if d.weekday() < 5):
            start = datetime.combine(day, slot, tzinfo=zone)
            visit = Appointment.objects.create(
                patient=patient, therapist=therapist, plan=plan, start=start,
                end=start + timedelta(minutes=45), status=AppointmentStatus.BOOKED,
            )  # fmt: skip
            before = max(7 - n, 2) if improving else 6 + n % 2
            # billing: services derived from the areas; signing makes the charge
            note = log_session_with_services(
                therapist=therapist,
                appointment=visit,
                data={
                    "pain_before": before,
                    "pain_after": max(before - 2, 0) if improving else before,
                    "areas": [{"region": a.region, "side": a.side, "minutes": 30,
                               "modalities": [m.code for m in a.modalities.all()]}
                              for a in plan.areas.all()],
                    "subjective": "Less stiffness in the mornings." if improving
                    else "No change; still wakes with pain.",
                    "objective": "Trigger points reduced in number and tenderness." if improving
                    else "Taut bands unchanged.",
                    "assessment": "Responding well." if improving else "Not responding.",
                    "plan_text": "Continue as planned.",
                    "response": "improved" if improving else "unchanged",
                },
            )  # fmt: skip
            sign_note_and_charge(note=note, by=therapist)

    def upcoming_visits(self, plan, therapist, patient, slot, zone, *, by):
        """A Monday/Thursday series, like the front desk books, within the referral."""
        first = timezone.localdate() + timedelta(days=1)
        while first.weekday() not in (0, 3):
            first += timedelta(days=1)
        until = min(first + timedelta(days=13), plan.referral.valid_until)
        if until < first:
            return
        book_series(
            plan=plan,
            therapist=therapist,
            first_start=datetime.combine(first, slot, tzinfo=zone),
            duration_minutes=45,
            rrule=f"FREQ=WEEKLY;BYDAY=MO,TH;UNTIL={until:%Y%m%d}",
            by=by,
        )

    def visit_due_for_reminders(self, staff):
        """One visit 90 minutes ahead, so `make run` shows its reminder going out
        in the first minute (a late booking gets its nearest reminder at once)."""
        plan = TreatmentPlan.objects.approved().select_related("patient", "therapist").first()
        start = (timezone.now() + timedelta(minutes=90)).replace(second=0, microsecond=0)
        try:
            book_appointment(
                patient=plan.patient, therapist=plan.therapist, plan=plan, start=start,
                end=start + timedelta(minutes=30), by=staff["frontdesk"],
            )  # fmt: skip
        except (Conflict, Invalid) as error:
            self.stdout.write(f"No visit in 90 minutes ({error}); reminders wait for the series.")


def _next_weekday(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)
