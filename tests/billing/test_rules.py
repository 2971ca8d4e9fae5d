"""The billing rules of API.md read as the rules: units by CMS's 8-minute rule
(with the worked examples of the Medicare Claims Processing Manual, chapter 5,
section 20.2) and by the AMA's per-code rule, services derived from a note's
areas, modifiers, distinct-procedure pairs, pointers and amounts."""

from decimal import Decimal

import pytest

from billing.rules import (
    Service,
    ama_units,
    cms_units,
    derive_services,
    price_services,
    split_minutes,
    units_for_minutes,
)
from clinic.errors import Invalid

# --- CMS's 8-minute rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4), (68, 5),
     (82, 5), (83, 6), (97, 6), (98, 7), (112, 7), (113, 8), (127, 8)],
)  # fmt: skip
def test_the_total_timed_minutes_give_the_units_of_cms_table(minutes, units):
    assert units_for_minutes(minutes) == units


def test_33_minutes_of_97140_and_7_of_97124_are_97140_x2_and_97124_x1():
    # the contract's own example: 40 minutes, 3 units; 97140's 3 minutes left
    # over lose to 97124's 7
    assert cms_units({"97140": 33, "97124": 7}) == {"97140": 2, "97124": 1}


def test_cms_example_1_24_minutes_97112_and_23_minutes_97110():
    # 47 minutes, 3 units: the code with the most time gets the third
    assert cms_units({"97112": 24, "97110": 23}) == {"97112": 2, "97110": 1}


def test_cms_example_2_20_and_20_minutes_give_three_units_never_three_of_one():
    units = cms_units({"97112": 20, "97110": 20})
    # "choose either code for 2 units": ours, the one listed first
    assert units == {"97112": 2, "97110": 1}


def test_cms_example_3_33_minutes_97110_and_7_minutes_97140():
    assert cms_units({"97110": 33, "97140": 7}) == {"97110": 2, "97140": 1}


def test_cms_example_4_four_codes_in_49_minutes_bill_three_units():
    units = cms_units({"97110": 18, "97140": 13, "97116": 10, "97035": 8})
    # one each of 97110, 97140 and 97116; ultrasound's 8 minutes lose
    assert units == {"97110": 1, "97140": 1, "97116": 1, "97035": 0}


def test_cms_example_5_three_codes_of_7_minutes_are_one_unit():
    units = cms_units({"97112": 7, "97110": 7, "97140": 7})
    assert sum(units.values()) == 1
    assert units["97112"] == 1  # a tie: the code listed first


def test_cms_one_service_under_8_minutes_is_not_billed():
    assert cms_units({"97140": 7}) == {"97140": 0}


def test_cms_two_short_services_adding_up_to_8_minutes_bill_the_longer_one():
    # "two services each under 8 minutes ... bill one unit for the one performed longest"
    assert cms_units({"97110": 3, "97140": 5}) == {"97110": 0, "97140": 1}


def test_cms_a_long_single_service():
    assert cms_units({"97140": 60}) == {"97140": 4}


# --- the AMA's per-code rule -------------------------------------------------------------


def test_ama_counts_each_code_on_its_own_minutes():
    assert ama_units({"97140": 33, "97124": 7}) == {"97140": 2, "97124": 0}
    assert ama_units({"97112": 24, "97110": 23}) == {"97112": 2, "97110": 2}
    assert ama_units({"97110": 7, "97140": 8}) == {"97110": 0, "97140": 1}


# --- services derived from areas ---------------------------------------------------------

DEFAULTS = {
    "trigger_point": "97140",
    "myofascial_release": "97140",
    "rehab_stretching": "97110",
    "muscle_testing": None,
}


def test_an_area_split_between_two_codes_gives_the_remainder_to_the_first():
    assert split_minutes(25, 2) == [13, 12]
    assert split_minutes(20, 3) == [8, 6, 6]
    areas = [
        {"region": "neck", "side": "left", "minutes": 25,
         "modalities": ["rehab_stretching", "trigger_point"]},
    ]  # fmt: skip
    assert derive_services(areas, DEFAULTS.get) == [
        Service("97110", 13, "neck", "left"),
        Service("97140", 12, "neck", "left"),
    ]


def test_modalities_of_one_code_give_that_code_all_the_minutes():
    areas = [{"region": "neck", "side": "left", "minutes": 20,
              "modalities": ["trigger_point", "myofascial_release"]}]  # fmt: skip
    assert derive_services(areas, DEFAULTS.get) == [Service("97140", 20, "neck", "left")]


def test_muscle_testing_alone_bills_nothing():
    areas = [{"region": "neck", "side": "left", "minutes": 10, "modalities": ["muscle_testing"]}]
    assert derive_services(areas, DEFAULTS.get) == []


def test_muscle_testing_beside_a_billed_modality_leaves_it_the_minutes():
    areas = [{"region": "knee", "side": "right", "minutes": 15,
              "modalities": ["muscle_testing", "trigger_point"]}]  # fmt: skip
    assert derive_services(areas, DEFAULTS.get) == [Service("97140", 15, "knee", "right")]


# --- lines: modifiers, pairs, pointers, amounts ------------------------------------------

PAIRS = [("97124", "97140"), ("97530", "97140")]
FEES = {"97140": Decimal("42.50"), "97124": Decimal("38.00"), "97110": Decimal("40.00")}


def price(services, *, rule="cms", modifiers=(), kind="commercial", diagnoses=1, timed=None):
    return price_services(
        services=services,
        timed=timed or {},
        unit_rule=rule,
        line_modifiers=list(modifiers),
        payer_kind=kind,
        pairs=PAIRS,
        fees=FEES,
        diagnosis_count=diagnoses,
    )


def test_a_distinct_pair_on_separate_regions_marks_the_second_code_59():
    lines = price(
        [Service("97140", 33, "neck", "left"), Service("97124", 7, "lower_back", "midline")]
    )
    by_code = {line.code: line for line in lines}
    assert by_code["97140"].modifiers == ["59"]
    assert by_code["97124"].modifiers == []


def test_medicare_marks_the_distinct_procedure_xs_beside_its_gp():
    lines = price(
        [Service("97124", 20, "neck", "left"), Service("97140", 20, "lower_back", "midline")],
        modifiers=["GP"],
        kind="medicare",
    )
    by_code = {line.code: line for line in lines}
    assert by_code["97140"].modifiers == ["XS", "GP"]
    assert by_code["97124"].modifiers == ["GP"]


def test_a_distinct_pair_on_one_region_is_refused_naming_services():
    with pytest.raises(Invalid) as refused:
        price([Service("97140", 20, "neck", "left"), Service("97124", 20, "neck", "right")])
    assert list(refused.value.errors) == ["services"]


def test_a_pair_of_which_one_code_earns_no_unit_is_not_billed_together():
    # 97124's 5 minutes earn nothing under the AMA rule: no pair, no 59, no refusal
    lines = price(
        [Service("97140", 20, "neck", "left"), Service("97124", 5, "neck", "left")], rule="ama"
    )
    assert [(line.code, line.units, line.modifiers) for line in lines] == [("97140", 1, [])]


def test_diagnosis_pointers_follow_the_referral_four_at_most():
    (line,) = price([Service("97140", 20, "neck", "left")], diagnoses=6)
    assert line.diagnosis_pointers == ["A", "B", "C", "D"]
    (line,) = price([Service("97140", 20, "neck", "left")], diagnoses=2)
    assert line.diagnosis_pointers == ["A", "B"]


def test_the_amount_is_units_times_the_fee_in_decimal():
    lines = price([Service("97140", 33, "neck", "left"), Service("97124", 7, "hip", "left")])
    assert [(line.code, line.units, line.amount) for line in lines] == [
        ("97140", 2, Decimal("85.00")),
        ("97124", 1, Decimal("38.00")),
    ]
    assert all(isinstance(line.amount, Decimal) for line in lines)


def test_an_untimed_code_is_one_unit_and_its_minutes_do_not_count():
    # CMS example 6: 33 min 97110 + 7 min 97140 timed, 45 min of G0283 untimed
    services = [
        Service("97110", 33, "knee", "left"),
        Service("97140", 7, "knee", "left"),
        Service("G0283", 45, "knee", "left"),
    ]
    lines = price(services, modifiers=["GP"], timed={"G0283": False})
    assert [(line.code, line.units, line.modifiers) for line in lines] == [
        ("97110", 2, ["GP"]),
        ("97140", 1, ["GP"]),
        ("G0283", 1, []),
    ]
