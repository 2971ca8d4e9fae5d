"""API.md, Billing, through the HTTP interface: catalog, coverage and
authorizations, services on session notes, charges made by signing, claims
and their 837P, payments and the ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Charge, ChargeStatus, Payer
from clinic.models import AuditEvent

from .conftest import cover, started_visit
from .x12_check import x12_errors

pytestmark = pytest.mark.django_db
V = "/api/v1/"


def today(days=0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def with_address(patient):
    patient.address_line, patient.city, patient.state, patient.postal_code = (
        "1 Main Street", "Springfield", "IL", "62701",
    )  # fmt: skip
    patient.sex = "female"
    patient.save()
    return patient


def signed_note(api, therapist, plan, services):
    """Theo writes and signs a note of `services` through the API."""
    client = api.as_(therapist)
    made = client.post(V + "session-notes/", {
        "appointment": str(started_visit(plan).pk), "pain_before": 6, "pain_after": 3,
        "response": "improved", "services": services,
    })  # fmt: skip
    assert made.status_code == 201, made.json()
    signed = client.post(V + f"session-notes/{made.json()['id']}/sign/")
    assert signed.status_code == 200, signed.json()
    return signed.json()


NECK_AND_BACK = [
    {"code": "97140", "minutes": 33, "region": "neck", "side": "left"},
    {"code": "97124", "minutes": 7, "region": "upper_back", "side": "left"},
]


# --- catalog ---------------------------------------------------------------------------------


def test_service_codes_are_seeded_and_timed(api, therapist):
    answer = api.as_(therapist).get(V + "service-codes/")
    codes = {row["code"]: row for row in answer.json()["results"]}
    assert {"97124", "97140", "97112", "97110", "97530"} <= set(codes)
    assert codes["97140"]["timed"] is True


def test_modalities_show_their_default_service_code(api, front_desk):
    answer = api.as_(front_desk).get(V + "modalities/")
    codes = {row["code"]: row["service_code"] for row in answer.json()["results"]}
    assert codes["trigger_point"] == codes["myofascial_release"] == "97140"
    assert codes["positional_release"] == codes["neuromuscular"] == "97140"
    assert codes["rehab_stretching"] == "97110"
    assert codes["muscle_testing"] is None


def test_the_manager_writes_payers_with_fees_as_decimal_strings(api, manager, front_desk):
    body = {"name": "Blue Lake", "kind": "commercial", "payer_id": "BLUE7", "unit_rule": "cms",
            "requires_authorization": True, "line_modifiers": ["GP"],
            "fees": [{"code": "97140", "per_unit": "42.00"}]}  # fmt: skip
    assert api.as_(front_desk).post(V + "payers/", body).status_code == 403
    made = api.as_(manager).post(V + "payers/", body)
    assert made.status_code == 201, made.json()
    assert made.json()["fees"] == [{"code": "97140", "per_unit": "42.00"}]
    bad = api.as_(manager).post(
        V + "payers/", body | {"fees": [{"code": "00000", "per_unit": "1"}]}
    )
    assert bad.status_code == 400 and "fees" in bad.json()


# --- coverage and authorizations -------------------------------------------------------------


def test_an_auto_coverage_needs_the_claim_number_and_the_date_of_injury(
    api, front_desk, patient, auto_insurer
):
    body = {"patient": str(patient.pk), "payer": str(auto_insurer.pk), "priority": "primary",
            "valid_from": today(-30)}  # fmt: skip
    refused = api.as_(front_desk).post(V + "coverages/", body)
    assert refused.status_code == 400
    assert {"claim_number", "date_of_injury"} <= set(refused.json())
    made = api.as_(front_desk).post(V + "coverages/", body | {
        "claim_number": "PIP-77", "date_of_injury": today(-40), "adjuster_name": "Ann Adams",
        "adjuster_phone": "555-0101",
    })  # fmt: skip
    assert made.status_code == 201, made.json()
    assert made.json()["claim_number"] == "PIP-77"


def test_the_biller_reads_coverages_but_does_not_write_them(api, biller, patient, commercial):
    body = {"patient": str(patient.pk), "payer": str(commercial.pk), "priority": "primary",
            "member_id": "M1", "valid_from": today(-1)}  # fmt: skip
    assert api.as_(biller).post(V + "coverages/", body).status_code == 403
    cover(patient, commercial)
    assert api.as_(biller).get(V + f"coverages/?patient={patient.pk}").json()["count"] == 1


def test_an_authorization_reads_its_visits_and_units_used(
    api, front_desk, therapist, plan, workers_comp
):
    coverage = cover(plan.patient, workers_comp)
    made = api.as_(front_desk).post(V + "authorizations/", {
        "coverage": str(coverage.pk), "number": "WC-1", "codes": ["97140"], "visits": 6,
        "units": 10, "valid_from": today(-5), "valid_until": today(30),
    })  # fmt: skip
    assert made.status_code == 201, made.json()
    signed_note(api, therapist, plan, [{"code": "97140", "minutes": 38, "region": "neck",
                                        "side": "left"}])  # fmt: skip
    answer = api.as_(front_desk).get(V + f"authorizations/{made.json()['id']}/").json()
    assert (answer["visits_used"], answer["units_used"]) == (1, 3)


# --- notes, charges ------------------------------------------------------------------------


def test_a_signed_note_is_charged_with_units_modifiers_and_pointers(
    api, therapist, plan, medicare, biller
):
    cover(plan.patient, medicare)
    note = signed_note(api, therapist, plan, NECK_AND_BACK)
    assert [s["code"] for s in note["services"]] == ["97140", "97124"]
    answer = api.as_(biller).get(V + f"charges/?note={note['id']}").json()
    (charge,) = answer["results"]
    assert charge["status"] == "open" and charge["payer"] == str(medicare.pk)
    assert charge["lines"] == [
        {"code": "97140", "modifiers": ["XS", "GP"], "minutes": 33, "units": 2,
         "diagnosis_pointers": ["A"], "amount": "85.00"},
        {"code": "97124", "modifiers": ["GP"], "minutes": 7, "units": 1,
         "diagnosis_pointers": ["A"], "amount": "38.00"},
    ]  # fmt: skip
    assert charge["total"] == "123.00"
    assert charge["diagnoses"] == [{"code": "M54.2", "description": "Cervicalgia"}]


def test_a_draft_note_has_no_charge_and_its_services_are_frozen_once_signed(
    api, therapist, plan, coverage
):
    client = api.as_(therapist)
    made = client.post(V + "session-notes/", {
        "appointment": str(started_visit(plan).pk), "pain_before": 5, "pain_after": 2,
        "response": "improved", "areas": [
            {"region": "neck", "side": "left", "minutes": 20, "modalities": ["trigger_point"]}],
    }).json()  # fmt: skip
    assert made["services"] == [{"code": "97140", "minutes": 20, "region": "neck", "side": "left"}]
    assert (
        client.patch(V + f"session-notes/{made['id']}/", {"services": NECK_AND_BACK}).status_code
        == 200
    )  # noqa: E501
    assert not Charge.objects.exists()
    client.post(V + f"session-notes/{made['id']}/sign/")
    frozen = client.patch(V + f"session-notes/{made['id']}/", {"services": []})
    assert frozen.status_code == 409 and frozen.json()["code"] == "locked"


def test_signing_a_distinct_pair_on_one_region_is_a_400_naming_services(
    api, therapist, plan, coverage
):
    client = api.as_(therapist)
    made = client.post(V + "session-notes/", {
        "appointment": str(started_visit(plan).pk), "pain_before": 5, "pain_after": 2,
        "response": "improved", "services": [
            {"code": "97140", "minutes": 20, "region": "neck", "side": "left"},
            {"code": "97124", "minutes": 20, "region": "neck", "side": "left"}],
    }).json()  # fmt: skip
    refused = client.post(V + f"session-notes/{made['id']}/sign/")
    assert refused.status_code == 400 and "services" in refused.json()
    assert client.get(V + f"session-notes/{made['id']}/").json()["signed_at"] is None


def test_voiding_needs_a_reason_and_the_front_desk_voids_only_fees(
    api, therapist, plan, coverage, biller, front_desk
):
    signed_note(api, therapist, plan, NECK_AND_BACK)
    charge = Charge.objects.get()
    url = V + f"charges/{charge.pk}/void/"
    assert api.as_(front_desk).post(url, {"reason": "wrong"}).status_code == 403
    assert api.as_(biller).post(url, {}).json() == {"reason": ["Say why the charge is voided."]}
    voided = api.as_(biller).post(url, {"reason": "Duplicate visit"})
    assert voided.json()["status"] == "void"
    assert AuditEvent.objects.filter(action="charge.void", detail="Duplicate visit").exists()


def test_the_front_desk_reads_charges_without_diagnosis_codes(
    api, therapist, plan, coverage, front_desk
):
    signed_note(api, therapist, plan, NECK_AND_BACK)
    answer = api.as_(front_desk).get(V + "charges/")
    assert "diagnoses" not in answer.json()["results"][0]
    assert "M54.2" not in answer.content.decode()


# --- claims ---------------------------------------------------------------------------------


def test_a_claim_moves_with_its_charges_from_draft_to_paid(api, therapist, plan, coverage, biller):
    with_address(plan.patient)
    signed_note(api, therapist, plan, NECK_AND_BACK)
    charge = Charge.objects.get()
    client = api.as_(biller)
    made = client.post(V + "claims/", {"charges": [str(charge.pk)]})
    assert made.status_code == 201, made.json()
    claim = made.json()
    assert {k: claim[k] for k in ("payer", "coverage", "status", "charges", "total")} == {
        "payer": str(coverage.payer_id), "coverage": str(coverage.pk), "status": "draft",
        "charges": [str(charge.pk)], "total": "85.00",
    }  # fmt: skip
    again = client.post(V + "claims/", {"charges": [str(charge.pk)]})
    assert again.status_code == 400 and "charges" in again.json()
    x12 = client.get(V + f"claims/{claim['id']}/x12/")
    assert x12["Content-Type"].startswith("text/plain")
    assert x12_errors(x12.content.decode()) == []
    assert client.post(V + f"claims/{claim['id']}/submit/").json()["status"] == "submitted"
    assert Charge.objects.get().status == ChargeStatus.CLAIMED
    paid = client.post(V + f"claims/{claim['id']}/paid/", {"amount": "70.00", "reference": "EFT9"})
    assert paid.json()["status"] == "paid"
    assert Charge.objects.get().status == ChargeStatus.PAID
    ledger = api.as_(biller).get(V + f"patients/{plan.patient_id}/ledger/").json()
    assert ledger["balance"] == "15.00"


def test_a_denied_claim_opens_its_charges_again(api, therapist, plan, coverage, biller):
    with_address(plan.patient)
    signed_note(api, therapist, plan, NECK_AND_BACK)
    client = api.as_(biller)
    claim = client.post(V + "claims/", {"charges": [str(Charge.objects.get().pk)]}).json()
    assert client.post(V + f"claims/{claim['id']}/deny/").status_code == 409  # not submitted
    client.post(V + f"claims/{claim['id']}/submit/")
    denied = client.post(V + f"claims/{claim['id']}/deny/", {"reason": "CO-197 no auth"})
    assert denied.json()["status"] == "denied"
    assert Charge.objects.get().status == ChargeStatus.OPEN
    assert (
        client.post(V + "claims/", {"charges": [str(Charge.objects.get().pk)]}).status_code == 201
    )


def test_self_pay_charges_are_not_claimed(api, therapist, plan, biller):
    signed_note(api, therapist, plan, NECK_AND_BACK)
    refused = api.as_(biller).post(V + "claims/", {"charges": [str(Charge.objects.get().pk)]})
    assert refused.status_code == 400 and "charges" in refused.json()


# --- payments and the ledger -------------------------------------------------------------


def test_the_front_desk_takes_a_payment_and_sees_the_balance(api, therapist, plan, front_desk):
    signed_note(api, therapist, plan, NECK_AND_BACK)  # self-pay
    charge = Charge.objects.get()
    client = api.as_(front_desk)
    paid = client.post(V + "payments/", {"patient": str(plan.patient_id), "amount": "20.00",
                                         "method": "card", "reference": "visa 4242"})  # fmt: skip
    assert paid.status_code == 201, paid.json()
    ledger = client.get(V + f"patients/{plan.patient_id}/ledger/").json()
    assert ledger["balance"] == str(charge.total - 20)
    assert [c["id"] for c in ledger["charges"]] == [str(charge.pk)]
    assert "diagnoses" not in ledger["charges"][0]


def test_a_payment_must_be_a_positive_amount_in_cents(api, front_desk, patient):
    client = api.as_(front_desk)
    for amount in ("0", "-5.00", "1.005"):
        refused = client.post(V + "payments/", {"patient": str(patient.pk), "amount": amount,
                                                "method": "cash"})  # fmt: skip
        assert refused.status_code == 400 and "amount" in refused.json(), amount


def test_reads_of_billing_records_are_audited(api, therapist, plan, coverage, biller):
    signed_note(api, therapist, plan, NECK_AND_BACK)
    api.as_(biller).get(V + "charges/")
    api.as_(biller).get(V + f"patients/{plan.patient_id}/ledger/")
    actions = set(AuditEvent.objects.filter(actor=biller).values_list("action", flat=True))
    assert {"charge.read", "ledger.read"} <= actions


def test_the_catalog_seeds_a_self_pay_payer():
    assert Payer.objects.self_pay() is not None
