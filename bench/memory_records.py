"""The records the demo clinic (`seed_demo`) lacks, made for bench/memory.py so
that every page and endpoint has something to show: an outcome measurement, an
addendum, a finding, a signed progress report (its PDF, the patient's paper), an
uploaded PDF (its preview), an outside physician with a plan of care waiting on
their secure link and a progress report sent to them by another, a waitlist entry
with offers, a plan whose therapy ended (its discharge summary) and time off.

Each is made through the project's own services, as a user of that role would
(the tests make them the same way); only time off, which only the admin writes,
is a plain row. Made once, after `seed_demo --force`, in a fresh database."""

import io
import re
from datetime import time, timedelta

from django.utils import timezone

TODAY_SUMMARY = "Pain down from 7 to 3 of 10; sleeps through the night again."
REFERRAL = {
    "diagnoses": [{"code": "M54.2"}],
    "target_areas": [{"region": "neck", "side": "bilateral"}],
    "recommended_modalities": ["trigger_point", "myofascial_release"],
    "visits_prescribed": 8,
    "frequency_per_week": 2,
}
PLAN = {
    "areas": [{"region": "neck", "side": "bilateral", "modalities": ["trigger_point"]}],
    "goals": [{"description": "Pain at most 2 of 10", "measure": "nprs", "baseline": 6,
               "target": 2}],
    "frequency_per_week": 2,
    "planned_visits": 8,
}  # fmt: skip


def central_plan():
    """The plan the memory pass is about (bench/memory.py signs in its doctor and
    its therapist): an approved plan with signed notes, a home programme, a claim
    and an authorization, whose patient signed the consent and hears by email; the
    first by the patient's name. Failing that (the bench's own clinic), the first note's plan."""
    from referrals.models import TreatmentPlan
    from sessions_log.models import SessionNote

    plan = (
        TreatmentPlan.objects.approved()
        .filter(
            session_notes__isnull=False,
            home_programme__isnull=False,
            patient__coverages__claims__isnull=False,
            patient__coverages__authorizations__isnull=False,
            patient__consents__isnull=False,
            patient__reminder_channel="email",
        )
        .select_related("referral__doctor", "patient", "therapist")
        .order_by("patient__last_name", "patient__first_name", "pk")
        .first()
    )
    if plan is not None:
        return plan
    note = SessionNote.objects.select_related("plan__referral").order_by("pk").first()
    return note.plan if note else TreatmentPlan.objects.order_by("pk").first()


def mailed(pattern: str, *, subject: bool = False) -> str | None:
    """The first group of `pattern` in the newest email that has it (the email
    backend in memory: the bench's `memorymail://`, the tests' locmem)."""
    from django.core import mail

    for message in reversed(getattr(mail, "outbox", [])):
        found = re.search(pattern, message.subject if subject else message.body)
        if found:
            return found.group(1)
    return None


def a_pdf() -> bytes:
    """A one-page PDF, as a scanner would send it (Pillow writes PDFs)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (612, 792), "white")
    ImageDraw.Draw(page).rectangle([60, 60, 552, 200], outline="black", width=3)
    out = io.BytesIO()
    page.save(out, format="PDF")
    return out.getvalue()


def a_signature() -> str:
    """A drawn signature, as the physician's page sends it (a PNG data URL)."""
    import base64

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(40, 150), (200, 40), (320, 160), (560, 50)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def upload(*, by, patient, kind: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.services import upload_document

    scan = SimpleUploadedFile("scan.pdf", a_pdf(), content_type="application/pdf")
    return upload_document(by=by, patient=patient, kind=kind, file=scan)


def staff(role: str):
    from clinic.models import User

    return User.objects.filter(role=role, is_active=True).order_by("username").first()


def add_missing_records(log=print) -> dict:
    """One of each kind the demo lacks (see the module's docstring); what was made."""
    from clinic.vocabulary import Role

    plan = central_plan()
    therapist, desk = plan.therapist, staff(Role.FRONT_DESK)
    made = {"plan": plan}
    made |= notes_and_report(plan)
    made["document"] = upload(by=therapist, patient=plan.patient, kind="prescription")
    made |= waitlist_and_ended_plan(plan, desk=desk)
    made |= outside_physician(therapist, desk=desk)
    from scheduling.models import TimeOff  # the admin's alone: no service writes it

    week = timezone.localtime() + timedelta(days=21)
    made["time_off"] = TimeOff.objects.create(
        therapist=therapist, start=week.replace(hour=12, minute=0), reason="Course",
        end=week.replace(hour=17, minute=0),
    )  # fmt: skip
    log(f"added to the demo clinic: {', '.join(sorted(made))}")
    return made


def notes_and_report(plan) -> dict:
    """An outcome measurement, an addendum to a signed note, a signed progress
    report, and a finding the therapist raised (a precaution of the patient's)."""
    from referrals.contraindications import raise_finding
    from sessions_log.models import SessionNote
    from sessions_log.reports import sign_progress_report, write_progress_report
    from sessions_log.services import add_addendum, record_measurement

    therapist = plan.therapist
    note = SessionNote.objects.filter(plan=plan).order_by("-created_at").first()
    data = {"recommendation": "continue", "summary": TODAY_SUMMARY}
    report = write_progress_report(plan=plan, by=therapist, data=data)
    return {
        "measurement": record_measurement(
            by=therapist, plan=plan, measure="nprs", score=3, taken_at=timezone.now()
        ),
        "addendum": add_addendum(note=note, by=therapist, text="Patient called: no soreness."),
        "report": sign_progress_report(report=report, by=therapist),
        "precaution": raise_finding(
            by=therapist, patient=plan.patient, kind="osteoporosis", note="Found on palpation."
        ),
    }


def waitlist_and_ended_plan(plan, *, desk) -> dict:
    """The central patient waits for an earlier slot; another patient of the same
    doctor and therapist ends therapy, and the visits it frees are offered to it."""
    from referrals.models import TreatmentPlan
    from scheduling.models import Appointment, AppointmentStatus, WaitlistOffer
    from scheduling.therapy import end_therapy
    from scheduling.waitlist import add_entry

    today = timezone.localdate()
    entry = add_entry(
        data={"patient": plan.patient, "plan": plan, "therapist": None, "earliest": today,
              "latest": today + timedelta(days=30), "weekdays": ["MO", "TU", "WE", "TH", "FR"],
              "from_time": time(7), "to_time": time(20)},
        by=desk,
    )  # fmt: skip
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__gt=timezone.now())
    other = (
        TreatmentPlan.objects.approved()
        .filter(referral__doctor=plan.referral.doctor, therapist=plan.therapist)
        .exclude(pk=plan.pk)
        .filter(pk__in=booked.values("plan"))
        .order_by("patient__last_name", "pk")
        .first()
    )
    made = {"waitlist_entry": entry}
    if other is not None:
        doctor = other.referral.doctor
        made["ended_plan"] = end_therapy(plan=other, by=doctor, discharge_summary=TODAY_SUMMARY)
        made["offer"] = WaitlistOffer.objects.filter(entry=entry).order_by("start").first()
    return made


def outside_physician(therapist, *, desk) -> dict:
    """An outside physician in the directory, two patients of theirs on paper
    prescriptions: one plan of care waits on the physician's secure link, the
    other they signed by it, and its progress report waits on a second link."""
    from billing.demo import demo_npi
    from clinic.patients import register_patient
    from documents.transcription import transcribe_prescription
    from referrals import signature_links
    from referrals.physicians import add_physician
    from referrals.plans import create_plan, propose_plan
    from referrals.services import sign_referral
    from sessions_log.reports import (
        send_progress_report,
        sign_progress_report,
        write_progress_report,
    )

    physician = add_physician(
        by=desk,
        data={"first_name": "Ada", "last_name": "Okafor", "npi": demo_npi(90),
              "practice": "Harbor Family Medicine", "email": "ada.okafor@harbor.example"},
    )  # fmt: skip
    plans = []
    for first, born in (("Uma", 1971), ("Victor", 1965)):
        patient = register_patient(
            data={"first_name": first, "last_name": "Reyes", "date_of_birth": f"{born}-04-12",
                  "phone": "+15550109900", "email": f"{first.lower()}.reyes@bench.example"},
            by=desk, confirm_new=True,
        )  # fmt: skip
        scan = upload(by=therapist, patient=patient, kind="prescription")
        valid = {"valid_until": timezone.localdate() + timedelta(days=60)}
        referral = transcribe_prescription(
            by=therapist, document=scan, physician=physician, data=REFERRAL | valid
        )
        referral = sign_referral(referral=referral, by=therapist)
        data = PLAN | {"start_date": timezone.localdate()}
        plan = create_plan(therapist=therapist, referral=referral, data=data)
        plans.append(propose_plan(plan=plan, by=therapist))
    waiting = signature_links.request_signature(plan=plans[0], by=therapist)
    signed = signature_links.request_signature(plan=plans[1], by=therapist)
    # the physician asks for the code, enters it, types her name and draws her signature
    signature_links.send_code(link=signed)
    code = mailed(r"\b(\d{6})\b", subject=True)
    if not signature_links.verify_code(link=signed, code=code):
        raise RuntimeError("the physician's code was not the one emailed")
    signed.refresh_from_db()
    signature_links.approve(link=signed, typed_name="Ada Okafor, MD", signature=a_signature())
    data = {"recommendation": "continue", "summary": "Two visits in: pain 6 to 4 of 10."}
    report = write_progress_report(plan=plans[1], by=therapist, data=data)
    report = sign_progress_report(report=report, by=therapist)
    report = send_progress_report(report=report, by=therapist)
    return {"physician": physician, "physician_link": waiting, "sent_report": report}
