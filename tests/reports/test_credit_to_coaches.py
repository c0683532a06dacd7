"""metrics.md, "Credit to coaches": each record counts for the coach who held the client on its
date. The worked example figure by figure through the metrics, the API, the page and the
exports; a reassignment today leaves earlier periods alone; the edges of the rule. Runs on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from coachapp.auth.tokens import create_token
from coachapp.extensions import db as _db
from coachapp.models import ClientAssignment, Enrollment
from coachapp.reports import drilldown, exports, metrics
from coachapp.reports.metrics import Period, Scope, outcome_report
from coachapp.team.services import reassign
from tests import factories
from tests.helpers import d

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
MARCH_ARGS = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def coach_b(program, supervisor):
    return factories.user("coach", program=program, supervisor=supervisor, name="Bea Second")


@pytest.fixture
def worked(db, coach, coach_b, supervisor):
    """metrics.md's worked example: C-5, intake 02-01 with coach A, reassigned to coach B
    effective 03-15."""
    c5 = factories.client(coach, intake_date=d(2, 1))
    factories.session(c5, on=d(3, 10))
    factories.session(c5, on=d(3, 20))
    factories.appointment(c5, at=datetime(2026, 3, 12, 10), outcome="no_show")
    factories.appointment(c5, at=datetime(2026, 3, 25, 10), outcome="attended")
    factories.referral(
        c5,
        factories.resource(category="housing"),
        referred_on=d(3, 1),
        status="connected",
        connected_on=d(3, 20),
    )
    reassign(c5, coach_b, actor=supervisor, reason="Caseload balance", effective_on=d(3, 15))
    _db.session.commit()
    return c5


# figure: (coach A, coach B, program), as metrics.md's table gives them
EXPECTED = {
    ("clients", "enrolled"): (1, 1, 1),
    ("clients", "engaged"): (1, 1, 1),
    ("sessions", "completed"): (1, 1, 2),
    ("appointments", "attended"): (0, 1, 1),
    ("appointments", "no_show"): (1, 0, 1),
    ("appointments", "no_show_rate"): (1.0, 0.0, 0.5),
    ("referrals", "made"): (1, 0, 1),
    ("referrals", "linked"): (1, 0, 1),
}


def _figures(report: dict) -> tuple:
    return tuple(report[group][key] for group, key in EXPECTED)


def _column(which: int) -> tuple:
    return tuple(values[which] for values in EXPECTED.values())


def test_worked_example_through_the_metrics(worked, coach, coach_b):
    program_id = coach.program_id
    assert _figures(outcome_report(Scope(program_id, coach_id=coach.id), MARCH)) == _column(0)
    assert _figures(outcome_report(Scope(program_id, coach_id=coach_b.id), MARCH)) == _column(1)
    assert _figures(outcome_report(Scope(program_id), MARCH)) == _column(2)


def test_worked_example_by_coach_rows(worked, coach, coach_b):
    rows = {r["coach_id"]: r for r in outcome_report(Scope(coach.program_id), MARCH)["by_coach"]}
    for coach_id, which in ((coach.id, 0), (coach_b.id, 1)):
        row = rows[coach_id]
        assert (row["clients"]["enrolled"], row["clients"]["engaged"]) == (1, 1)
        assert (
            row["appointments"]["attended"],
            row["appointments"]["no_show"],
            row["appointments"]["no_show_rate"],
        ) == _column(which)[3:6]
        assert (row["referrals"]["made"], row["referrals"]["linked"]) == _column(which)[6:8]
    # The client is counted for both coaches: the rows add up to more than the program has.
    assert sum(r["clients"]["enrolled"] for r in rows.values()) == 2


def test_worked_example_through_the_api(worked, coach, coach_b, supervisor, anon):
    token, _ = create_token(supervisor, "test")
    _db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for coach_id, which in ((coach.id, 0), (coach_b.id, 1), (None, 2)):
        args = {**MARCH_ARGS, **({"coach_id": coach_id} if coach_id else {})}
        response = anon.get("/api/v1/reports/outcomes", query_string=args, headers=headers)
        assert response.status_code == 200, response.get_json()
        assert _figures(response.get_json()) == _column(which)


def test_worked_example_on_the_page_and_in_the_export(worked, coach, coach_b, login, supervisor):
    browser = login(supervisor)
    for coach_id, which in ((coach.id, 0), (coach_b.id, 1)):
        args = {**MARCH_ARGS, "coach_id": coach_id}
        response = browser.get("/reports/export.csv", query_string={"table": "report", **args})
        assert response.status_code == 200
        text = response.get_data(as_text=True).lstrip("\ufeff")
        # Columns: figure, value, numerator, denominator, figure key.
        values = {row[4]: row[1] for row in csv.reader(io.StringIO(text)) if len(row) == 5}
        expected = _column(which)
        assert values["clients.enrolled"] == "1"
        assert values["sessions.completed"] == str(expected[2])
        assert values["appointments.no_show"] == str(expected[4])
        assert values["referrals.made"] == str(expected[6])
        page = browser.get("/reports/", query_string=args)
        assert page.status_code == 200
    # The program page says why coach rows can add up to more clients than the program has.
    page = browser.get("/reports/", query_string=MARCH_ARGS).get_data(as_text=True)
    assert "changed coach within the period" in " ".join(page.split())


def test_the_client_table_export_follows_the_credit(worked, coach, coach_b):
    for coach_id, which in ((coach.id, 0), (coach_b.id, 1)):
        scope = Scope(coach.program_id, coach_id=coach_id)
        columns, rows = exports.client_table(scope, MARCH)
        keys = [c.key for c in columns]
        (row,) = [dict(zip(keys, r, strict=True)) for r in rows]
        expected = _column(which)
        assert row["sessions_completed"] == expected[2]
        assert (row["appointments_attended"], row["appointments_no_show"]) == expected[3:5]
        assert row["referrals_made"] == expected[6]


def test_drill_down_lists_what_each_coach_is_credited_with(worked, coach, coach_b, supervisor):
    for coach_id, which in ((coach.id, 0), (coach_b.id, 1)):
        scope = Scope(coach.program_id, coach_id=coach_id)
        for rowset, position in (
            ("clients.enrolled", 0),
            ("sessions.completed", 2),
            ("appointments.no_show", 4),
            ("referrals.made", 6),
        ):
            listed = drilldown.count_rows_of(rowset, scope, MARCH, user=supervisor)
            assert listed == _column(which)[position], (coach_id, rowset)


def test_a_reassignment_today_leaves_every_earlier_period_alone(
    db, coach, coach_b, supervisor, program
):
    quarter = Period(d(1, 1), d(3, 31))
    clients = [factories.client(coach, intake_date=d(1, 5 + i)) for i in range(3)]
    for i, client in enumerate(clients):
        factories.session(client, on=d(2, 10 + i))
        factories.appointment(client, at=datetime(2026, 3, 3 + i, 9), outcome="no_show")
        factories.referral(client, referred_on=d(2, 2), status="connected", connected_on=d(2, 9))
        factories.goal(client, opened_on=d(1, 20), status="achieved", closed_on=d(3, 2))
        factories.assessment(client, on=d(2, 1))
        factories.assessment(client, on=d(3, 1), items=(5,) * 10)
    scopes = [
        Scope(program.id, coach_id=coach.id),
        Scope(program.id, coach_id=coach_b.id),
        Scope(program.id, supervisor_id=supervisor.id),
        Scope(program.id),
    ]
    before = [outcome_report(scope, quarter) for scope in scopes]
    reassign(clients[0], coach_b, actor=supervisor, reason="Caseload balance")
    _db.session.commit()
    after = [outcome_report(scope, quarter) for scope in scopes]
    assert after == before
    assert before[0]["clients"]["enrolled"] == 3 and before[1]["clients"]["enrolled"] == 0


def test_records_after_the_effective_day_go_to_the_new_coach(db, coach, coach_b, supervisor):
    client = factories.client(coach, intake_date=d(1, 5))
    factories.session(client, on=d(3, 14))  # the day before: A
    factories.session(client, on=d(3, 15))  # the effective day itself: B
    factories.appointment(client, at=datetime(2026, 3, 14, 23, 30), outcome="attended")  # A
    factories.appointment(client, at=datetime(2026, 3, 15, 0, 0), outcome="attended")  # B
    reassign(client, coach_b, actor=supervisor, reason="Leave", effective_on=d(3, 15))
    _db.session.commit()
    a = outcome_report(Scope(coach.program_id, coach_id=coach.id), MARCH)
    b = outcome_report(Scope(coach.program_id, coach_id=coach_b.id), MARCH)
    assert (a["sessions"]["completed"], b["sessions"]["completed"]) == (1, 1)
    assert (a["appointments"]["attended"], b["appointments"]["attended"]) == (1, 1)


def test_goals_credit_opened_and_closed_to_the_coach_of_each_date(db, coach, coach_b, supervisor):
    client = factories.client(coach, intake_date=d(1, 5))
    factories.goal(client, opened_on=d(3, 2), status="achieved", closed_on=d(3, 25))
    reassign(client, coach_b, actor=supervisor, reason="Leave", effective_on=d(3, 15))
    _db.session.commit()
    program_id = coach.program_id
    a = outcome_report(Scope(program_id, coach_id=coach.id), MARCH)["goals"]
    b = outcome_report(Scope(program_id, coach_id=coach_b.id), MARCH)["goals"]
    team = outcome_report(Scope(program_id, supervisor_id=supervisor.id), MARCH)["goals"]
    assert (a["opened"], a["achieved"]) == (1, 0)
    assert (b["opened"], b["achieved"]) == (0, 1)
    assert (team["opened"], team["achieved"]) == (1, 1)  # both coaches in the team: once each


def test_recovery_capital_counts_for_the_coach_of_the_latest_check_in(
    db, coach, coach_b, supervisor
):
    client = factories.client(coach, intake_date=d(1, 5))
    factories.assessment(client, on=d(2, 1))
    factories.assessment(client, on=d(3, 20), items=(5,) * 10)
    reassign(client, coach_b, actor=supervisor, reason="Leave", effective_on=d(3, 15))
    _db.session.commit()
    program_id = coach.program_id
    a = outcome_report(Scope(program_id, coach_id=coach.id), MARCH)["recovery_capital"]
    b = outcome_report(Scope(program_id, coach_id=coach_b.id), MARCH)["recovery_capital"]
    assert a["clients_with_two_or_more"] == 0
    assert (b["clients_with_two_or_more"], b["mean_change"]) == (1, 10.0)
    february = Period(d(2, 1), d(2, 28))  # by February's end the latest was A's
    a = outcome_report(Scope(program_id, coach_id=coach.id), february)["recovery_capital"]
    assert a["mean_latest"] == 40.0


def test_intakes_count_for_the_coach_of_the_intake_date(db, coach, coach_b, supervisor):
    client = factories.client(coach, intake_date=d(3, 2))
    factories.session(client, on=d(3, 4))
    reassign(client, coach_b, actor=supervisor, reason="Leave", effective_on=d(3, 10))
    _db.session.commit()
    program_id = coach.program_id
    a = outcome_report(Scope(program_id, coach_id=coach.id), MARCH)
    b = outcome_report(Scope(program_id, coach_id=coach_b.id), MARCH)
    assert (a["clients"]["new_intakes"], b["clients"]["new_intakes"]) == (1, 0)
    assert a["time_to_first_contact_days"] == {"median": 2.0, "n": 1}
    assert b["time_to_first_contact_days"]["n"] == 0
    # Enrolled for both (each held them on an enrolled day); engaged only for A (the session
    # was on A's day).
    assert (a["clients"]["enrolled"], a["clients"]["engaged"]) == (1, 1)
    assert (b["clients"]["enrolled"], b["clients"]["engaged"]) == (1, 0)


def test_a_coach_who_held_the_client_only_while_not_enrolled_gets_no_enrolment(
    db, coach, coach_b, supervisor
):
    client = factories.client(coach, intake_date=d(1, 5))
    episode = _db.session.scalars(select(Enrollment).where(Enrollment.client_id == client.id)).one()
    episode.discharge_date, episode.discharge_reason = d(3, 9), "completed"
    _db.session.commit()
    reassign(client, coach_b, actor=supervisor, reason="Follow-up", effective_on=d(3, 10))
    _db.session.commit()
    program_id = coach.program_id
    a = outcome_report(Scope(program_id, coach_id=coach.id), MARCH)["clients"]
    b = outcome_report(Scope(program_id, coach_id=coach_b.id), MARCH)["clients"]
    assert (a["enrolled"], b["enrolled"]) == (1, 0)


def test_a_client_back_with_their_first_coach_counts_once(db, coach, coach_b, supervisor):
    client = factories.client(coach, intake_date=d(1, 5))
    factories.session(client, on=d(3, 3))
    factories.session(client, on=d(3, 28))
    reassign(client, coach_b, actor=supervisor, reason="Leave", effective_on=d(3, 10))
    _db.session.commit()
    reassign(client, coach, actor=supervisor, reason="Back from leave", effective_on=d(3, 20))
    _db.session.commit()
    scope = Scope(coach.program_id, coach_id=coach.id)
    a = outcome_report(scope, MARCH)
    assert (a["clients"]["enrolled"], a["clients"]["engaged"]) == (1, 1)
    assert a["sessions"]["completed"] == 2
    b = outcome_report(Scope(coach.program_id, coach_id=coach_b.id), MARCH)["clients"]
    assert (b["enrolled"], b["engaged"]) == (1, 0)
    assert drilldown.count_rows_of("clients.enrolled", scope, MARCH, user=supervisor) == 1
    (row,) = [
        r
        for r in outcome_report(Scope(coach.program_id), MARCH)["by_coach"]
        if r["coach_id"] == coach.id
    ]
    assert row["clients"]["enrolled"] == 1


def test_a_client_without_a_history_counts_for_their_coach_on_every_date(db, coach):
    client = factories.client(coach, intake_date=d(1, 5))
    _db.session.execute(
        ClientAssignment.__table__.delete().where(ClientAssignment.client_id == client.id)
    )
    _db.session.commit()
    factories.session(client, on=d(3, 3))
    report = outcome_report(Scope(coach.program_id, coach_id=coach.id), MARCH)
    assert report["sessions"]["completed"] == 1 and report["clients"]["enrolled"] == 1


def test_team_figures_follow_the_coaches_the_supervisor_has_now(
    db, coach, other_coach, supervisor, other_supervisor
):
    client = factories.client(coach, intake_date=d(1, 5))
    factories.session(client, on=d(3, 3))
    factories.session(client, on=d(3, 25))
    reassign(client, other_coach, actor=supervisor, reason="Moved", effective_on=d(3, 15))
    _db.session.commit()
    program_id = coach.program_id
    mine = outcome_report(Scope(program_id, supervisor_id=supervisor.id), MARCH)
    theirs = outcome_report(Scope(program_id, supervisor_id=other_supervisor.id), MARCH)
    assert (mine["sessions"]["completed"], theirs["sessions"]["completed"]) == (1, 1)
    assert metrics.headline(Scope(program_id), MARCH)["sessions"]["completed"] == 2
