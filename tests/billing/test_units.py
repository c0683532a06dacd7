"""Units at every rounding edge, from hand-worked examples (issue 22), and the caps."""

from __future__ import annotations

from datetime import date, time

import pytest

from coachapp.billing.units import OVER_DAILY, OVER_MONTHLY, Rule, Service, apply_caps, units_for

EIGHT_EIGHT = Rule(unit_minutes=15, first_unit_minutes=8, next_unit_minutes=8)
# Worked by hand: the first unit at 8 min; each further one 8 min past a whole 15:
# 15 + 8 = 23, 30 + 8 = 38, 45 + 8 = 53.
EIGHT_EIGHT_CASES = [
    (0, 0),
    (7, 0),
    (8, 1),
    (22, 1),
    (23, 2),
    (37, 2),
    (38, 3),
    (52, 3),
    (53, 4),
    (60, 4),
    (67, 4),
    (68, 5),
]


@pytest.mark.parametrize(("minutes", "units"), EIGHT_EIGHT_CASES)
def test_eight_minute_rule(minutes, units):
    assert units_for(minutes, EIGHT_EIGHT) == units


# A second rule: 15-minute units, each to be served in full (15/15): 15 = 1, 30 = 2, 45 = 3.
WHOLE_UNITS = Rule(unit_minutes=15, first_unit_minutes=15, next_unit_minutes=15)


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(7, 0), (8, 0), (14, 0), (15, 1), (22, 1), (23, 1), (29, 1), (30, 2), (37, 2), (38, 2),
     (44, 2), (45, 3)],
)  # fmt: skip
def test_whole_units_rule(minutes, units):
    assert units_for(minutes, WHOLE_UNITS) == units


# A third: hour units, "more than half" (31/31): 31 min = 1; 60 + 31 = 91 = 2; 120 + 31 = 151 = 3.
HOURS = Rule(unit_minutes=60, first_unit_minutes=31, next_unit_minutes=31)


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(30, 0), (31, 1), (60, 1), (90, 1), (91, 2), (150, 2), (151, 3)],
)
def test_more_than_half_of_an_hour(minutes, units):
    assert units_for(minutes, HOURS) == units


def test_a_first_unit_threshold_apart_from_the_next():
    """First 10, next 5 with 15-minute units: 10 = 1; 15 + 5 = 20 = 2; 30 + 5 = 35 = 3."""
    rule = Rule(15, 10, 5)
    assert [units_for(m, rule) for m in (9, 10, 19, 20, 34, 35)] == [0, 1, 1, 2, 2, 3]


def test_no_minutes_no_units():
    assert units_for(None, EIGHT_EIGHT) == 0


def service(key, units, *, client=1, day=date(2026, 5, 4), start=time(9), daily=4, monthly=None):
    return Service(
        key=key,
        client=client,
        day=day,
        month=day.strftime("%Y-%m"),
        order=(start, key),
        units=units,
        daily_cap=daily,
        monthly_cap=monthly,
    )


def test_two_sessions_crossing_a_four_unit_daily_cap():
    """3 units at 9:00, 3 at 14:00, cap 4: the first keeps 3, the second gets the 1 left."""
    result = apply_caps([service(2, 3, start=time(14)), service(1, 3, start=time(9))])
    assert (result[1].units, result[1].reason) == (3, None)
    assert (result[2].units, result[2].reason) == (1, None)


def test_a_session_after_the_cap_is_over_the_daily_cap():
    result = apply_caps(
        [service(1, 4, start=time(9)), service(2, 2, start=time(11)), service(3, 1, start=time(15))]
    )
    assert [result[k].units for k in (1, 2, 3)] == [4, 0, 0]
    assert result[2].reason == result[3].reason == OVER_DAILY


def test_same_start_time_goes_by_id_and_days_and_clients_are_apart():
    result = apply_caps(
        [
            service(8, 3, start=time(10)),
            service(5, 3, start=time(10)),
            service(9, 3, day=date(2026, 5, 5)),
            service(10, 3, client=2),
        ]
    )
    assert result[5].units == 3 and result[8].units == 1
    assert result[9].units == 3 and result[10].units == 3


def test_the_monthly_cap_counts_billed_units_across_days():
    result = apply_caps(
        [
            service(1, 4, day=date(2026, 5, 4), monthly=6),
            service(2, 4, day=date(2026, 5, 5), monthly=6),
            service(3, 4, day=date(2026, 5, 6), monthly=6),
        ]
    )
    assert [result[k].units for k in (1, 2, 3)] == [4, 2, 0]
    assert result[3].reason == OVER_MONTHLY


def test_no_cap_no_limit():
    result = apply_caps([service(1, 9, daily=None), service(2, 9, daily=None, start=time(12))])
    assert result[1].units == result[2].units == 9
