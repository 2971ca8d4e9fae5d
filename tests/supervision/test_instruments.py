"""Outcome instruments scored from their items, each against a worked example
whose arithmetic is written beside it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from clinic.errors import Invalid
from sessions_log import instruments
from sessions_log.services import record_measurement


def _sections(*scores):
    return [{"score": s} for s in scores]


def test_nprs_is_the_single_rating():
    # given a patient rating pain 6 of 10 / when / then
    assert instruments.score("nprs", [{"score": 6}]) == 6


def test_ndi_is_the_total_of_its_ten_sections_and_twice_that_in_percent():
    # given sections 2+1+3+0+2+1+2+3+1+2 = 17 of 50
    items = _sections(2, 1, 3, 0, 2, 1, 2, 3, 1, 2)
    # when
    total = instruments.score("ndi", items)
    # then 17 points; 17 / 50 = 34 %
    assert total == 17
    assert instruments.percent("ndi", total) == 34


def test_odi_is_the_percentage_of_the_points_possible():
    # given sections 3+2+2+1+4+2+1+3+2+0 = 20 of 10 x 5 = 50 possible
    items = _sections(3, 2, 2, 1, 4, 2, 1, 3, 2, 0)
    # when / then 20 / 50 x 100 = 40 %
    assert instruments.score("odi", items) == 40


def test_a_skipped_odi_section_scales_the_denominator():
    # given the sex-life section skipped: 3+2+2+1+4+2+1+(skipped)+2+1 = 18 of 9 x 5 = 45
    items = _sections(3, 2, 2, 1, 4, 2, 1, None, 2, 1)
    # when / then 18 / 45 x 100 = 40 %
    assert instruments.score("odi", items) == 40


def test_odi_rounds_to_two_places():
    # given 7 points over 9 answered sections: 7 / 45 x 100 = 15.555... -> 15.56
    items = _sections(1, 1, 1, 1, 1, 1, 1, 0, 0, None)
    # when / then
    assert instruments.score("odi", items) == Decimal("15.56")


def test_odi_with_three_sections_skipped_is_not_scored():
    # given 3 of 10 sections unanswered (more than ODI_MAX_SKIPPED = 2)
    items = _sections(1, 1, 1, 1, 1, 1, 1, None, None, None)
    # when / then
    with pytest.raises(Invalid) as error:
        instruments.score("odi", items)
    assert "items" in error.value.errors


def test_psfs_is_the_mean_of_the_activities():
    # given three activities: (4 + 6 + 5) / 3 = 5
    items = [
        {"activity": "Reversing the car", "score": 4},
        {"activity": "Reading in bed", "score": 6},
        {"activity": "Lifting a grandchild", "score": 5},
    ]
    # when / then
    assert instruments.score("psfs", items) == 5


def test_psfs_mean_keeps_two_places():
    # given four activities: (3 + 4 + 4 + 6) / 4 = 17 / 4 = 4.25
    items = [{"activity": f"task {i}", "score": s} for i, s in enumerate([3, 4, 4, 6])]
    # when / then
    assert instruments.score("psfs", items) == Decimal("4.25")


@pytest.mark.parametrize("count", [2, 6])
def test_psfs_takes_three_to_five_activities(count):
    # given too few or too many activities
    items = [{"activity": f"task {i}", "score": 5} for i in range(count)]
    # when / then
    with pytest.raises(Invalid):
        instruments.score("psfs", items)


def test_psfs_activity_needs_a_name():
    # given the second activity unnamed
    items = [{"activity": "Driving", "score": 4}, {"activity": " ", "score": 5},
             {"activity": "Typing", "score": 6}]  # fmt: skip
    # when / then the error names that item's activity
    with pytest.raises(Invalid) as error:
        instruments.score("psfs", items)
    assert error.value.errors["items"][0] == {}
    assert "activity" in error.value.errors["items"][1]


def test_rom_is_the_degrees_of_one_movement():
    # given left cervical rotation measured at 55 degrees / when / then
    item = {"joint": "neck", "movement": "rotation", "side": "left", "degrees": 55}
    assert instruments.score("rom", [item]) == 55


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"joint": "knee", "movement": "flexion", "side": "left", "degrees": 250}, "degrees"),
        ({"joint": "knee", "movement": "flexion", "side": "left", "degrees": -5}, "degrees"),
        ({"joint": "knee", "movement": "rotation", "side": "left", "degrees": 20}, "movement"),
        ({"joint": "nose", "movement": "flexion", "side": "left", "degrees": 20}, "joint"),
        ({"joint": "knee", "movement": "flexion", "side": "midline", "degrees": 90}, "side"),
        ({"joint": "neck", "movement": "flexion", "side": "left", "degrees": 40}, "side"),
    ],
)
def test_rom_outside_physiological_limits_names_the_field(item, field):
    # given / when
    with pytest.raises(Invalid) as error:
        instruments.score("rom", [item])
    # then
    assert field in error.value.errors["items"][0]


def test_rom_limit_is_inclusive():
    # given knee flexion at its limit of 160 degrees / when / then
    item = {"joint": "knee", "movement": "flexion", "side": "right", "degrees": 160}
    assert instruments.score("rom", [item]) == 160


@pytest.mark.parametrize(
    ("measure", "items", "bad_index"),
    [
        ("nprs", [{"score": 11}], 0),
        ("ndi", _sections(1, 2, 6, 0, 0, 0, 0, 0, 0, 0), 2),
        ("ndi", _sections(1, 2, 3, 0, 0, 0, 0, 0, 0, None), 9),
        ("odi", _sections(1, 2, 3, 0, -1, 0, 0, 0, 0, 0), 4),
        ("psfs", [{"activity": "a", "score": 4}, {"activity": "b", "score": 10.5},
                  {"activity": "c", "score": 2}], 1),
    ],
)  # fmt: skip
def test_an_out_of_range_item_is_named(measure, items, bad_index):
    # given one item out of range / when
    with pytest.raises(Invalid) as error:
        instruments.score(measure, items)
    # then the error is DRF's nested shape, naming that item's score only
    errors = error.value.errors["items"]
    assert len(errors) == len(items)
    assert "score" in errors[bad_index]
    assert all(e == {} for i, e in enumerate(errors) if i != bad_index)


def test_ndi_needs_all_ten_sections():
    # given nine sections / when / then
    with pytest.raises(Invalid) as error:
        instruments.score("ndi", _sections(*[1] * 9))
    assert error.value.errors == {"items": ["Expected 10 sections, got 9."]}


def test_mcid_comes_from_the_settings():
    # given the defaults (NPRS 2, NDI 7.5, ODI 10, PSFS 2) / when / then
    assert [instruments.mcid(m) for m in ("nprs", "ndi", "odi", "psfs")] == [2, 7.5, 10, 2]
    with override_settings(MCID={"nprs": 3}):
        assert instruments.mcid("nprs") == 3


# --- recording a measurement ------------------------------------------------------------


def test_recording_items_stores_the_computed_score(plan, therapist):
    # given the ODI of the skipped-section example (18 / 45 = 40 %)
    items = _sections(3, 2, 2, 1, 4, 2, 1, None, 2, 1)
    # when
    measurement = record_measurement(
        by=therapist, plan=plan, measure="odi", items=items, taken_at=timezone.now()
    )
    # then
    measurement.refresh_from_db()
    assert measurement.score == 40
    assert measurement.items == items


def test_a_plain_score_is_still_accepted(plan, therapist):
    # given / when
    measurement = record_measurement(
        by=therapist, plan=plan, measure="nprs", score=4, taken_at=timezone.now()
    )
    # then
    assert measurement.score == 4


def test_a_typed_total_that_contradicts_the_items_is_refused(plan, therapist):
    # given NDI items totalling 17 and a typed total of 20 / when / then
    with pytest.raises(Invalid) as error:
        record_measurement(
            by=therapist, plan=plan, measure="ndi", score=20,
            items=_sections(2, 1, 3, 0, 2, 1, 2, 3, 1, 2),
            taken_at=timezone.now() - timedelta(hours=1),
        )  # fmt: skip
    assert "score" in error.value.errors


def test_a_bad_item_is_refused_when_recording(plan, therapist):
    # given / when / then
    with pytest.raises(Invalid) as error:
        record_measurement(
            by=therapist, plan=plan, measure="nprs", items=[{"score": 12}], taken_at=timezone.now()
        )
    assert error.value.errors == {
        "items": [{"score": ["Score this item with a whole number from 0 to 10."]}]
    }  # noqa: E501
