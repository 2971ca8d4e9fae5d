"""The superbill of a charge and a CMS-1500-style summary of a claim, as PDFs
rendered by WeasyPrint from templates (templates/billing/pdf/). WeasyPrint needs
the system's Pango; billing.apps checks it at start-up."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.printing import html_to_pdf

from .claims import claim_diagnoses
from .models import Charge, ChargeLine, Claim
from .rules import POINTER_LETTERS


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, {"clinic": clinic(), **context}))


def clinic() -> dict:
    return {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "city": settings.CLINIC_CITY,
        "state": settings.CLINIC_STATE,
        "postal_code": settings.CLINIC_POSTAL_CODE,
        "phone": settings.CLINIC_PHONE,
        "npi": settings.CLINIC_NPI,
        "tax_id": settings.CLINIC_TAX_ID,
    }


def lettered(diagnoses: list[dict]) -> list[dict]:
    return [{**d, "letter": POINTER_LETTERS[i]} for i, d in enumerate(diagnoses)]


def superbill_pdf(charge: Charge) -> bytes:
    """Clinic name, address, NPI and tax id; the rendering therapist's NPI; the
    patient; the date; each diagnosis with its letter; each line; the total."""
    return render_pdf(
        "billing/pdf/superbill.html",
        {
            "charge": charge,
            "patient": charge.patient,
            "therapist": charge.therapist,
            "diagnoses": lettered(charge.diagnoses),
            "lines": charge.lines.select_related("service_code").order_by("position"),
            "printed_at": timezone.localtime(),
        },
    )


def claim_summary_pdf(claim: Claim) -> bytes:
    charges = list(claim.charges.select_related("patient", "therapist").order_by("service_date"))
    diagnoses = claim_diagnoses(charges)
    letters = {d["code"]: POINTER_LETTERS[i] for i, d in enumerate(diagnoses)}
    rows = []
    lines = ChargeLine.objects.filter(charge__in=charges).select_related("charge", "service_code")
    for line in lines.order_by("charge__service_date", "charge__created_at", "position"):
        codes = [line.charge.diagnoses[POINTER_LETTERS.index(p)]["code"]
                 for p in line.diagnosis_pointers]  # fmt: skip
        rows.append({"line": line, "pointers": "".join(letters[c] for c in codes)})
    return render_pdf(
        "billing/pdf/claim_summary.html",
        {
            "claim": claim,
            "coverage": claim.coverage,
            "patient": claim.coverage.patient,
            "therapist": charges[0].therapist if charges else None,
            "diagnoses": lettered(diagnoses),
            "rows": rows,
            "printed_at": timezone.localtime(),
        },
    )
