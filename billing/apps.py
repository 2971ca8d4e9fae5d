import ctypes.util
import logging

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
    are opened, not WeasyPrint itself: importing it cost every process 3.8 s
    and 39 MB at start-up (fontTools, its CSS), paid again by each gunicorn
    worker and test process though most never make a PDF."""
    for name in PDF_LIBRARIES:
        found = ctypes.util.find_library(name)
        try:
            if not found:
                raise OSError(f"lib{name} not found")
            ctypes.CDLL(found)
        except OSError as error:
            raise ImproperlyConfigured(
                "WeasyPrint cannot load its system libraries (Pango, HarfBuzz, fontconfig): "
                "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core "
                f"({error.__class__.__name__}: {str(error).splitlines()[0][:120]})"
            ) from None
