"""The day sheet's page and its PDF (scheduling.day_sheet does the choosing):
`?date=&therapist=` or `?date=&room=`, and `&format=pdf` for the PDF."""

from django.shortcuts import render

from clinic.access import allowed
from clinic.printing import pdf_response, render_pdf

from .access import APPOINTMENT
from .calendar_pages import _day
from .day_sheet import day_sheet


@allowed(APPOINTMENT, "sheet")
def sheet(request):
    asked = request.GET
    found = day_sheet(
        request.user,
        _day(asked.get("date")),
        therapist_id=asked.get("therapist") or None,
        room_id=asked.get("room") or None,
    )
    context = {"sheet": found, "by_room": found.room is not None}
    if asked.get("format") == "pdf":
        pdf = render_pdf("scheduling/day_sheet_pdf.html", context)
        name = f"day-sheet-{found.day.isoformat()}.pdf"
        return pdf_response(pdf, name)
    return render(request, "scheduling/day_sheet.html", context)
