"""Recurrence rules expand on the clinic's wall clock and refuse what could
flood the calendar."""

from datetime import UTC, date, timedelta

import pytest

from clinic.errors import Invalid
from scheduling.recurrence import MAX_SPAN, expand
from tests.scheduling.conftest import local


def wall_times(starts):
    return [(s.date(), s.hour, s.minute) for s in starts]


def test_a_monday_thursday_series_stays_at_ten_when_clocks_spring_forward():
    # given Monday Mar 8 2027; clocks spring forward on Sunday Mar 14
    first = local(date(2027, 3, 8), 10)
    # when
    starts = expand("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4", first)
    # then every visit is at 10:00 local, and the UTC offset changed
    assert [s.date() for s in starts] == [
        date(2027, 3, 8),
        date(2027, 3, 11),
        date(2027, 3, 15),
        date(2027, 3, 18),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(10, 0)}
    assert starts[0].utcoffset() == timedelta(hours=-5)
    assert starts[2].utcoffset() == timedelta(hours=-4)


def test_a_series_stays_at_ten_when_clocks_fall_back():
    # given Thursday Oct 28 2027; clocks fall back on Sunday Nov 7
    first = local(date(2027, 10, 28), 10)
    # when
    starts = expand("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6", first)
    # then
    assert {(s.hour, s.minute) for s in starts} == {(10, 0)}
    assert starts[0].utcoffset() == timedelta(hours=-4)
    assert starts[-1].utcoffset() == timedelta(hours=-5)
    # and the UTC hour moved, which is what keeps the wall clock still
    assert (starts[0].astimezone(UTC).hour, starts[-1].astimezone(UTC).hour) == (14, 15)


def test_count_gives_exactly_that_many_visits():
    starts = expand("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=12", local(date(2027, 1, 4), 10))
    assert len(starts) == 12


def test_until_as_a_date_includes_visits_on_that_day():
    # given a series until Thursday Jan 14 2027 (a date alone)
    starts = expand("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270114", local(date(2027, 1, 4), 10))
    # then the 10:00 visit on the 14th is in
    assert [s.date() for s in starts] == [
        date(2027, 1, 4),
        date(2027, 1, 7),
        date(2027, 1, 11),
        date(2027, 1, 14),
    ]


def test_until_in_utc_is_read_on_the_clinic_clock():
    # 15:00Z on Jan 14 is 10:00 in New York: the visit at 10:00 is included
    starts = expand("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270114T150000Z", local(date(2027, 1, 4), 10))
    assert starts[-1].date() == date(2027, 1, 14)
    # one second earlier it is not
    starts = expand("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270114T145959Z", local(date(2027, 1, 4), 10))
    assert starts[-1].date() == date(2027, 1, 11)


def test_two_hundred_visits_are_allowed_but_not_more():
    first = local(date(2027, 1, 4), 10)
    assert len(expand("FREQ=DAILY;COUNT=200", first)) == 200
    with pytest.raises(Invalid) as error:
        expand("FREQ=DAILY;COUNT=201", first)
    assert "rrule" in error.value.errors
    with pytest.raises(Invalid) as error:
        expand("FREQ=DAILY;UNTIL=20280101", first)
    assert "200" in error.value.errors["rrule"][0]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY;COUNT=5",
        "FREQ=MINUTELY;COUNT=5",
        "FREQ=HOURLY;COUNT=5",
        "FREQ=DAILY;BYHOUR=9,10;COUNT=5",
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20270301",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "FREQ=WEEKLY;COUNT=many",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;UNTIL=yesterday",
        "FREQ=WEEKLY;FOO=BAR;COUNT=2",
        "COUNT=2",
        "not a rule at all",
        "",
        "RRULE:FREQ=WEEKLY;COUNT=2\nDTSTART:20270101T000000",
    ],
)
def test_a_rule_that_is_not_allowed_is_invalid_naming_rrule(rule):
    with pytest.raises(Invalid) as error:
        expand(rule, local(date(2027, 1, 4), 10))
    assert list(error.value.errors) == ["rrule"]
    assert error.value.errors["rrule"][0]


def test_the_rrule_prefix_is_accepted():
    assert len(expand("RRULE:FREQ=WEEKLY;COUNT=2", local(date(2027, 1, 4), 10))) == 2


# The expansion walks the rule's periods itself (bounded, see MAX_SPAN); on
# rules that dateutil answers quickly, both must give the same visits.
SAME_AS_DATEUTIL = [
    "FREQ=DAILY;COUNT=10",
    "FREQ=DAILY;INTERVAL=3;COUNT=10",
    "FREQ=DAILY;BYDAY=MO,WE,FR;COUNT=10",
    "FREQ=DAILY;INTERVAL=2;BYDAY=TU,TH;COUNT=10",
    "FREQ=DAILY;BYMONTHDAY=1,15,-1;COUNT=8",
    "FREQ=DAILY;BYMONTH=3,4;COUNT=10",
    "FREQ=WEEKLY;COUNT=6",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU;COUNT=10",
    "FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,TU;WKST=WE;COUNT=10",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE;BYSETPOS=1;COUNT=6",
    "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270601",
    "FREQ=WEEKLY;BYDAY=MO,TH;BYMONTH=2,3;COUNT=8",
    "FREQ=MONTHLY;COUNT=6",
    "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6",
    "FREQ=MONTHLY;BYMONTHDAY=-1,15;COUNT=8",
    "FREQ=MONTHLY;BYDAY=1MO;COUNT=6",
    "FREQ=MONTHLY;BYDAY=-1FR,2TU;COUNT=8",
    "FREQ=MONTHLY;BYDAY=5TH;COUNT=4",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6",
    "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=1,-1;COUNT=6",
    "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=13;BYDAY=FR;COUNT=2",
    "FREQ=MONTHLY;BYMONTH=1,6;BYMONTHDAY=10;COUNT=3",
    "FREQ=YEARLY;COUNT=2",
    "FREQ=YEARLY;BYMONTH=3,9;BYDAY=1MO;COUNT=4",
    "FREQ=YEARLY;BYDAY=20MO;COUNT=2",
    "FREQ=YEARLY;BYDAY=-1SU;COUNT=2",
    "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=-1;COUNT=2",
]


@pytest.mark.parametrize("rule", SAME_AS_DATEUTIL)
@pytest.mark.parametrize("first_day", [date(2027, 1, 4), date(2027, 1, 31), date(2028, 2, 29)])
def test_the_bounded_expansion_gives_what_dateutil_gives(rule, first_day):
    from dateutil.rrule import rrulestr

    first = local(first_day, 10)
    reference = list(rrulestr(rule, dtstart=first.replace(tzinfo=None)))
    if reference and reference[-1] <= first.replace(tzinfo=None) + MAX_SPAN:
        assert [s.replace(tzinfo=None) for s in expand(rule, first)] == reference
    else:  # none at all, or visits years apart (a Friday 13th every other month)
        with pytest.raises(Invalid):
            expand(rule, first)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
        "FREQ=DAILY;INTERVAL=7;BYDAY=SU;COUNT=1",
        "FREQ=YEARLY;COUNT=5",
        "FREQ=WEEKLY;UNTIL=20301231",
        "FREQ=WEEKLY;BYDAY=MO,1TU;COUNT=2",
        "FREQ=WEEKLY;BYDAY=1MO;COUNT=2",
        "FREQ=MONTHLY;BYDAY=6MO;COUNT=2",
        "FREQ=WEEKLY;BYSETPOS=1;COUNT=2",
        "FREQ=WEEKLY;BYYEARDAY=1;COUNT=2",
        "FREQ=WEEKLY;INTERVAL=100;COUNT=2",
    ],
)
def test_a_rule_that_gives_no_series_within_two_years_is_invalid_naming_rrule(rule):
    with pytest.raises(Invalid) as error:
        expand(rule, local(date(2027, 1, 4), 10))
    assert list(error.value.errors) == ["rrule"]
