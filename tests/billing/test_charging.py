"""Charges are made when, and only when, a session note is signed, in the same
transaction, from its services (given or derived), by the payer's rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import charging
from billing.models import Authorization, Charge, NoteService
from billing.note_services import correct_note_with_services, log_session_with_services
from clinic.errors import Invalid

from .conftest import cover, note_data, started_visit

pytestmark = pytest.mark.django_db


def log(therapist, plan, **fields):
    return log_session_with_services(
        therapist=therapist, appointment=started_visit(plan), data=note_data(**fields)
    )


def lines_of(charge):
    return [(ln.service_code_id, ln.units, ln.modifiers, ln.amount) for ln in charge.lines.all()]


def test_signing_a_note_charges_its_services_in_the_payers_rule(therapist, plan, medicare):
    # given Pat on Medicare and a note of 33 minutes of 97140 and 7 of 97124 on two regions
    cover(plan.patient, medicare)
    note = log(therapist, plan, services=[
        {"code": "97140", "minutes": 33, "region": "neck", "side": "left"},
        {"code": "97124", "minutes": 7, "region": "upper_back", "side": "left"},
    ])  # fmt: skip
    assert not Charge.objects.exists()
    # when Theo signs it
    charging.sign_note_and_charge(note=note, by=therapist)
    # then one charge: 97140 x2 (XS, GP) and 97124 x1 (GP), CMS's 8-minute rule
    charge = Charge.objects.get(note=note)
    assert lines_of(charge) == [
        ("97140", 2, ["XS", "GP"], Decimal("85.00")),
        ("97124", 1, ["GP"], Decimal("38.00")),
    ]
    assert charge.total == Decimal("123.00")
    assert charge.payer == medicare
    assert charge.diagnoses == [{"code": "M54.2", "description": "Cervicalgia"}]
    assert [ln.diagnosis_pointers for ln in charge.lines.all()] == [["A"], ["A"]]


def test_a_note_without_services_gets_them_derived_from_its_areas(therapist, plan, coverage):
    note = log(therapist, plan, areas=[
        {"region": "neck", "side": "left", "minutes": 25,
         "modalities": ["rehab_stretching", "trigger_point"]},
        {"region": "upper_back", "side": "left", "minutes": 10, "modalities": ["muscle_testing"]},
    ])  # fmt: skip
    derived = [(s.service_code_id, s.minutes, s.region, s.derived) for s in note.services.all()]
    assert derived == [("97110", 13, "neck", True), ("97140", 12, "neck", True)]


def test_a_payer_may_override_the_mapping(therapist, plan, coverage):
    from billing.models import ServiceMapping

    ServiceMapping.objects.create(
        modality_id="trigger_point", payer=coverage.payer, service_code_id="97112"
    )
    note = log(therapist, plan, areas=[
        {"region": "neck", "side": "left", "minutes": 20, "modalities": ["trigger_point"]},
    ])  # fmt: skip
    assert [s.service_code_id for s in note.services.all()] == ["97112"]


def test_muscle_testing_alone_signs_without_a_charge(therapist, plan, coverage):
    note = log(therapist, plan, areas=[
        {"region": "neck", "side": "left", "minutes": 15, "modalities": ["muscle_testing"]},
    ])  # fmt: skip
    charging.sign_note_and_charge(note=note, by=therapist)
    note.refresh_from_db()
    assert note.is_signed
    assert not Charge.objects.exists()


def test_a_distinct_pair_on_one_region_leaves_the_note_unsigned(therapist, plan, coverage):
    note = log(therapist, plan, services=[
        {"code": "97140", "minutes": 20, "region": "neck", "side": "left"},
        {"code": "97124", "minutes": 20, "region": "neck", "side": "right"},
    ])  # fmt: skip
    with pytest.raises(Invalid) as refused:
        charging.sign_note_and_charge(note=note, by=therapist)
    assert "services" in refused.value.errors
    note.refresh_from_db()
    assert not note.is_signed
    assert not Charge.objects.exists()


def test_a_patient_without_valid_coverage_is_self_pay(therapist, plan, commercial):
    cover(plan.patient, commercial, valid_until=timezone.localdate() - timedelta(days=1))
    note = log(therapist, plan, services=[
        {"code": "97140", "minutes": 30, "region": "neck", "side": "left"},
    ])  # fmt: skip
    charging.sign_note_and_charge(note=note, by=therapist)
    charge = Charge.objects.get(note=note)
    assert charge.payer.kind == "self_pay"
    assert charge.coverage is None


def test_a_charge_beyond_the_authorized_units_warns(therapist, plan, workers_comp):
    coverage = cover(plan.patient, workers_comp)
    Authorization.objects.create(
        coverage=coverage, number="A-1", visits=5, units=3,
        valid_from=timezone.localdate() - timedelta(days=10),
        valid_until=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    services = [{"code": "97140", "minutes": 38, "region": "neck", "side": "left"}]  # 3 units
    first = log(therapist, plan, services=services)
    charging.sign_note_and_charge(note=first, by=therapist)
    assert Charge.objects.get(note=first).warnings == []
    one_more = [{"code": "97140", "minutes": 8, "region": "neck", "side": "left"}]
    second = log_session_with_services(
        therapist=therapist, appointment=started_visit(plan, hours_ago=2),
        data=note_data(services=one_more),
    )  # fmt: skip
    charging.sign_note_and_charge(note=second, by=therapist)
    assert Charge.objects.get(note=second).warnings == ["over_authorization"]


def test_bad_services_and_bad_note_fields_are_one_400_and_nothing_is_written(therapist, plan):
    with pytest.raises(Invalid) as refused:
        log(therapist, plan, pain_before=11, services=[
            {"code": "97140", "minutes": 20, "region": "neck", "side": "left"},
            {"code": "99999", "minutes": 0, "region": "nose", "side": "up"},
        ])  # fmt: skip
    errors = refused.value.errors
    assert set(errors) == {"pain_before", "services"}
    assert errors["services"][0] == {}
    assert set(errors["services"][1]) == {"code", "minutes", "region", "side"}
    assert not NoteService.objects.exists()


def test_new_areas_rederive_derived_services_but_never_typed_ones(therapist, plan, coverage):
    note = log(therapist, plan, areas=[
        {"region": "neck", "side": "left", "minutes": 20, "modalities": ["trigger_point"]},
    ])  # fmt: skip
    areas = [{"region": "knee", "side": "left", "minutes": 10, "modalities": ["rehab_stretching"]}]
    correct_note_with_services(note=note, by=therapist, data={"areas": areas})
    assert [(s.service_code_id, s.region) for s in note.services.all()] == [("97110", "knee")]
    typed = [{"code": "97530", "minutes": 15, "region": "hip", "side": "left"}]
    correct_note_with_services(note=note, by=therapist, data={"services": typed})
    correct_note_with_services(note=note, by=therapist, data={"areas": areas})
    assert [(s.service_code_id, s.derived) for s in note.services.all()] == [("97530", False)]
