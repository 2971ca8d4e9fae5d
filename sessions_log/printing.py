"""A progress report as PDF (API.md, Outside physicians and documents;
clinic/printing.py), from the same article as its page; signed, it prints once
and is reprinted as kept."""

from clinic.printing import render_pdf, signed_copy

from .models import ProgressReport
from .report_pages import pain_lines


def progress_report_pdf(report: ProgressReport) -> bytes:
    def render():
        snapshot = report.snapshot
        return render_pdf(
            "pdf/progress_report.html",
            {
                "report": report,
                "s": snapshot,
                "chart": pain_lines(snapshot.get("progress", {}).get("sessions", [])),
                "patient": report.plan.patient,
            },
        )

    if report.signed_at is None:
        return render()
    # kept as signed, and again once the doctor answered (the answer is printed)
    kind = "progress_report:acknowledged" if report.acknowledged_at else "progress_report"
    return signed_copy(report, kind, render)
