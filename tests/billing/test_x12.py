"""Every kind of claim we export is an 837P (005010X222A1) that pyx12's
validator accepts with no error: commercial, Medicare, auto (with the claim
number and the accident date) and workers' comp, also when the patient is not
the subscriber; and the validator does find errors in a broken one."""

from datetime import date

import pytest

from billing import charging, claims, x12
from billing.models import ChargeLine
from billing.note_services import log_session_with_services

from .conftest import cover, note_data, started_visit
from .x12_check import x12_errors

pytestmark = pytest.mark.django_db

SERVICES = [
    {"code": "97140", "minutes": 33, "region": "neck", "side": "left"},
    {"code": "97124", "minutes": 7, "region": "upper_back", "side": "left"},
    {"code": "97110", "minutes": 16, "region": "upper_back", "side": "left"},
]


def claim_for(therapist, plan, biller, *, visits=1):
    charges = []
    for hours_ago in range(1, visits + 1):
        note = log_session_with_services(
            therapist=therapist,
            appointment=started_visit(plan, hours_ago=hours_ago * 2),
            data=note_data(services=SERVICES),
        )
        charging.sign_note_and_charge(note=note, by=therapist)
        charges += list(note.charges.all())
    return claims.create_claim(charges=charges, by=biller)


@pytest.mark.parametrize("payer", ["commercial", "medicare", "auto_insurer", "workers_comp"])
def test_every_kind_of_claim_passes_the_x12_validator(
    request, payer, therapist_with_npi, plan, patient_with_address, biller
):
    # given Pat covered by the payer, and two signed visits
    cover(patient_with_address, request.getfixturevalue(payer))
    claim = claim_for(therapist_with_npi, plan, biller, visits=2)
    # when the claim is exported
    text = x12.claim_837p(claim)
    # then pyx12 finds no error in it
    assert x12_errors(text) == []
    assert "ST*837*0001*005010X222A1~" in text
    assert text.count("~LX*") == ChargeLine.objects.filter(charge__claims=claim).count() >= 4


def test_an_auto_claim_carries_the_claim_number_the_cause_and_the_accident_date(
    auto_insurer, therapist_with_npi, plan, patient_with_address, biller
):
    cover(patient_with_address, auto_insurer, claim_number="PIP-2026-77",
          date_of_injury=date(2026, 1, 15))  # fmt: skip
    text = x12.claim_837p(claim_for(therapist_with_npi, plan, biller))
    assert "REF*Y4*PIP-2026-77~" in text
    assert "DTP*439*D8*20260115~" in text
    assert "*Y*A*Y*Y**AA:::IL~" in text  # CLM11: auto accident, in Illinois
    assert "SBR*P*18*******AM~" in text


def test_a_workers_comp_claim_for_a_patient_who_is_not_the_subscriber(
    workers_comp, therapist_with_npi, plan, patient_with_address, biller
):
    cover(patient_with_address, workers_comp, relationship="other",
          subscriber_name="Harbor Freight Lines", member_id="")  # fmt: skip
    text = x12.claim_837p(claim_for(therapist_with_npi, plan, biller))
    assert x12_errors(text) == []
    assert "HL*3*2*23*0~PAT*G8~" in text
    assert "NM1*QC*1*" in text and "REF*Y4*CLM-2026-0042~" in text
    assert "*Y*A*Y*Y**EM~" in text and "SBR*P********WC~" in text


def test_medicare_lines_carry_gp_and_xs_and_point_at_the_diagnoses(
    medicare, therapist_with_npi, plan, patient_with_address, biller
):
    cover(patient_with_address, medicare)
    text = x12.claim_837p(claim_for(therapist_with_npi, plan, biller))
    # 56 minutes, four units: 97140 x2 (XS: 97124 on another region), 97124 x1, 97110 x1
    assert "SV1*HC:97140:XS:GP*85*UN*2***1~" in text
    assert "SV1*HC:97124:GP*38*UN*1***1~" in text
    assert "SV1*HC:97110:GP*40*UN*1***1~" in text
    assert "HI*ABK:M542~" in text


def test_the_validator_finds_the_errors_of_a_broken_claim(
    commercial, therapist_with_npi, plan, patient_with_address, biller
):
    # the positive control: without it, "no errors" could mean "not looked"
    cover(patient_with_address, commercial)
    text = x12.claim_837p(claim_for(therapist_with_npi, plan, biller))
    broken = text.replace("~HI*ABK:M542~", "~").replace("SV1*HC:97140", "SV1*XX:97140")
    assert x12_errors(broken) != []
