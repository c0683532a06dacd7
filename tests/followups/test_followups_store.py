"""The SUPRT follow-up rates stored beside the report (``store.followup_report``): served again
only while no change could alter them and the day is the same, so the stored figures always
equal the figures computed now.

Every test compares the stored figures with ``metrics.figures`` computed afresh and counts how
often the store computes. The worked example of metrics.md ("Follow-up interviews (SUPRT)") is
the data: its six-month windows close in March 2026.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event, func, select

from coachapp.extensions import db as _db
from coachapp.followups import metrics, services
from coachapp.models import Enrollment, FollowUpInterview, ReportChange, StoredReport
from coachapp.reports import store
from coachapp.reports.metrics import Period, Scope
from tests import factories

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL_15 = date(2026, 4, 15)  # every window of March has closed
compute = metrics.figures  # the real one, whatever a test patches


@pytest.fixture
def computed(monkeypatch):
    """How many times the store computed the figures (``computed[0]``)."""
    calls = [0]

    def counting(scope, period, *, today):
        calls[0] += 1
        return compute(scope, period, today=today)

    monkeypatch.setattr(metrics, "figures", counting)
    return calls


def fresh(scope: Scope, period: Period, today: date = APRIL_15) -> dict:
    """The figures computed now, through JSON as the store keeps them."""
    return json.loads(json.dumps(compute(scope, period, today=today)))


def stored(scope: Scope, period: Period, today: date = APRIL_15) -> dict:
    figures = store.followup_report(scope, period, today=today)
    _db.session.commit()
    return figures


def _episode(intake: date) -> Enrollment:
    return _db.session.scalars(
        select(Enrollment).where(Enrollment.intake_date == intake).order_by(Enrollment.id)
    ).first()


def _changes(month: date) -> int:
    found = _db.session.scalar(select(ReportChange.changes).where(ReportChange.month == month))
    return found or 0


def test_stored_figures_equal_the_computed_ones_and_are_read_back(example, coach, computed):
    scope = Scope(coach.program_id)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        first = stored(scope, MARCH)
        first_statements = len(statements)
        again = stored(scope, MARCH)
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    assert first == fresh(scope, MARCH)
    assert first["six_month"]["rate"] == 0.6  # the worked example
    assert computed[0] == 1 and again == first
    assert len(statements) - first_statements == 2  # the change counts, the stored row
    assert first_statements > 2


def test_each_scope_is_stored_apart_and_beside_the_report(example, coach, computed):
    scopes = (
        Scope(coach.program_id),
        Scope(coach.program_id, supervisor_id=coach.supervisor_id),
        Scope(coach.program_id, coach_id=coach.id),
    )
    for scope in scopes:
        assert stored(scope, MARCH) == fresh(scope, MARCH)
    assert computed[0] == 3
    assert stored(scopes[2], MARCH)["six_month"]["due"] == 4 and computed[0] == 3
    assert "six_month" not in store.detailed_report(scopes[0], MARCH)  # the report's own keys
    _db.session.commit()
    assert stored(scopes[0], MARCH) == fresh(scopes[0], MARCH) and computed[0] == 3


# --- Changes: the stored figures are computed again -----------------------------------------


def record_in_the_window(coach):
    episode = _episode(date(2025, 8, 20))  # F-3: missed; its window closes 2026-03-22
    services.record_interview(episode.client, episode, "six_month", date(2026, 3, 1), actor=coach)
    _db.session.commit()


def record_late(coach):
    """Dated in April, it counts (outside the window) in March, where the window closed."""
    episode = _episode(date(2025, 8, 20))
    services.record_interview(episode.client, episode, "six_month", date(2026, 4, 2), actor=coach)
    _db.session.commit()


def archive_a_record(coach):
    row = _db.session.scalars(
        select(FollowUpInterview).where(FollowUpInterview.done_on == date(2026, 3, 30))
    ).one()  # F-1: done on the window's last day
    services.archive_interview(row, reason="Entered for the wrong client", actor=coach)
    _db.session.commit()


def discharge_a_client(coach):
    """F-3 discharged in February: its closeout window closes in March."""
    from coachapp.clients.services import discharge

    client = _episode(date(2025, 8, 20)).client
    discharge(
        client, on=date(2026, 2, 15), reason="completed", note=None, version=None, actor=coach
    )
    _db.session.commit()


def move_a_client_to_another_coach(coach):
    from coachapp.team.services import reassign

    other = factories.user("coach", program=coach.program, supervisor=coach.supervisor)
    client = _episode(date(2025, 8, 31)).client  # F-1: its window closes 2026-03-30
    reassign(
        client, other, actor=coach.supervisor, reason="Caseload balance", effective_on=MARCH.start
    )
    _db.session.commit()


CHANGES = [
    record_in_the_window,
    record_late,
    archive_a_record,
    discharge_a_client,
    move_a_client_to_another_coach,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_a_change_is_in_the_next_figures(example, coach, computed, change):
    scope = Scope(coach.program_id, coach_id=coach.id)
    before = stored(scope, MARCH)
    change(coach)
    after = stored(scope, MARCH)
    assert computed[0] == 2
    assert after == fresh(scope, MARCH)
    assert after != before  # each change moves a figure: the test could fail


def test_a_record_counts_from_its_episodes_intake_not_its_date(example, coach):
    """A late record dated in April alters March: it is counted in the month of its episode's
    intake (every window of an episode closes on or after its intake)."""
    intake, recorded = date(2025, 8, 1), date(2026, 4, 1)
    before = (_changes(intake), _changes(recorded), _changes(store.EVERY_PERIOD))
    record_late(coach)
    assert (_changes(intake), _changes(recorded), _changes(store.EVERY_PERIOD)) == (
        before[0] + 1,
        before[1],
        before[2],
    )


def test_a_record_of_a_later_episode_leaves_the_figures_stored(example, coach, computed):
    scope = Scope(coach.program_id)
    before = stored(scope, MARCH)
    client = factories.client(coach, intake_date=date(2026, 5, 4))
    episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    services.record_interview(client, episode, "baseline", date(2026, 5, 6), actor=coach)
    _db.session.commit()
    assert stored(scope, MARCH) == before
    assert computed[0] == 1


# --- The day ----------------------------------------------------------------------------------


def test_a_new_day_computes_the_figures_again(example, coach, computed):
    """F-1's window closes on 2026-03-30: not counted on the 30th, counted from the 31st. Once
    the period has ended every later day gives the same figures: they are read back."""
    scope = Scope(coach.program_id, coach_id=coach.id)
    on_30 = stored(scope, MARCH, date(2026, 3, 30))
    assert stored(scope, MARCH, date(2026, 3, 30)) == on_30 and computed[0] == 1
    on_31 = stored(scope, MARCH, date(2026, 3, 31))
    assert computed[0] == 2
    assert on_31 == fresh(scope, MARCH, date(2026, 3, 31)) != on_30
    assert on_31["six_month"]["due"] == on_30["six_month"]["due"] + 1
    assert stored(scope, MARCH, date(2026, 4, 1)) == fresh(scope, MARCH, date(2026, 4, 1))
    assert computed[0] == 3
    assert stored(scope, MARCH, date(2026, 12, 6)) == fresh(scope, MARCH, date(2026, 12, 6))
    assert computed[0] == 3  # after the period, a new day changes nothing
    rows = _db.session.scalar(
        select(func.count())
        .select_from(StoredReport)
        .where(StoredReport.definitions == store.FOLLOWUP_DEFINITIONS)
    )
    assert rows == 1  # a new day replaces the stored figures


# --- The page, the export and the API read them ----------------------------------------------


def _today() -> date:
    return datetime.now(timezone.utc).date()  # factories' programs are in UTC


def test_the_page_export_and_api_read_the_stored_figures(example, app, login, coach, computed):
    from coachapp.auth.tokens import create_token

    args = "start=2026-03-01&end=2026-03-31"
    browser = login(coach)
    assert browser.get(f"/reports/?{args}").status_code == 200
    assert computed[0] == 1
    assert browser.get(f"/reports/?{args}").status_code == 200
    csv = browser.get(f"/reports/export.csv?table=report&{args}").get_data(as_text=True)
    line = next(row for row in csv.splitlines() if row.endswith("followups.six_month.rate"))
    assert ",2,4," in line
    secret, _row = create_token(coach, "test")
    _db.session.commit()
    api = app.test_client().get(
        "/api/v1/reports/followups",
        headers={"Authorization": f"Bearer {secret}"},
        query_string={"start": "2026-03-01", "end": "2026-03-31"},
    )
    assert api.status_code == 200
    assert computed[0] == 1
    expected = fresh(Scope(coach.program_id, coach_id=coach.id), MARCH, _today())
    assert {k: api.json[k] for k in expected} == expected


# --- What is tracked covers what the figures read --------------------------------------------

QUALIFIED = re.compile(r'"?\b([a-z_]+?)(?:_\d+)?"?\."?([a-z_0-9]+)"?')


def test_every_column_the_figures_read_is_tracked(example, coach):
    scopes = (
        Scope(coach.program_id),
        Scope(coach.program_id, supervisor_id=coach.supervisor_id),
        Scope(coach.program_id, coach_id=coach.id),
    )
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        for scope in scopes:
            compute(scope, MARCH, today=APRIL_15)
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    tables = set(_db.metadata.tables)
    read: dict[str, set[str]] = {}
    for sql in statements:
        for table, column in QUALIFIED.findall(sql):
            if table in tables and column in _db.metadata.tables[table].c:
                read.setdefault(table, set()).add(column)
    assert {"follow_up_interviews", "enrollments", "clients"} <= set(read)
    untracked = {
        f"{table}.{column}"
        for table, columns in read.items()
        for column in columns
        if column not in store.TRACKED_TABLES.get(table, store.Tracked(frozenset())).columns
    }
    assert untracked == set()
