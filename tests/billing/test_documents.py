"""The superbill of a charge and the CMS-1500-style summary of a claim are PDFs
(WeasyPrint, from templates) whose text says what API.md lists."""

from io import BytesIO

import pytest
from django.test import override_settings
from pypdf import PdfReader

from billing.models import Charge

from .conftest import cover
from .test_api import NECK_AND_BACK, V, signed_note, with_address

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@override_settings(CLINIC_NAME="Riverside Medical Massage", CLINIC_NPI="1234567893",
                   CLINIC_TAX_ID="987654321")  # fmt: skip
def test_the_superbill_names_clinic_therapist_patient_diagnoses_lines_and_total(
    api, therapist, plan, medicare, biller
):
    therapist.npi = "1245319599"
    therapist.save()
    cover(plan.patient, medicare)
    signed_note(api, therapist, plan, NECK_AND_BACK)
    charge = Charge.objects.get()
    text = pdf_text(api.as_(biller).get(V + f"charges/{charge.pk}/superbill/"))
    for expected in (
        "Riverside Medical Massage", "12 Harbor Street", "1234567893", "987654321",
        "1245319599", "Pat Parker", charge.service_date.isoformat(),
        "A M54.2 Cervicalgia", "97140", "XS GP", "85.00", "97124", "38.00", "Total 123.00",
    ):  # fmt: skip
        assert expected in text, expected


def test_the_front_desk_gets_no_superbill_it_names_diagnoses(api, therapist, plan, front_desk):
    signed_note(api, therapist, plan, NECK_AND_BACK)
    charge = Charge.objects.get()
    assert api.as_(front_desk).get(V + f"charges/{charge.pk}/superbill/").status_code == 403


def test_the_claim_summary_reads_like_a_cms_1500(api, therapist, plan, auto_insurer, biller):
    with_address(plan.patient)
    cover(plan.patient, auto_insurer, claim_number="PIP-55")
    signed_note(api, therapist, plan, NECK_AND_BACK)
    claim = api.as_(biller).post(V + "claims/", {"charges": [str(Charge.objects.get().pk)]})
    text = pdf_text(api.as_(biller).get(V + f"claims/{claim.json()['id']}/pdf/"))
    for expected in ("Harbor Auto", "PIP-55", "Parker, Pat", "M54.2", "97140", "85.00",
                     "10b Auto accident Yes", "28 Total charge 85.00"):  # fmt: skip
        assert expected in text, expected
