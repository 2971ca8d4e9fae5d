"""The outside physician's page for a progress report (API.md, Outside
physicians and documents): the link's steps are the plan of care's
(referrals/link_pages.py: the link, the 6-digit code, this browser's session),
then the physician acknowledges the report with a typed name and a drawn
signature. Built for a phone."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.errors import DomainConflict, Invalid, NotAllowed
from referrals.link_pages import is_verified, link_or_gone
from referrals.models import LinkPurpose

from . import reports
from .models import ProgressReport
from .report_pages import pain_lines

REPORT = LinkPurpose.PROGRESS_REPORT


@never_cache
def physician_report(request, token):
    link, gone = link_or_gone(request, token, REPORT)
    if gone:
        return gone
    report = ProgressReport.objects.select_related("plan__patient").get(physician_link=link)
    context = {
        "link": link,
        "report": report,
        "s": report.snapshot,
        "chart": pain_lines(report.snapshot.get("progress", {}).get("sessions", [])),
        "verified": is_verified(request, link),
        "code_sent": bool(link.code_hash),
        "token": token,
    }
    response = render(request, "sessions_log/physician_report.html", context)
    response["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer
    return response


@require_POST
def physician_report_answer(request, token):
    link, gone = link_or_gone(request, token, REPORT)
    if gone:
        return gone
    if not is_verified(request, link):
        messages.error(request, "Enter the code we emailed you first.")
        return redirect("physician_report", token=token)
    try:
        report = reports.acknowledge_by_outside_physician(
            link=link,
            typed_name=request.POST.get("typed_name", ""),
            signature=request.POST.get("signature", ""),
        )
    except Invalid as error:
        for problems in error.errors.values():
            messages.error(request, problems[0])
        return redirect("physician_report", token=token)
    except (DomainConflict, NotAllowed) as error:
        messages.error(request, str(getattr(error, "detail", error)))
        return redirect("physician_report", token=token)
    return render(request, "sessions_log/physician_report_done.html", {"report": report})
