"""Billing's pages: the front desk records coverage and an authorization and
takes a payment on the patient's billing page; the biller goes from the work
queue to a claim, its 837P and its answer; the therapist sees the services
and units of a draft note before signing."""

import pytest
from django.test import Client

from billing.models import Authorization, Charge, Claim, Coverage, Payment
from billing.note_services import log_session_with_services

from .conftest import cover, note_data, started_visit
from .test_api import NECK_AND_BACK, signed_note, today, with_address

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_front_desk_records_a_workers_comp_coverage_with_its_card(front_desk, patient,
                                                                      workers_comp):  # fmt: skip
    client = client_for(front_desk)
    url = f"/patients/{patient.pk}/billing/"
    assert client.get(url).status_code == 200
    # without the claim number and date of injury: refused, named next to the fields
    body = {"payer": workers_comp.pk, "priority": "primary", "relationship": "self",
            "valid_from": today(-10)}  # fmt: skip
    refused = client.post(url + "coverage/", body)
    assert refused.status_code == 400
    assert "needs the claim number" in refused.content.decode()
    made = client.post(
        url + "coverage/", body | {"claim_number": "WC-9", "date_of_injury": today(-20)}
    )
    assert made.status_code == 302
    coverage = Coverage.objects.get(patient=patient)
    made = client.post(url + "authorization/", {
        "coverage": coverage.pk, "number": "AUTH-1", "visits": 8, "units": 24,
        "valid_from": today(-1), "valid_until": today(60),
    })  # fmt: skip
    assert made.status_code == 302
    assert Authorization.objects.get().number == "AUTH-1"
    page = client.get(url).content.decode()
    assert "AUTH-1: 0 of 8 visits, 0 of 24 units" in page


def test_the_front_desk_sees_the_balance_and_takes_a_payment(api, therapist, plan, front_desk):
    signed_note(api, therapist, plan, NECK_AND_BACK)  # self-pay
    client = client_for(front_desk)
    url = f"/patients/{plan.patient_id}/billing/"
    total = Charge.objects.get().total
    assert str(total) in client.get(url).content.decode()
    assert client.post(url + "payment/", {"amount": "25.00", "method": "cash"}).status_code == 302
    assert Payment.objects.get().amount == 25
    assert str(total - 25) in client.get(url).content.decode()


def test_the_biller_goes_from_the_queue_to_a_submitted_claim(api, therapist, plan, coverage,
                                                             biller):  # fmt: skip
    with_address(plan.patient)
    signed_note(api, therapist, plan, NECK_AND_BACK)
    charge = Charge.objects.get()
    client = client_for(biller)
    queue = client.get("/billing/").content.decode()
    assert f'value="{charge.pk}"' in queue
    made = client.post("/billing/claims/new/", {"charges": [str(charge.pk)]})
    claim = Claim.objects.get()
    assert made.status_code == 302 and made.url == f"/billing/claims/{claim.pk}/"
    detail = client.get(made.url).content.decode()
    assert "Download 837P" in detail and f"/api/v1/claims/{claim.pk}/x12/" in detail
    assert client.get(f"/api/v1/claims/{claim.pk}/x12/").status_code == 200
    client.post(f"/billing/claims/{claim.pk}/submit/")
    client.post(f"/billing/claims/{claim.pk}/deny/", {"reason": "CO-50"})
    claim.refresh_from_db()
    assert claim.status == "denied" and claim.denial_reason == "CO-50"
    assert "CO-50" in client.get("/billing/").content.decode()  # the denials list


@pytest.mark.parametrize("who", ["front_desk", "doctor", "therapist"])
def test_only_the_biller_and_the_manager_use_the_work_queue(request, who):
    assert client_for(request.getfixturevalue(who)).get("/billing/").status_code == 403


def test_the_therapist_sees_services_and_units_before_signing(therapist, plan, medicare):
    cover(plan.patient, medicare)
    note = log_session_with_services(
        therapist=therapist, appointment=started_visit(plan),
        data=note_data(services=NECK_AND_BACK),
    )  # fmt: skip
    page = client_for(therapist).get(f"/notes/{note.pk}/billing/").content.decode()
    assert "97140-XS-GP x2" in page and "97124-GP x1" in page and "Medicare" in page
    assert not Charge.objects.exists()  # seeing is not billing


def test_the_queue_reads_in_the_same_queries_for_one_or_many_charges(
    api, therapist, plan, coverage, biller, django_assert_max_num_queries
):
    signed_note(api, therapist, plan, NECK_AND_BACK)
    client = client_for(biller)
    client.get("/billing/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/billing/")
    for hours_ago in (3, 5, 7):
        note = log_session_with_services(
            therapist=therapist, appointment=started_visit(plan, hours_ago=hours_ago),
            data=note_data(services=NECK_AND_BACK),
        )  # fmt: skip
        from billing.charging import sign_note_and_charge

        sign_note_and_charge(note=note, by=therapist)
    with CaptureQueriesContext(connection) as four:
        client.get("/billing/")
    assert len(four) == len(one)


def test_signing_on_the_tablet_page_charges_the_note(therapist, plan, coverage):
    # given a draft saved from the tablet page, its services derived from the areas
    client = client_for(therapist)
    visit = started_visit(plan)
    page = client.get(f"/visits/{visit.pk}/note/").content.decode()
    token = page.split('name="form_token" value="')[1].split('"')[0]
    saved = client.post(f"/visits/{visit.pk}/note/", {
        "form_token": token, "pain_before": 6, "pain_after": 3, "response": "improved",
        "area_0": "on", "minutes_0": 30, "modalities_0": ["trigger_point"], "save": "",
    })  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[:2000]
    note = visit.session_note
    assert [s.service_code_id for s in note.services.all()] == ["97140"]
    assert not Charge.objects.exists()
    # the draft page loads its services and units
    assert f"/notes/{note.pk}/billing/" in client.get(f"/notes/{note.pk}/").content.decode()
    # when Theo signs it on the page
    assert client.post(f"/notes/{note.pk}/sign/").status_code == 302
    # then the charge is made: 30 minutes of 97140 (AMA: 2 units)
    charge = Charge.objects.get(note=note)
    assert [(ln.service_code_id, ln.units) for ln in charge.lines.all()] == [("97140", 2)]
