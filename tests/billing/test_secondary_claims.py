"""Secondary claims: once the primary payer has answered (paid or denied), the
same charges are claimed from the patient's secondary coverage; its 837P names
the primary payer, what it paid and each line's adjudication, and pyx12's
validator accepts it. Charges the primary paid stay paid."""

from decimal import Decimal

import pytest
from django.utils import timezone

from billing import claims, x12
from billing.models import ChargeStatus, ClaimStatus

from .conftest import cover
from .test_x12 import claim_for
from .x12_check import x12_errors

pytestmark = pytest.mark.django_db
V = "/api/v1/"


@pytest.fixture
def answered(commercial, medicare, therapist_with_npi, plan, patient_with_address, biller):
    """Pat's claim to Acme Health (primary), paid 100.00; Medicare is secondary."""
    cover(patient_with_address, commercial)
    cover(patient_with_address, medicare, priority="secondary", member_id="1EG4TE5MK73")
    claim = claim_for(therapist_with_npi, plan, biller, visits=2)
    claims.submit_claim(claim=claim, by=biller)
    return claims.mark_claim_paid(claim=claim, by=biller, amount=Decimal("100.00"))


def test_the_biller_claims_the_rest_from_the_secondary_coverage(api, biller, answered, medicare):
    # when the biller asks for the secondary claim of the paid primary claim
    made = api.as_(biller).post(f"{V}claims/{answered.pk}/secondary/")
    # then it is a draft to Medicare, of the same charges, pointing at the primary
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["payer"] == str(medicare.pk) and body["status"] == "draft"
    assert body["primary_claim"] == str(answered.pk)
    assert sorted(body["charges"]) == sorted(str(c.pk) for c in answered.charges.all())


def test_the_secondary_837p_carries_the_primary_answer_and_passes_pyx12(biller, answered):
    claim = claims.create_secondary_claim(primary=answered, by=biller)
    text = x12.claim_837p(claim)
    assert x12_errors(text) == []
    assert "SBR*S*18*******MB~" in text  # Medicare, second to pay
    assert "SBR*P*18*******CI~AMT*D*100~OI***Y***Y~" in text  # Acme paid 100.00
    assert "NM1*PR*2*ACME HEALTH*****PI*ACME1~" in text
    assert text.count("~SVD*ACME1*") == text.count("~LX*")
    lines_paid = sum(Decimal(s.split("*")[2]) for s in text.split("~") if s.startswith("SVD*"))
    assert lines_paid == Decimal("100.00")


def test_a_denied_primary_passes_its_denial_to_the_secondary(
    biller,
    commercial,
    medicare,
    therapist_with_npi,
    plan,
    patient_with_address,
):
    cover(patient_with_address, commercial)
    cover(patient_with_address, medicare, priority="secondary")
    primary = claim_for(therapist_with_npi, plan, biller)
    claims.submit_claim(claim=primary, by=biller)
    claims.deny_claim(claim=primary, by=biller, reason="Not covered")
    text = x12.claim_837p(claims.create_secondary_claim(primary=primary, by=biller))
    assert x12_errors(text) == []
    assert "AMT*D*0~" in text and "~CAS*CO*96*" in text


def test_the_secondary_claim_leaves_the_charges_the_primary_paid_as_paid(biller, answered):
    claim = claims.create_secondary_claim(primary=answered, by=biller)
    claims.submit_claim(claim=claim, by=biller)
    claims.mark_claim_paid(claim=claim, by=biller, amount=Decimal("20.00"))
    assert {c.status for c in answered.charges.all()} == {ChargeStatus.PAID}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID


def test_an_unanswered_claim_has_no_secondary_yet(api, biller, answered):
    # given a claim the payer has not answered yet
    answered.status = ClaimStatus.SUBMITTED
    answered.save()
    refused = api.as_(biller).post(f"{V}claims/{answered.pk}/secondary/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"


def test_one_live_secondary_claim_per_primary(api, biller, answered):
    client = api.as_(biller)
    assert client.post(f"{V}claims/{answered.pk}/secondary/").status_code == 201
    again = client.post(f"{V}claims/{answered.pk}/secondary/")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_without_a_secondary_coverage_it_is_a_400_naming_coverage(
    api,
    biller,
    commercial,
    therapist_with_npi,
    plan,
    patient_with_address,
):
    cover(patient_with_address, commercial)
    primary = claim_for(therapist_with_npi, plan, biller)
    claims.submit_claim(claim=primary, by=biller)
    claims.mark_claim_paid(claim=primary, by=biller, amount=Decimal("10.00"))
    refused = api.as_(biller).post(f"{V}claims/{primary.pk}/secondary/")
    assert refused.status_code == 400 and list(refused.json()) == ["coverage"]


@pytest.mark.parametrize("role", ["front_desk", "manager", "therapist"])
def test_only_the_biller_makes_a_secondary_claim(request, api, answered, role):
    refused = api.as_(request.getfixturevalue(role)).post(f"{V}claims/{answered.pk}/secondary/")
    assert refused.status_code == 403


def test_the_claim_page_offers_the_secondary_claim_and_makes_it(client, biller, answered):
    client.force_login(biller)
    page = client.get(f"/billing/claims/{answered.pk}/").content.decode()
    assert "Make the secondary claim" in page
    made = client.post(f"/billing/claims/{answered.pk}/secondary/")
    assert made.status_code == 302
    secondary = answered.secondary_claims.get()
    assert made["Location"] == f"/billing/claims/{secondary.pk}/"
    assert f"Claim {answered.number}" in client.get(made["Location"]).content.decode()
    assert secondary.created_at <= timezone.now()
