"""The benchmark's clinic: staff, patients, referrals and approved plans, a
year of appointments without overlaps, signed session notes and reminders,
written with PostgreSQL's COPY (bulk_create elsewhere) in one transaction.

The shape, per therapist: a working week of 5 days x `slots_per_day` hourly
visits; patients come in cohorts of 15 for 6 weeks, twice a week, so a
therapist's visits never overlap and, since a patient has one therapist, a
patient's never do either (the exclusion constraints stay happy). Past visits
are completed with a signed note, cancelled or missed, except the most recent
ones, which are still `booked`: the backlog therapists log notes for during
the load run."""

import io
import json
import random
import secrets
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS

from clinic.hashing import content_hash
from clinic.models import Patient, User
from referrals import icd10
from referrals.models import (
    Diagnosis,
    Modality,
    PlanArea,
    PlanGoal,
    Referral,
    TargetArea,
    TreatmentPlan,
)
from scheduling.models import Appointment, Reminder
from scheduling.reminders import kind_of
from sessions_log.models import NoteArea, OutcomeMeasurement, SessionNote

PASSWORD = "bench-password-2026"
COHORT = 15  # patients treated together for 6 weeks, twice a week
COHORT_WEEKS = 6

# (code, target areas, plan area) of the referrals; every code is billable.
CONDITIONS = [
    ("M54.2", [("neck", "bilateral"), ("upper_back", "left")], ("neck", "bilateral")),
    ("M54.50", [("lower_back", "midline"), ("gluteal", "bilateral")], ("lower_back", "midline")),
    ("M54.6", [("mid_back", "midline")], ("mid_back", "midline")),
    ("M62.830", [("lower_back", "bilateral")], ("lower_back", "bilateral")),
    ("M25.511", [("shoulder", "right"), ("upper_arm", "right")], ("shoulder", "right")),
    ("M79.18", [("neck", "bilateral"), ("shoulder", "bilateral")], ("shoulder", "left")),
    ("G44.209", [("neck", "midline"), ("head", "bilateral")], ("neck", "midline")),
]
FIRST_NAMES = str.split(
    "Ava Ben Cara Dev Eli Fay Gus Hana Ivan Jade Kai Lena Milo Nora Omar Pia Quin Rosa Sam "
    "Tara Umar Vera Wes Xena Yuri Zoe Abel Bea Cole Dina Emil Flor Gabe Hugo Iris Joel Kira "
    "Liam Maya Nils Opal Petr Ruth Saul Tess Uma Vic Wren Yara Zack"
)
LAST_NAMES = str.split(
    "Adams Baker Clark Davis Evans Flores Garcia Hill Irwin Jones King Lopez Moore Nguyen "
    "Owens Patel Quinn Reyes Smith Turner Underwood Vance Walker Xu Young Zimmer Allen Brooks "
    "Chen Diaz Ellis Fisher Gray Hayes Ito Jensen Kim Lewis Murphy Novak Ortiz Price Rossi "
    "Silva Tanaka Ueda Vargas Wright Yates Zhou Alvarez Bennett Castro Dunn Engel Ford Grant "
    "Hughes Ingram James Khan Lund Meyer Nash Olsen Perez Ramos Stone Torres Ulrich Volk Ward"
)
SOAP = [
    ("Stiff after desk work.", "Taut band upper trapezius.", "Responding.", "Continue."),
    ("Slept better this week.", "Less guarding on palpation.", "Improving.", "Add stretches."),
    ("Pain after lifting.", "Tender point at L4-5 paraspinals.", "Flare-up.", "Gentler work."),
]


@dataclass(frozen=True)
class Scale:
    therapists: int = 40
    doctors: int = 10
    front_desk: int = 4
    patients_per_therapist: int = 125
    weeks_past: int = 36  # whole weeks before this week
    weeks_ahead: int = 14  # this week and those after it
    slots_per_day: int = 6
    notes: int = 30_000
    missed_share: float = 0.08  # of the older past visits: cancelled or no-show

    @property
    def patients(self) -> int:
        return self.therapists * self.patients_per_therapist

    @property
    def appointments(self) -> int:
        return self.therapists * (self.weeks_past + self.weeks_ahead) * 5 * self.slots_per_day


FULL = Scale()


def token_key(username: str) -> str:
    """Known, stable API tokens: the load generator needs no log-in round."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{username}").hex + "00000000"


# --- writing rows fast -----------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")).replace(
            "\r", "\\r"
        )
    return text


def _with_defaults(model, rows: list[dict]) -> list[dict]:
    """COPY skips Django's defaults: fill in the columns a row leaves out (a
    field added to a model after this file was written still gets its default)."""
    missing = [
        f for f in model._meta.concrete_fields if f.attname not in rows[0] and not f.primary_key
    ]
    if not missing:
        return rows
    defaults = {
        f.attname: None if f.null and not f.has_default() else f.get_default() for f in missing
    }
    for f in missing:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = timezone.now()
    return [{**defaults, **row} for row in rows]


@contextmanager
def given_timestamps(model):
    """bulk_create stamps auto_now(_add) fields with the present; the seed's
    history needs its own times (a note written after its visit, last March)."""
    stamped = [
        f
        for f in model._meta.fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for field in stamped:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def write(model, rows: list[dict]) -> None:
    """COPY on PostgreSQL (about 10x bulk_create); bulk_create elsewhere."""
    if not rows:
        return
    rows = _with_defaults(model, rows)
    if connection.vendor != "postgresql":
        with given_timestamps(model):
            model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        return
    columns = list(rows[0])
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_text(row[c]) for c in columns))
        buffer.write("\n")
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)


def write_m2m(field, pairs: list[tuple]) -> None:
    through = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    write(through, [{source: a, target: b} for a, b in pairs])


def reset_sequences(models) -> None:
    """Rows were written with explicit integer ids; move the identity on."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0) + 1, "
                "false)",
                [table],
            )


# --- the clinic --------------------------------------------------------------------------


class Builder:
    def __init__(self, scale: Scale, *, now: datetime | None = None, log=print):
        self.scale = scale
        self.now = now or timezone.now()
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localtime(self.now, self.zone).date()
        self.rng = random.Random(2026)
        self.log = log
        self.modalities = sorted(Modality.objects.values_list("code", flat=True))
        self.descriptions = {code: icd10.describe(code) for code, _, _ in CONDITIONS}
        self.counters: dict[str, int] = {}

    def next_id(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def step(self, label: str, model, rows: list[dict]) -> None:
        began = time.perf_counter()
        write(model, rows)
        took = time.perf_counter() - began
        self.log(f"  {label:<28} {len(rows):>8,} rows  {took:5.1f}s")

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    # staff ------------------------------------------------------------------------------

    def staff(self) -> dict[str, list[dict]]:
        password = make_password(PASSWORD)
        groups = {
            "therapist": self.scale.therapists,
            "doctor": self.scale.doctors,
            "front_desk": self.scale.front_desk,
            "manager": 1,
        }
        staff: dict[str, list[dict]] = {}
        for role, count in groups.items():
            staff[role] = [self._user(role, n, password) for n in range(1, count + 1)]
        rows = [u for users in staff.values() for u in users]
        self.step("staff", User, rows)
        tokens = [self._token(u) for u in rows]
        self.step("api tokens", AuthToken, tokens)
        return staff

    def _token(self, user: dict) -> dict:
        """knox's row of a known key: its digest and first characters, never the key."""
        key = token_key(user["username"])
        return {
            "digest": hash_token(key),
            "token_key": key[: CONSTANTS.TOKEN_KEY_LENGTH],
            "user_id": user["id"],
            "created": self.now,
            "expiry": self.now + timedelta(days=30),  # outlives any run on this dataset
        }

    def _user(self, role: str, n: int, password: str) -> dict:
        username = f"bench_{role}_{n:02d}"
        return {
            "id": uuid.uuid4(),
            "password": password,
            "last_login": None,
            "is_superuser": False,
            "username": username,
            "first_name": self.rng.choice(FIRST_NAMES),
            "last_name": self.rng.choice(LAST_NAMES),
            "email": f"{username}@clinic.example",
            "is_staff": role == "manager",
            "is_active": True,
            "date_joined": self.now,
            "role": role,
            "calendar_token": secrets.token_urlsafe(24),
        }

    # patients, referrals, plans -----------------------------------------------------------

    def patients(self, staff) -> list[dict]:
        rows = []
        for i in range(self.scale.patients):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            channel = self.rng.choices(["email", "sms", "none"], weights=[80, 15, 5])[0]
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "created_at": self.now,
                    "updated_at": self.now,
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
                    "phone": f"+1555{i:07d}",
                    "email": f"{first.lower()}.{last.lower()}.{i}@patients.example",
                    "reminder_channel": channel,
                    "reminder_consent": True,
                    "is_active": True,
                    "created_by_id": staff["front_desk"][i % self.scale.front_desk]["id"],
                    "calendar_token": secrets.token_urlsafe(24),
                    "version": 1,
                }
            )
        self.step("patients", Patient, rows)
        return rows

    def referrals_and_plans(self, staff, patients) -> list[dict]:
        """One signed referral and one approved plan per patient, each with room
        for the visits the load run books (60 prescribed)."""
        referrals, diagnoses, areas, recommended, plans, plan_areas, goals, plan_mods = (
            [] for _ in range(8)
        )
        per = self.scale.patients_per_therapist
        for i, patient in enumerate(patients):
            code, targets, treated = CONDITIONS[i % len(CONDITIONS)]
            doctor = staff["doctor"][i % self.scale.doctors]
            therapist = staff["therapist"][i // per]
            signed = self.now - timedelta(days=400)
            modalities = self.rng.sample(self.modalities, 2)
            referral = {
                "id": uuid.uuid4(),
                "created_at": signed,
                "updated_at": signed,
                "patient_id": patient["id"],
                "doctor_id": doctor["id"],
                "renewal_of_id": None,
                "status": "signed",
                "precautions": "Avoid deep pressure over inflamed tissue.",
                "visits_prescribed": 60,
                "frequency_per_week": 2,
                "valid_until": self.today + timedelta(days=365),
                "signed_at": signed,
                "completed_at": None,
                "version": 2,
            }
            referral["content_hash"] = content_hash(
                {
                    "patient": str(patient["id"]),
                    "doctor": str(doctor["id"]),
                    "diagnoses": [code],
                    "target_areas": sorted([r, s] for r, s in targets),
                    "modalities": sorted(modalities),
                    "precautions": referral["precautions"],
                    "visits_prescribed": 60,
                    "frequency_per_week": 2,
                    "valid_until": referral["valid_until"].isoformat(),
                }
            )
            referrals.append(referral)
            diagnoses.append(
                {
                    "id": self.next_id("diagnosis"),
                    "referral_id": referral["id"],
                    "code": code,
                    "description": self.descriptions[code],
                    "position": 0,
                }
            )
            for region, side in targets:
                areas.append(
                    {
                        "id": self.next_id("target"),
                        "referral_id": referral["id"],
                        "region": region,
                        "side": side,
                    }
                )
            recommended += [(referral["id"], m) for m in modalities]
            plan = {
                "id": uuid.uuid4(),
                "created_at": signed,
                "updated_at": signed,
                "referral_id": referral["id"],
                "patient_id": patient["id"],
                "therapist_id": therapist["id"],
                "status": "approved",
                "frequency_per_week": 2,
                "planned_visits": 60,
                "start_date": (signed + timedelta(days=3)).date(),
                "doctor_comment": "",
                "proposed_at": signed,
                "approved_at": signed,
                "approved_by_id": doctor["id"],
                "ended_at": None,
                "end_reason": "",
                "version": 3,
                # not columns: the note writer's shortcuts
                "_region": treated,
                "_modalities": modalities,
                "_doctor": doctor,
            }
            plans.append(plan)
            area_id = self.next_id("plan_area")
            plan_areas.append(
                {
                    "id": area_id,
                    "plan_id": plan["id"],
                    "region": treated[0],
                    "side": treated[1],
                    "notes": "",
                }
            )
            plan_mods += [(area_id, m) for m in modalities]
            goals.append(
                {
                    "id": self.next_id("goal"),
                    "plan_id": plan["id"],
                    "description": "Pain at most 3 of 10 at work",
                    "measure": "nprs",
                    "baseline": 7,
                    "target": 3,
                }
            )
        self.step("referrals", Referral, referrals)
        self.step("diagnoses", Diagnosis, diagnoses)
        self.step("target areas", TargetArea, areas)
        write_m2m(Referral._meta.get_field("recommended_modalities"), recommended)
        columns = [k for k in plans[0] if not k.startswith("_")]
        self.step("treatment plans", TreatmentPlan, [{k: p[k] for k in columns} for p in plans])
        self.step("plan areas", PlanArea, plan_areas)
        write_m2m(PlanArea._meta.get_field("modalities"), plan_mods)
        self.step("plan goals", PlanGoal, goals)
        return plans

    # appointments ---------------------------------------------------------------------------

    def week_slots(self, monday: date) -> list[tuple[date, int]]:
        days = [monday + timedelta(days=d) for d in range(5)]
        return [(day, 9 + h) for day in days for h in range(self.scale.slots_per_day)]

    def appointments(self, staff, plans) -> list[dict]:
        this_monday = self.today - timedelta(days=self.today.weekday())
        first_monday = this_monday - timedelta(weeks=self.scale.weeks_past)
        weeks = self.scale.weeks_past + self.scale.weeks_ahead
        per = self.scale.patients_per_therapist
        rows = []
        for t, therapist in enumerate(staff["therapist"]):
            own = plans[t * per : (t + 1) * per]
            for w in range(weeks):
                monday = first_monday + timedelta(weeks=w)
                cohort = (w // COHORT_WEEKS) * COHORT
                for s, (day, hour) in enumerate(self.week_slots(monday)):
                    plan = own[(cohort + s % COHORT) % per]
                    start = self.at(day, hour)
                    booked = min(start - timedelta(days=14), self.now)
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "created_at": booked,
                            "updated_at": booked,
                            "patient_id": plan["patient_id"],
                            "therapist_id": therapist["id"],
                            "plan_id": plan["id"],
                            "series_id": None,
                            "start": start,
                            "end": start + timedelta(minutes=45),
                            "status": "booked",
                            "status_changed_at": None,
                            "cancel_reason": "",
                            "created_by_id": staff["front_desk"][0]["id"],
                            "version": 1,
                            "_plan": plan,
                        }
                    )
        self._settle_the_past(rows)
        columns = [k for k in rows[0] if not k.startswith("_")]
        self.step("appointments", Appointment, [{k: r[k] for k in columns} for r in rows])
        return rows

    def _settle_the_past(self, rows: list[dict]) -> None:
        """Per therapist: the older past visits are completed (they get the
        notes), cancelled or missed; the newest past ones stay booked."""
        per_therapist = self.scale.notes // self.scale.therapists
        missed = round(per_therapist * self.scale.missed_share)
        by_therapist: dict = {}
        for row in rows:
            if row["start"] < self.now:
                by_therapist.setdefault(row["therapist_id"], []).append(row)
        for past in by_therapist.values():
            past.sort(key=lambda r: r["start"])
            older = past[: per_therapist + missed]
            for row in self.rng.sample(older, min(missed, len(older))):
                row["status"] = self.rng.choice(["cancelled", "cancelled", "no_show"])
                row["status_changed_at"] = row["start"] - timedelta(hours=3)
                if row["status"] == "cancelled":
                    row["cancel_reason"] = "Patient unwell."
            for row in older:
                if row["status"] == "booked":
                    row["status"] = "completed"
                    row["status_changed_at"] = row["end"] + timedelta(minutes=5)

    # notes, measurements, reminders -------------------------------------------------------------

    def notes(self, appointments) -> None:
        notes, areas, area_mods, measures = [], [], [], []
        seen: dict = {}
        for appt in appointments:
            if appt["status"] != "completed":
                continue
            plan = appt["_plan"]
            visit = seen[plan["id"]] = seen.get(plan["id"], 0) + 1
            pain_before = max(1, 8 - visit // 2 + self.rng.randint(-1, 1))
            pain_after = max(0, pain_before - self.rng.randint(1, 2))
            written = appt["end"] + timedelta(minutes=5)
            subjective, objective, assessment, plan_text = self.rng.choice(SOAP)
            region, side = plan["_region"]
            minutes = self.rng.choice([30, 40, 45])
            note = {
                "id": uuid.uuid4(),
                "created_at": written,
                "updated_at": written + timedelta(minutes=10),
                "appointment_id": appt["id"],
                "therapist_id": appt["therapist_id"],
                "patient_id": appt["patient_id"],
                "plan_id": plan["id"],
                "pain_before": pain_before,
                "pain_after": pain_after,
                "subjective": subjective,
                "objective": objective,
                "assessment": assessment,
                "plan_text": plan_text,
                "response": "improved" if pain_after < pain_before else "unchanged",
                "adverse_reaction": "",
                "signed_at": written + timedelta(minutes=10),
                "version": 2,
            }
            fields = ("pain_before", "pain_after", "subjective", "objective", "assessment")
            note["content_hash"] = content_hash(
                {
                    "appointment": str(appt["id"]),
                    "therapist": str(appt["therapist_id"]),
                    **{f: note[f] for f in fields},
                    "plan_text": plan_text,
                    "response": note["response"],
                    "adverse_reaction": "",
                    "areas": [[region, side, minutes, sorted(plan["_modalities"])]],
                }
            )
            notes.append(note)
            area_id = self.next_id("note_area")
            areas.append(
                {
                    "id": area_id,
                    "note_id": note["id"],
                    "region": region,
                    "side": side,
                    "minutes": minutes,
                }
            )
            area_mods += [(area_id, m) for m in plan["_modalities"]]
            if visit in (1, 6, 12):  # NPRS at intake and at each progress check
                measures.append(
                    {
                        "id": uuid.uuid4(),
                        "created_at": written,
                        "updated_at": written,
                        "plan_id": plan["id"],
                        "measure": "nprs",
                        "score": pain_before,
                        "taken_at": appt["start"],
                        "items": {},
                        "recorded_by_id": appt["therapist_id"],
                    }
                )
        self.step("session notes (signed)", SessionNote, notes)
        self.step("note areas", NoteArea, areas)
        write_m2m(NoteArea._meta.get_field("modalities"), area_mods)
        self.step("outcome measurements", OutcomeMeasurement, measures)

    def reminders(self, appointments, patients) -> None:
        channel = {p["id"]: p["reminder_channel"] for p in patients}
        kinds = [(kind_of(o), o) for o in settings.REMINDER_OFFSETS]
        rows = []
        for appt in appointments:
            if channel[appt["patient_id"]] == "none":
                continue
            for kind, offset in kinds:
                due = appt["start"] - offset
                row = {
                    "id": uuid.uuid4(),
                    "created_at": appt["created_at"],
                    "updated_at": appt["created_at"],
                    "appointment_id": appt["id"],
                    "kind": kind,
                    "channel": channel[appt["patient_id"]],
                    "due_at": due,
                    "status": "pending",
                    "attempts": 0,
                    "last_error": "",
                    "sent_at": None,
                    "claimed_until": None,
                }
                if appt["status"] == "cancelled" and due > appt["status_changed_at"]:
                    row.update(status="skipped", last_error="The visit was cancelled.")
                elif due <= self.now:
                    row.update(status="sent", attempts=1, sent_at=due + timedelta(seconds=20))
                rows.append(row)
        self.step("reminders", Reminder, rows)


def is_seeded() -> bool:
    return seeded_at() is not None


def seed(scale: Scale = FULL, *, log=print) -> bool:
    """Seed the clinic unless it is there already; True when it wrote rows."""
    if is_seeded():
        log("The bench clinic is already seeded; nothing to do.")
        return False
    began = time.perf_counter()
    log(
        f"Seeding {scale.therapists} therapists, {scale.doctors} doctors, "
        f"{scale.patients:,} patients, {scale.appointments:,} appointments, "
        f"{scale.notes:,} signed notes ..."
    )
    with transaction.atomic():
        builder = Builder(scale, log=log)
        staff = builder.staff()
        patients = builder.patients(staff)
        plans = builder.referrals_and_plans(staff, patients)
        appointments = builder.appointments(staff, plans)
        builder.notes(appointments)
        builder.reminders(appointments, patients)
        reset_sequences([Diagnosis, TargetArea, PlanArea, PlanGoal, NoteArea])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"Seeded in {time.perf_counter() - began:.1f}s.")
    return True


def seeded_at() -> datetime | None:
    """When the clinic was seeded: rows the load run adds are younger."""
    manager = User.objects.filter(username="bench_manager_01").only("date_joined").first()
    return manager.date_joined if manager else None
