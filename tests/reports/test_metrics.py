"""metrics.md pinned: its worked example reproduced figure by figure, then each edge case it
names, every expected value worked out by hand here. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from coachapp.extensions import db as _db
from coachapp.models import (
    CoachingSession,
    Enrollment,
)
from coachapp.reports import metrics
from coachapp.reports.metrics import Period, Scope, outcome_report
from tests import factories
from tests.helpers import MARCH, at, d, discharge, supervision_note


def test_worked_example_clients_and_sessions(example):
    report = outcome_report(example, MARCH)
    assert report["clients"] == {
        "enrolled": 4,
        "new_intakes": 2,
        "engaged": 2,
        "engagement_rate": 0.5,
    }
    assert report["sessions"] == {
        "completed": 3,
        "attempted": 2,
        "minutes": 135,
        "per_enrolled_client": 0.75,
    }
    assert report["time_to_first_contact_days"] == {"median": 4.0, "n": 1}


def test_worked_example_appointments(example):
    assert outcome_report(example, MARCH)["appointments"] == {
        "total": 5,
        "attended": 2,
        "no_show": 1,
        "cancelled": 1,
        "rescheduled": 0,
        "pending": 1,
        "no_show_rate": 0.3333,
        "no_show_rate_accompanied": 0.0,
        "no_show_rate_unaccompanied": 0.5,
        "accompanied": 1,
    }


def test_worked_example_referrals(example):
    referrals = outcome_report(example, MARCH)["referrals"]
    categories = referrals.pop("by_category")
    assert referrals == {"made": 4, "linked": 2, "linkage_rate": 0.5, "median_days_to_link": 5.0}
    assert categories["housing"] == {"made": 2, "linked": 1, "linkage_rate": 0.5}
    assert categories["employment"] == {"made": 1, "linked": 0, "linkage_rate": 0.0}
    assert categories["recovery_support"] == {"made": 1, "linked": 1, "linkage_rate": 1.0}
    others = {
        k: v
        for k, v in categories.items()
        if k not in ("housing", "employment", "recovery_support")
    }
    assert len(others) == 9
    assert all(v == {"made": 0, "linked": 0, "linkage_rate": None} for v in others.values())


def test_worked_example_retention_goals_capital_supervision(example):
    report = outcome_report(example, MARCH)
    assert report["retention"] == {
        n: {"eligible": 0, "retained": 0, "rate": None} for n in ("30", "60", "90")
    }
    assert report["goals"] == {
        "opened": 1,
        "achieved": 1,
        "discontinued": 0,
        "achievement_rate": 1.0,
    }
    assert report["recovery_capital"] == {
        "clients_with_two_or_more": 1,
        "mean_change": 10.0,
        "improved": 1,
        "mean_latest": 45.0,
    }
    assert report["supervision"] == {
        "coaches": 1,
        "coaches_supervised": 1,
        "coverage": 1.0,
        "minutes": 60,
    }


def test_worked_example_breakdowns(example, coach):
    report = outcome_report(example, MARCH)
    assert report["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    [row] = report["by_coach"]
    assert row["coach_id"] == coach.id
    assert row["clients"] == report["clients"]
    assert row["appointments"] == {"attended": 2, "no_show": 1, "no_show_rate": 0.3333}
    assert row["referrals"] == {
        "made": 4,
        "linked": 2,
        "linkage_rate": 0.5,
        "median_days_to_link": 5.0,
    }
    [month] = report["by_month"]
    assert month["month"] == "2026-03"
    assert (month["enrolled"], month["engaged"], month["engagement_rate"]) == (4, 2, 0.5)
    assert (month["no_show"], month["attended"], month["no_show_rate"]) == (1, 2, 0.3333)
    assert (month["referrals_made"], month["referrals_linked"]) == (4, 2)


def test_coach_and_team_filters(example, coach, supervisor, other_coach, other_supervisor):
    outsider = factories.client(other_coach, intake_date=d(3, 1))
    factories.session(outsider, on=d(3, 2))
    whole = outcome_report(example, MARCH)
    assert whole["clients"]["enrolled"] == 5
    by_coach = outcome_report(Scope(coach.program_id, coach_id=coach.id), MARCH)
    by_team = outcome_report(Scope(coach.program_id, supervisor_id=supervisor.id), MARCH)
    other_team = outcome_report(Scope(coach.program_id, supervisor_id=other_supervisor.id), MARCH)
    assert by_coach["clients"]["enrolled"] == by_team["clients"]["enrolled"] == 4
    assert other_team["clients"] == {
        "enrolled": 1,
        "new_intakes": 1,
        "engaged": 1,
        "engagement_rate": 1.0,
    }
    assert other_team["supervision"]["coaches"] == 1
    assert other_team["supervision"]["coaches_supervised"] == 0


def test_a_coach_change_without_a_reassignment_moves_no_credit(example, coach, other_coach):
    """Credit follows the assignment history, not the client's coach column: a coach changed
    by hand (no reassignment, no history row) leaves every record with the coach who held the
    client (tests/reports/test_credit_to_coaches.py has the reassignments)."""
    c1 = _db.session.query(CoachingSession).filter_by(duration_minutes=45).one().client
    c1.coach_id = other_coach.id
    _db.session.commit()
    theirs = outcome_report(Scope(coach.program_id, coach_id=other_coach.id), MARCH)
    assert theirs["sessions"]["completed"] == 0 and theirs["referrals"]["made"] == 0
    mine = outcome_report(Scope(coach.program_id, coach_id=coach.id), MARCH)
    assert mine["sessions"]["completed"] == 3


# --- Edge cases named by metrics.md ------------------------------------------------------------


def test_dates_exactly_on_start_and_end_are_inside(db, coach):
    client = factories.client(coach, intake_date=d(3, 31))
    factories.session(client, on=d(3, 1))
    factories.session(client, on=d(3, 31))
    factories.appointment(client, at=datetime(2026, 3, 31, 23, 59), outcome="no_show")
    factories.appointment(client, at=datetime(2026, 3, 1, 0, 0), outcome="attended")
    factories.appointment(client, at=datetime(2026, 4, 1, 0, 0), outcome="no_show")  # outside
    factories.referral(client, referred_on=d(3, 31))
    factories.referral(client, referred_on=d(2, 28))  # outside
    report = outcome_report(Scope(coach.program_id), MARCH)
    assert report["sessions"]["completed"] == 2
    assert (report["appointments"]["attended"], report["appointments"]["no_show"]) == (1, 1)
    assert report["referrals"]["made"] == 1
    assert report["clients"]["new_intakes"] == 1


def test_discharged_on_start_is_enrolled_and_discharged_before_is_not(db, coach):
    on_start = factories.client(coach, intake_date=d(1, 1))
    discharge(on_start, d(3, 1))
    before = factories.client(coach, intake_date=d(1, 1))
    discharge(before, d(2, 28))
    future = factories.client(coach, intake_date=d(4, 1))  # intake after the period
    assert future
    assert outcome_report(Scope(coach.program_id), MARCH)["clients"]["enrolled"] == 1


def test_referral_connected_after_end_is_not_linked(db, coach):
    client = factories.client(coach)
    factories.referral(client, referred_on=d(3, 30), status="connected", connected_on=d(4, 1))
    referrals = outcome_report(Scope(coach.program_id), MARCH)["referrals"]
    assert (referrals["made"], referrals["linked"], referrals["linkage_rate"]) == (1, 0, 0.0)
    assert referrals["median_days_to_link"] is None


def test_pending_appointments_never_enter_a_no_show_rate(db, coach):
    client = factories.client(coach)
    factories.appointment(client, at=at(3, 5), accompaniment_planned=True)
    factories.appointment(client, at=at(3, 6))
    appts = outcome_report(Scope(coach.program_id), MARCH)["appointments"]
    assert (appts["total"], appts["pending"]) == (2, 2)
    assert appts["no_show_rate"] is None
    assert appts["no_show_rate_accompanied"] is None
    assert appts["no_show_rate_unaccompanied"] is None


def test_reenrolled_twice_in_a_period_counts_twice_as_intakes(db, coach):
    client = factories.client(coach, intake_date=d(3, 2))
    discharge(client, d(3, 5))
    _db.session.add(
        Enrollment(
            client_id=client.id,
            intake_date=d(3, 10),
            discharge_date=d(3, 12),
            discharge_reason="moved",
        )
    )
    _db.session.add(Enrollment(client_id=client.id, intake_date=d(3, 20)))
    _db.session.commit()
    factories.session(client, on=d(3, 4))  # first episode: 2 days
    factories.session(client, on=d(3, 11))  # second episode: 1 day
    factories.session(client, on=d(3, 26))  # third episode: 6 days
    report = outcome_report(Scope(coach.program_id), MARCH)
    assert report["clients"]["new_intakes"] == 3
    assert report["clients"]["enrolled"] == 1  # one client
    # Three values 2, 1, 6: the median is 2.
    assert report["time_to_first_contact_days"] == {"median": 2.0, "n": 3}


def test_first_contact_must_fall_inside_the_episode(db, coach):
    client = factories.client(coach, intake_date=d(3, 2))
    discharge(client, d(3, 3))
    factories.session(client, on=d(3, 1))  # before intake
    factories.session(client, on=d(3, 20))  # after discharge
    ttfc = outcome_report(Scope(coach.program_id), MARCH)["time_to_first_contact_days"]
    assert ttfc == {"median": None, "n": 0}


def test_even_number_of_values_median_is_the_mean_of_the_middle_two(db, coach):
    client = factories.client(coach)
    for referred, connected in [
        (d(3, 1), d(3, 2)),
        (d(3, 1), d(3, 4)),
        (d(3, 1), d(3, 8)),
        (d(3, 1), d(3, 31)),
    ]:
        factories.referral(client, referred_on=referred, status="connected", connected_on=connected)
    referrals = outcome_report(Scope(coach.program_id), MARCH)["referrals"]
    # Days 1, 3, 7, 30: (3 + 7) / 2 = 5.
    assert referrals["median_days_to_link"] == 5.0


def test_zero_denominators_are_null(db, coach):
    report = outcome_report(Scope(coach.program_id), MARCH)
    assert report["clients"]["engagement_rate"] is None
    assert report["sessions"]["per_enrolled_client"] is None
    assert report["appointments"]["no_show_rate"] is None
    assert report["referrals"]["linkage_rate"] is None
    assert report["goals"]["achievement_rate"] is None
    assert report["recovery_capital"]["mean_change"] is None
    assert report["recovery_capital"]["mean_latest"] is None
    assert report["supervision"]["coverage"] == 0.0  # one active coach, not supervised


def test_archived_records_never_count(db, coach):
    client = factories.client(coach)
    kept = factories.session(client, on=d(3, 3))
    assert kept
    archived = factories.session(client, on=d(3, 4))
    archived.archived_at = datetime(2026, 3, 5)
    gone = factories.client(coach)
    factories.session(gone, on=d(3, 3))
    gone.archived_at = datetime(2026, 3, 5)
    _db.session.commit()
    report = outcome_report(Scope(coach.program_id), MARCH)
    assert report["sessions"]["completed"] == 1
    assert report["clients"]["enrolled"] == 1


def test_retention_windows(db, coach):
    """Intake 01-01, period 01-01..04-30: day 30 = 01-31, window 01-02..01-31; day 60 = 03-02,
    window 02-01..03-02; day 90 = 04-01, window 03-03..04-01. Each boundary tested."""
    period = Period(d(1, 1), d(4, 30))
    a = factories.client(coach, intake_date=d(1, 1))
    factories.session(a, on=d(1, 1))  # day 0: one day before the 30-day window
    factories.session(a, on=d(3, 2))  # day 60: the last day of its window
    factories.session(a, on=d(4, 2))  # day 91: one day after the 90-day window
    b = factories.client(coach, intake_date=d(1, 1))
    factories.session(b, on=d(1, 2))  # the first day of the 30-day window
    factories.session(b, on=d(3, 3))  # the first day of the 90-day window
    factories.session(b, on=d(2, 15), outcome="attempted")  # attempted never counts
    late = factories.client(coach, intake_date=d(4, 15))  # not 30 days old by 04-30
    factories.session(late, on=d(4, 20))
    retention = outcome_report(Scope(coach.program_id), period)["retention"]
    assert retention["30"] == {"eligible": 2, "retained": 1, "rate": 0.5}
    assert retention["60"] == {"eligible": 2, "retained": 1, "rate": 0.5}
    assert retention["90"] == {"eligible": 2, "retained": 1, "rate": 0.5}


def test_recovery_capital_uses_assessments_up_to_end(db, coach):
    a = factories.client(coach)
    factories.assessment(a, on=d(1, 1), items=(2,) * 10)  # 20
    factories.assessment(a, on=d(2, 1), items=(3,) * 10)  # 30
    factories.assessment(a, on=d(4, 1), items=(6,) * 10)  # after the end: ignored
    b = factories.client(coach)
    factories.assessment(b, on=d(1, 1), items=(5,) * 10)  # 50
    factories.assessment(b, on=d(3, 1), items=(4,) * 10)  # 40: worse
    c = factories.client(coach)
    factories.assessment(c, on=d(3, 1), items=(1,) * 10)  # 10, only one
    capital = outcome_report(Scope(coach.program_id), MARCH)["recovery_capital"]
    assert capital == {
        "clients_with_two_or_more": 2,
        "mean_change": 0.0,  # (+10 - 10) / 2
        "improved": 1,
        "mean_latest": 26.67,  # (30 + 40 + 10) / 3
    }


def test_group_supervision_note_counts_once_in_minutes(db, coach, supervisor, program):
    second = factories.user("coach", program=program, supervisor=supervisor)
    factories.user("coach", program=program, supervisor=supervisor, active=False)  # not counted
    supervision_note(supervisor, [coach, second], d(3, 10), 90, fmt="group")
    supervision_note(supervisor, [coach], d(2, 10), 30)  # before the period
    figures = outcome_report(Scope(coach.program_id, supervisor_id=supervisor.id), MARCH)[
        "supervision"
    ]
    assert figures == {"coaches": 2, "coaches_supervised": 2, "coverage": 1.0, "minutes": 90}


def test_by_month_clips_to_the_period(db, coach):
    client = factories.client(coach, intake_date=d(1, 1))
    factories.session(client, on=d(1, 20))
    factories.session(client, on=d(2, 10))
    months = outcome_report(Scope(coach.program_id), Period(d(1, 15), d(2, 5)))["by_month"]
    assert [(m["start"], m["end"], m["engaged"]) for m in months] == [
        ("2026-01-15", "2026-01-31", 1),
        ("2026-02-01", "2026-02-05", 0),
    ]


def test_appointment_date_is_the_program_local_date(db, coach):
    """Appointments are stored as program-local wall-clock times: 23:30 on 03-31 is in March."""
    client = factories.client(coach)
    factories.appointment(client, at=datetime(2026, 3, 31, 23, 30), outcome="attended")
    factories.appointment(client, at=datetime(2026, 2, 28, 23, 30), outcome="attended")
    assert outcome_report(Scope(coach.program_id), MARCH)["appointments"]["attended"] == 1


def test_period_must_be_ordered():
    with pytest.raises(ValueError):
        Period(d(3, 2), d(3, 1))


# --- Breakdowns: query counts that do not grow --------------------------------------------------


def queries_of(call) -> tuple[int, object]:
    from tests.helpers import QueryCounter

    with QueryCounter(_db.engine) as counter:
        result = call()
    return counter.n, result


def test_by_month_runs_the_same_queries_for_3_months_as_for_12(db, coach):
    client = factories.client(coach, intake_date=d(1, 1, year=2025))
    later = factories.client(coach, intake_date=d(6, 15, year=2025))
    factories.session(client, on=d(1, 20, year=2025))
    factories.session(later, on=d(11, 30, year=2025))
    factories.session(later, on=d(12, 1, year=2025), outcome="attempted")
    # On a month's last evening and first midnight: each in its own month.
    factories.appointment(client, at=datetime(2025, 1, 31, 23, 30), outcome="no_show")
    factories.appointment(client, at=datetime(2025, 2, 1, 0, 0), outcome="attended")
    factories.appointment(later, at=datetime(2025, 11, 3, 9, 0), outcome="scheduled")
    # Made in January, connected in February: not linked in January's row.
    factories.referral(
        client, referred_on=d(1, 20, year=2025), status="connected", connected_on=d(2, 3, year=2025)
    )
    factories.referral(later, referred_on=d(11, 2, year=2025))
    scope = Scope(coach.program_id)
    metrics.by_month(scope, Period(d(1, 1, year=2025), d(1, 31, year=2025)))  # asks once
    three, quarter = queries_of(
        lambda: metrics.by_month(scope, Period(d(1, 1, year=2025), d(3, 31, year=2025)))
    )
    twelve, year = queries_of(
        lambda: metrics.by_month(scope, Period(d(1, 1, year=2025), d(12, 31, year=2025)))
    )
    # clients and referrals from their row sources, whole months' appointments from the report
    # rollups (one sum; whether they may be read is asked once per transaction, above)
    assert three == twelve == 3
    assert [m["month"] for m in year] == [f"2025-{n:02d}" for n in range(1, 13)]
    assert year[:3] == quarter
    january, february = year[0], year[1]
    assert (january["enrolled"], january["engaged"], january["engagement_rate"]) == (1, 1, 1.0)
    assert (january["attended"], january["no_show"], january["no_show_rate"]) == (0, 1, 1.0)
    assert (january["referrals_made"], january["referrals_linked"]) == (1, 0)
    assert (february["attended"], february["no_show"], february["referrals_made"]) == (1, 0, 0)
    assert [m["enrolled"] for m in year] == [1] * 5 + [2] * 7
    november, december = year[10], year[11]
    assert (november["engaged"], november["engagement_rate"]) == (1, 0.5)
    assert (november["attended"], november["no_show"], november["no_show_rate"]) == (0, 0, None)
    assert (november["referrals_made"], november["linkage_rate"]) == (1, 0.0)
    assert (december["engaged"], december["engagement_rate"]) == (0, 0.0)
    # Each row is the report of its month alone (metrics.md, "Breakdowns").
    for row in year:
        month = Period(date.fromisoformat(row["start"]), date.fromisoformat(row["end"]))
        alone = outcome_report(scope, month)
        assert (row["enrolled"], row["engaged"]) == (
            alone["clients"]["enrolled"],
            alone["clients"]["engaged"],
        )
        assert (row["attended"], row["no_show"], row["no_show_rate"]) == (
            alone["appointments"]["attended"],
            alone["appointments"]["no_show"],
            alone["appointments"]["no_show_rate"],
        )
        assert (row["referrals_made"], row["referrals_linked"]) == (
            alone["referrals"]["made"],
            alone["referrals"]["linked"],
        )


def test_by_coach_runs_the_same_queries_for_one_coach_as_for_six(db, program, supervisor, coach):
    scope = Scope(program.id, supervisor_id=supervisor.id)

    def add_caseload(who):
        client = factories.client(who, intake_date=d(2, 1))
        factories.session(client, on=d(3, 5))
        factories.appointment(client, at=at(3, 6), outcome="no_show")
        factories.referral(client, referred_on=d(3, 7))

    add_caseload(coach)
    one, rows = queries_of(lambda: metrics.by_coach(scope, MARCH))
    assert [r["coach_id"] for r in rows] == [coach.id]
    for n in range(5):
        add_caseload(factories.user("coach", program=program, supervisor=supervisor, name=f"C{n}"))
    six, rows = queries_of(lambda: metrics.by_coach(scope, MARCH))
    assert six == one
    assert len(rows) == 6
    for row in rows:
        assert row["clients"]["engaged"] == 1 and row["appointments"]["no_show"] == 1
        assert row["referrals"]["made"] == 1
