import ctypes.util
import logging
import subprocess
import sys

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        # WeasyPrint reports each step of a PDF at INFO; only its warnings matter here.
        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.WARNING)
        check_pdf_libraries()
        # authorizations guard the schedule: one of the booking service's rules
        from scheduling import booking

        from .booking import check_authorization, needs_authorization

        if check_authorization not in booking.BOOKING_RULES:
            booking.BOOKING_RULES.append(check_authorization)
        booking.PATIENT_FACTS["needs_authorization"] = needs_authorization()
        # authorizations running low: the doctor's flags and the front desk's worklist
        from scheduling import worklist
        from sessions_log import progress

        from .alerts import has_authorization, plans_running_low

        for sources, facts in (
            (progress.FLAG_SOURCES, progress.PLAN_FACTS),
            (worklist.WARNING_SOURCES, worklist.PLAN_FACTS),
        ):
            if plans_running_low not in sources:
                sources.append(plans_running_low)
            facts["has_authorization"] = has_authorization()


# The system libraries WeasyPrint opens (weasyprint/text/ffi.py), by the names
# ctypes.util.find_library knows them.
PDF_LIBRARIES = ("gobject-2.0", "pango-1.0", "pangoft2-1.0", "harfbuzz", "fontconfig")


def check_pdf_libraries() -> None:
    """Superbills and claim summaries need WeasyPrint and the system's Pango:
    fail at start-up, in one line, rather than at the first PDF. The libraries
    are found here and opened by a throwaway process, as the PDFs themselves are
    drawn (clinic/printing.py): opened here they would stay mapped in every web
    worker (3 MB), and importing WeasyPrint would cost each process 39 MB."""
    found = {name: ctypes.util.find_library(name) for name in PDF_LIBRARIES}
    missing = [name for name, path in found.items() if not path]
    if missing:
        _refuse(f"OSError: lib{missing[0]} not found")
    opened = subprocess.run(
        [sys.executable, "-P", "-c", _OPEN_ALL, *found.values()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if opened.returncode != 0:
        words = (opened.stderr.strip().splitlines() or ["no output"])[-1]
        _refuse(words[:160])


_OPEN_ALL = "import ctypes, sys\nfor path in sys.argv[1:]: ctypes.CDLL(path)"


def _refuse(reason: str):
    raise ImproperlyConfigured(
        "WeasyPrint cannot load its system libraries (Pango, HarfBuzz, fontconfig): "
        "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core "
        f"({reason})"
    )
