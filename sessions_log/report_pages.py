"""The progress report's pages: the therapist writes, signs and sends it; the
doctor reads the printable one-page summary and answers continue, change or end.
Thin views over sessions_log.reports."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic.access import allowed
from clinic.audit import record
from clinic.errors import DomainConflict, Invalid, NotAllowed
from clinic.forms import show_service_error
from clinic.vocabulary import Role
from referrals.models import TreatmentPlan

from . import reports
from .access import REPORT, access_report
from .models import Decision, ProgressReport, Recommendation, ReportStatus
from .progress import plan_progress

SERVICE_ERRORS = (Invalid, DomainConflict, NotAllowed)
CHART_WIDTH, CHART_HEIGHT = 560, 120


class ReportForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Pain and function since the start, what helped, what did not.",
    )
    recommendation = forms.ChoiceField(choices=Recommendation.choices, widget=forms.RadioSelect)
    recommendation_note = forms.CharField(
        required=False, label="Why", widget=forms.Textarea(attrs={"rows": 2})
    )


class AcknowledgeForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    certify_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.PLAN_CERTIFICATION_MAX_DAYS,
        label="Recertify for (days)",
        help_text=f"Continue only; at most {settings.PLAN_CERTIFICATION_MAX_DAYS} days.",
    )
    note = forms.CharField(
        required=False, label="What should change", widget=forms.Textarea(attrs={"rows": 2})
    )
    discharge_summary = forms.CharField(
        required=False, label="Discharge summary", widget=forms.Textarea(attrs={"rows": 3})
    )


def pain_lines(sessions: list[dict]) -> dict:
    """SVG polyline points of pain before and after, 0 at the bottom, 10 at the top."""
    if len(sessions) < 2:
        return {}
    step = CHART_WIDTH / (len(sessions) - 1)

    def points(key):
        return " ".join(
            f"{i * step:.1f},{CHART_HEIGHT - s[key] * CHART_HEIGHT / 10:.1f}"
            for i, s in enumerate(sessions)
        )

    return {
        "before": points("pain_before"),
        "after": points("pain_after"),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


@allowed(REPORT, "create")
def report_new(request, plan_id):
    plan = get_object_or_404(TreatmentPlan.objects.visible_to(request.user), pk=plan_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.write_progress_report(
                plan=plan, by=request.user, data=form.cleaned_data
            )
        except SERVICE_ERRORS as error:
            show_service_error(request, error, form)
        else:
            messages.success(request, "Report saved as a draft: read it, then sign and send it.")
            return redirect("progress_report", report.pk)
    context = {"plan": plan, "form": form, "progress": plan_progress(plan)}
    status = 400 if form.errors else 200
    return render(request, "sessions_log/progress_report_form.html", context, status=status)


@allowed(REPORT, "read")
def report_list(request):
    """The doctor's reports to answer; the therapist's reports not yet answered."""
    waiting = [ReportStatus.SIGNED, ReportStatus.SENT]
    if request.user.role == Role.THERAPIST:
        waiting = [ReportStatus.DRAFT, *waiting]
    rows = (
        ProgressReport.objects.visible_to(request.user)
        .filter(status__in=waiting)
        .select_related("plan__patient", "author")
        .order_by("created_at")
    )
    return render(request, "sessions_log/progress_report_list.html", {"reports": rows})


@allowed(REPORT, "read")
def report_detail(request, report_id):
    report = access_report(request.user, report_id, glass=True)
    record(actor=request.user, action="report.read", target=report, patient=report.plan.patient)
    user = request.user
    is_author = report.author_id == user.pk
    is_doctor = report.plan.referral.doctor_id == user.pk
    context = {
        "report": report,
        "s": report.snapshot,
        "chart": pain_lines(report.snapshot.get("progress", {}).get("sessions", [])),
        "can_sign": is_author and report.status == ReportStatus.DRAFT,
        "can_send": is_author and report.status == ReportStatus.SIGNED,
        "can_acknowledge": is_doctor and report.status in (ReportStatus.SIGNED, ReportStatus.SENT),
        "acknowledge_form": AcknowledgeForm(),
    }
    return render(request, "sessions_log/progress_report.html", context)


def _step(request, report_id, service, done: str, verb: str):
    report = access_report(request.user, report_id, verb)
    try:
        service(report=report, by=request.user)
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    else:
        messages.success(request, done)
    return redirect("progress_report", report.pk)


@require_POST
@allowed(REPORT, "sign")
def report_sign(request, report_id):
    return _step(request, report_id, reports.sign_progress_report, "Report signed.", "sign")


@require_POST
@allowed(REPORT, "send")
def report_send(request, report_id):
    sent = "Report sent to the doctor."
    return _step(request, report_id, reports.send_progress_report, sent, "send")


@require_POST
@allowed(REPORT, "acknowledge")
def report_acknowledge(request, report_id):
    report = access_report(request.user, report_id, "acknowledge")
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        for field, problems in form.errors.items():
            messages.error(request, f"{field.replace('_', ' ').capitalize()}: {problems[0]}")
        return redirect("progress_report", report.pk)
    try:
        reports.acknowledge_progress_report(report=report, by=request.user, **form.cleaned_data)
    except SERVICE_ERRORS as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Answered: {Decision(form.cleaned_data['decision']).label}.")
    return redirect("progress_report", report.pk)
