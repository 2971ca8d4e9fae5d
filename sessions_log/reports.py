"""Progress reports: the therapist writes one when due (every 10 completed visits
and at the plan's last), signs it and sends it to the doctor (an email with a
link); the doctor acknowledges it and answers: continue (the plan is
recertified), change the plan (it returns to the therapist as a draft), or end
therapy (the plan is completed with a discharge summary).

A prescription from a physician outside the clinic: sending the report emails
them a single-use link (referrals/signature_links.py, the plan of care's
machinery), and they acknowledge it on their phone with a typed name and a drawn
signature, which the report keeps (`physician_link`); they answer no decision
(a change of plan goes back to them as a new plan of care to sign).

Lifecycle: draft -> signed -> sent -> acknowledged. The report keeps a snapshot
of the progress as reported, so the printed page never changes afterwards."""

import json

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from clinic.audit import record
from clinic.errors import Invalid, InvalidTransition, Locked, NotAllowed
from clinic.models import User
from clinic.versions import write_if_changed
from referrals import plans, signature_links
from referrals.contraindications import precautions_for_visit
from referrals.models import PhysicianLink, PlanStatus, TreatmentPlan
from scheduling import therapy
from scheduling.models import AppointmentStatus

from . import tasks
from .models import Decision, ProgressReport, Recommendation, ReportStatus, SessionNote
from .progress import plan_progress

REPORT_FIELDS = ("summary", "recommendation", "recommendation_note")


def _json(data) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _notable_notes(plan: TreatmentPlan) -> list[dict]:
    """Worse responses, adverse reactions, and the latest assessment."""
    notes = list(
        SessionNote.objects.filter(plan=plan)
        .select_related("appointment")
        .order_by("appointment__start")
    )
    notable = [n for n in notes if n.response == "worse" or n.adverse_reaction.strip()]
    if notes and notes[-1] not in notable:
        notable.append(notes[-1])
    return [
        {
            "date": timezone.localtime(n.appointment.start).date(),
            "response": n.response,
            "assessment": n.assessment,
            "adverse_reaction": n.adverse_reaction,
        }
        for n in notable
    ]


def snapshot(plan: TreatmentPlan) -> dict:
    """Everything the one-page episode summary shows, as JSON."""
    referral = plan.referral
    progress = plan_progress(plan)
    return _json(
        {
            "patient": {
                "name": plan.patient.full_name,
                "date_of_birth": plan.patient.date_of_birth,
            },
            "doctor": str(referral.prescriber),
            "therapist": str(plan.therapist),
            "diagnoses": [
                {"code": d.code, "description": d.description} for d in referral.diagnoses.all()
            ],
            "areas": [{"region": a.region, "side": a.side} for a in plan.areas.all()],
            "plan": {
                "start_date": plan.start_date,
                "frequency_per_week": plan.frequency_per_week,
                "certified_until": plan.certified_until,
            },
            "referral_valid_until": referral.valid_until,
            "progress": progress,
            "regions": progress["regions"],
            "notable_notes": _notable_notes(plan),
            "precautions": precautions_for_visit(plan.patient),
        }
    )


def _completed_visits(plan: TreatmentPlan) -> int:
    return plan.appointments.filter(status=AppointmentStatus.COMPLETED).count()


def _validate(data: dict, *, partial: bool) -> dict:
    errors = {}
    if ("recommendation" in data or not partial) and data.get(
        "recommendation"
    ) not in Recommendation.values:
        errors["recommendation"] = ["Recommend continue, change or discharge."]
    if ("summary" in data or not partial) and not str(data.get("summary") or "").strip():
        errors["summary"] = ["Summarise the episode for the doctor."]
    return errors


@transaction.atomic
def write_progress_report(*, plan: TreatmentPlan, by: User, data: dict) -> ProgressReport:
    plan = TreatmentPlan.objects.select_related("referral", "patient").get(pk=plan.pk)
    if plan.therapist_id != by.pk:
        raise NotAllowed("Only the plan's therapist writes its progress report.")
    if plan.status != PlanStatus.APPROVED:
        raise Invalid.field("plan", f"The plan is {plan.status}; reports are on approved plans.")
    if errors := _validate(data, partial=False):
        raise Invalid(errors)
    report = ProgressReport.objects.create(
        plan=plan,
        author=by,
        visits_covered=_completed_visits(plan),
        snapshot=snapshot(plan),
        **{f: str(data.get(f) or "").strip() for f in REPORT_FIELDS},
    )
    record(actor=by, action="report.create", target=report, patient=plan.patient)
    return report


def _lock(report: ProgressReport) -> ProgressReport:
    return (
        ProgressReport.objects.select_for_update()
        .select_related("plan__referral", "plan__patient")
        .get(pk=report.pk)
    )


@transaction.atomic
def update_progress_report(*, report: ProgressReport, by: User, data: dict) -> ProgressReport:
    """A draft is the author's to edit; its snapshot is refreshed with it."""
    report = _lock(report)
    if report.author_id != by.pk:
        raise NotAllowed("Only the report's author may edit it.")
    if report.status != ReportStatus.DRAFT:
        raise Locked("This report is signed; it can no longer change.")
    if errors := _validate(data, partial=True):
        raise Invalid(errors)

    def write():
        for field in REPORT_FIELDS:
            if field in data:
                setattr(report, field, str(data[field] or "").strip())
        report.visits_covered = _completed_visits(report.plan)
        report.snapshot = snapshot(report.plan)
        report.version = F("version") + 1
        report.save()

    # the words are the author's; a snapshot refreshed alone is no edit
    def words():
        return {field: getattr(report, field) for field in REPORT_FIELDS}

    if write_if_changed(content=words, write=write):
        record(actor=by, action="report.update", target=report, patient=report.plan.patient)
    report.refresh_from_db()
    return report


def _step(report, *, by, may, allowed_from, to, action, **changes) -> ProgressReport:
    report = _lock(report)
    if not may(report):
        raise NotAllowed("Your role on this report does not allow that.")
    if report.status not in allowed_from:
        raise InvalidTransition(f"A {report.get_status_display().lower()} report cannot be {to}.")
    report.status = to
    for field, value in changes.items():
        setattr(report, field, value)
    report.version = F("version") + 1
    report.save()
    record(actor=by, action=action, target=report, patient=report.plan.patient)
    report.refresh_from_db()
    return report


@transaction.atomic
def sign_progress_report(*, report: ProgressReport, by: User) -> ProgressReport:
    return _step(
        report,
        by=by,
        may=lambda r: r.author_id == by.pk,
        allowed_from=[ReportStatus.DRAFT],
        to=ReportStatus.SIGNED,
        action="report.sign",
        signed_at=timezone.now(),
    )


def report_url(report: ProgressReport) -> str:
    """The printable page the doctor opens from the email."""
    try:
        path = reverse("progress_report", kwargs={"report_id": report.pk})
    except NoReverseMatch:  # the pages are not wired: the API's progress of the plan
        path = reverse("api:treatment-plan-progress", kwargs={"pk": report.plan_id})
    return settings.SITE_URL.rstrip("/") + path


def email_doctor(report_id) -> int:
    """The email with the link to the report (run by the task
    sessions_log.tasks.email_progress_report, after commit)."""
    report = ProgressReport.objects.select_related(
        "plan__referral__doctor", "plan__patient", "author"
    ).get(pk=report_id)
    doctor = report.plan.referral.doctor
    # an outside physician acknowledges by the secure link (API.md), not this email
    if doctor is None or not doctor.email:
        return 0
    patient = report.plan.patient
    subject = f"Progress report for {patient.full_name} after {report.visits_covered} visits"
    body = (
        f"{report.author} sent a progress report for {patient.full_name}.\n"
        f"Recommendation: {report.get_recommendation_display()}.\n\n"
        f"Read it and answer (continue, change the plan, or end therapy):\n"
        f"{report_url(report)}\n"
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [doctor.email])


@transaction.atomic
def send_progress_report(*, report: ProgressReport, by: User) -> ProgressReport:
    report = _step(
        report,
        by=by,
        may=lambda r: r.author_id == by.pk,
        allowed_from=[ReportStatus.SIGNED],
        to=ReportStatus.SENT,
        action="report.send",
        sent_at=timezone.now(),
    )
    plan = report.plan
    if plan.referral.outside_physician_id:
        # no account here: the secure link, as for the plan of care
        link = signature_links.request_acknowledgement(plan=plan, by=by)
        ProgressReport.objects.filter(pk=report.pk).update(physician_link=link)
        report.physician_link = link
        record(actor=by, action="report.acknowledgement_requested", target=report,
               patient=plan.patient, detail=f"to {link.physician} <{link.email}>")  # fmt: skip
    else:
        tasks.email_progress_report.delay_on_commit(str(report.pk))
    return report


@transaction.atomic
def acknowledge_by_outside_physician(
    *, link: PhysicianLink, typed_name: str, signature: str
) -> ProgressReport:
    """The outside physician's acknowledgement through the link: the link is
    answered once (typed name, drawn signature) and the report acknowledged."""
    report = _lock(ProgressReport.objects.get(physician_link=link))
    if report.status != ReportStatus.SENT:
        raise InvalidTransition(f"A {report.get_status_display().lower()} report is not waiting.")
    answered = signature_links.acknowledge(link=link, typed_name=typed_name, signature=signature)
    report.status = ReportStatus.ACKNOWLEDGED
    report.acknowledged_at = answered.used_at
    report.version = F("version") + 1
    report.save(update_fields=["status", "acknowledged_at", "version", "updated_at"])
    who = f"outside physician {link.physician} <{link.email}>"
    record(
        actor=None, action="report.acknowledged_by_physician", target=report,
        patient=report.plan.patient, detail=f"{who}, signed as {answered.typed_name}",
    )  # fmt: skip
    report.refresh_from_db()
    return report


@transaction.atomic
def acknowledge_progress_report(
    *,
    report: ProgressReport,
    by: User,
    decision: str,
    note: str = "",
    certify_days: int | None = None,
    discharge_summary: str = "",
) -> ProgressReport:
    """The referring doctor's answer, applied to the plan in the same transaction."""
    if decision not in Decision.values:
        raise Invalid.field("decision", "Answer continue, change or end.")
    if decision == Decision.CHANGE and not (note or "").strip():
        raise Invalid.field("note", "Say what should change.")
    if decision == Decision.END and not (discharge_summary or "").strip():
        raise Invalid.field("discharge_summary", "Write the discharge summary.")
    report = _step(
        report,
        by=by,
        may=lambda r: r.plan.referral.doctor_id == by.pk,
        allowed_from=[ReportStatus.SIGNED, ReportStatus.SENT],
        to=ReportStatus.ACKNOWLEDGED,
        action=f"report.acknowledge.{decision}",
        acknowledged_at=timezone.now(),
        acknowledged_by=by,
        decision=decision,
        decision_note=(note or discharge_summary or "").strip(),
    )
    if decision == Decision.CONTINUE:
        plans.recertify_plan(plan=report.plan, by=by, days=certify_days)
    elif decision == Decision.CHANGE:
        plans.send_plan_back(plan=report.plan, by=by, comment=note)
    else:
        # the one end of therapy: plan and referral completed, booked visits released
        therapy.end_therapy(plan=report.plan, by=by, discharge_summary=discharge_summary)
    return report
