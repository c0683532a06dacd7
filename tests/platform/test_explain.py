"""The report's main queries and the caseload query reach the big tables (sessions,
appointments, referrals) through indexes, never by reading a whole table.

The statements are the app's own: captured while ``metrics.headline`` /
``metrics.outcome_report`` and the caseload page's queries (``caseload_page``, ``alert_counts``)
run, then explained with their parameters.

- PostgreSQL plans from statistics, so tiny tables would rightly be read whole. The small demo
  program is seeded, a second program of 200 coaches and 12,000 clients with 180,000 sessions,
  60,000 appointments and 24,000 referrals is added with ``generate_series``, the tables are
  ANALYZEd, and ``EXPLAIN (FORMAT JSON)`` must show no ``Seq Scan`` on a big table for: the
  caseload of a coach with 600 clients, the demo program's whole report (its figures and its
  by-month and by-coach breakdowns), and one coach's 12-month report in the big program.
  (A whole-program report of the program holding nearly all rows reads most of each table: a
  sequential scan is the right plan there and is not asserted against.)
- SQLite has no statistics unless someone runs ANALYZE, so its plans do not depend on the
  data's size: ``EXPLAIN QUERY PLAN`` over the small demo shows what the large one gets. Every
  step on a big table must be a SEARCH (an index), and the caseload's per-client subqueries
  must search by ``client_id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, select, text

from bench.load import build_in_child, make_app
from bench.pages import last_12_months
from coachapp import timeutil
from coachapp.clients.alerts import AlertContext, alert_counts
from coachapp.clients.queries import caseload_page
from coachapp.demo import DEMO_USERS, build_demo
from coachapp.extensions import db as _db
from coachapp.models import Program, User
from coachapp.reports import metrics
from tests import factories
from tests.helpers import on_postgres

BIG_TABLES = ("sessions", "appointments", "referrals")
# A report of whole months reads sessions and appointments counts from the report rollups
# (episodes and engagement around them still read sessions).
ROLLUP_TABLES = ("report_client_months", "report_coach_months")


@contextmanager
def captured(db) -> Iterator[list[tuple[str, object]]]:
    """The (statement, parameters) of every SELECT run inside the block."""
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def run_and_capture(db, work: Callable[[], object]) -> list[tuple[str, object]]:
    with captured(db) as statements:
        work()
    assert statements, "nothing was captured"
    return statements


def demo_user(db, role: str) -> User:
    email = dict(DEMO_USERS)[role]
    return db.session.scalar(select(User).where(User.email == email))


def caseload_work(db, user: User) -> Callable[[], object]:
    def work():
        program = db.session.get(Program, user.program_id)
        ctx = AlertContext(timeutil.local_today(program), timeutil.local_now(program))
        from coachapp import access

        caseload_page(user, ctx, q=None, status="active", sort="name", page=1)
        alert_counts(access.visible_clients(user), ctx)

    return work


# --- SQLite ------------------------------------------------------------------------------------

PLAN_STEP = re.compile(r"^(SCAN|SEARCH) (\w+?)(?:_\d+)?\b(.*)$")


def sqlite_steps(db, statements, tables=BIG_TABLES) -> list[tuple[str, str, str, str]]:
    """``(verb, table, detail, statement)`` of every plan step on one of ``tables``."""
    steps = []
    conn = db.session.connection()
    for statement, parameters in statements:
        for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
            match = PLAN_STEP.match(row[-1])
            if match and match.group(2) in tables:
                steps.append((match.group(1), match.group(2), row[-1], statement[:120]))
    return steps


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory):
    """The small demo in a SQLite file whose schema the migrations made, as in production (the
    planner breaks cost ties by the order indexes were created, so ``create_all`` would not
    do), built the way `make bench` builds it."""
    if on_postgres():
        pytest.skip("SQLite plans: this run is on PostgreSQL (see test_postgresql_plans_*)")
    url = f"sqlite:///{tmp_path_factory.mktemp('explain') / 'demo.sqlite3'}"
    build_in_child(url, "small", seed=5)
    app = make_app(url)
    with app.app_context():
        yield _db, _db.session.scalar(select(Program))
        _db.session.remove()
        _db.engine.dispose()


def test_sqlite_report_queries_use_indexes(sqlite_demo):
    db, program = sqlite_demo
    period = metrics.Period(*last_12_months(date.today()))
    statements = run_and_capture(
        db, lambda: metrics.outcome_report(metrics.Scope(program.id), period)
    )
    steps = sqlite_steps(db, statements, BIG_TABLES + ROLLUP_TABLES)
    assert {table for _verb, table, _d, _s in steps} == {"sessions", "referrals", *ROLLUP_TABLES}
    scans = [(detail, statement) for verb, _t, detail, statement in steps if verb == "SCAN"]
    assert scans == []


def test_sqlite_caseload_queries_use_indexes(sqlite_demo):
    db, _program = sqlite_demo
    steps = sqlite_steps(db, run_and_capture(db, caseload_work(db, demo_user(db, "coach"))))
    assert {table for _verb, table, _d, _s in steps} == set(BIG_TABLES)
    assert [detail for verb, _t, detail, _s in steps if verb == "SCAN"] == []


def test_sqlite_caseload_subqueries_search_by_client(sqlite_demo):
    db, _program = sqlite_demo
    steps = sqlite_steps(db, run_and_capture(db, caseload_work(db, demo_user(db, "coach"))))
    assert [detail for _v, _t, detail, _s in steps if "client_id=" not in detail] == []


# --- PostgreSQL --------------------------------------------------------------------------------

BULK_CLIENTS = 12_000
BULK_COACHES = 200  # 60 clients each, the shape of the large demo (100 each)
SESSIONS_PER_CLIENT = 15
APPOINTMENTS_PER_CLIENT = 5
REFERRALS_PER_CLIENT = 2

SEED_SQL = [
    """
    INSERT INTO users (email, name, password_hash, role, program_id, active, session_version,
                       created_at, updated_at)
    SELECT 'bulk-coach-' || g || '@example.org', 'Bulk Coach ' || g, 'not-a-hash', 'coach',
           :program_id, true, 1, now(), now()
    FROM generate_series(1, :coaches) AS g
    """,
    """
    INSERT INTO clients (program_id, code, first_name, last_name, name_key, okay_to_call,
                         okay_to_text, status, coach_id, consent_on_file, version, created_at,
                         updated_at)
    SELECT :program_id, 'BULK-' || g, 'Bulk', 'Client ' || g, 'bulk client ' || g, false, false,
           CASE WHEN (g / :coaches) % 5 = 0 THEN 'discharged' ELSE 'active' END, c.id, false,
           1, now(), now()
    FROM generate_series(0, :clients - 1) AS g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
            FROM users WHERE program_id = :program_id AND role = 'coach') AS c
      ON c.k = g % :coaches
    """,
    """
    INSERT INTO enrollments (client_id, intake_date, created_at, updated_at)
    SELECT id, CURRENT_DATE - (id % 540), now(), now() FROM clients WHERE program_id = :program_id
    """,
    """
    INSERT INTO sessions (client_id, coach_id, date, duration_minutes, modality, kind, outcome,
                          version, created_at, updated_at)
    SELECT c.id, c.coach_id, CURRENT_DATE - ((c.id * 37 + s * 11) % 540), 15 + s % 60,
           'in_person', 'coaching', CASE WHEN s % 4 = 0 THEN 'attempted' ELSE 'completed' END,
           1, now(), now()
    FROM clients c CROSS JOIN generate_series(1, :sessions) AS s
    WHERE c.program_id = :program_id
    """,
    """
    INSERT INTO appointments (client_id, coach_id, scheduled_at, kind, accompaniment_planned,
                              outcome, version, created_at, updated_at)
    SELECT c.id, c.coach_id,
           (CURRENT_DATE - ((c.id * 13 + s * 29) % 540))::timestamp + interval '10 hours',
           'medical', s % 2 = 0,
           (ARRAY['attended', 'no_show', 'cancelled', 'rescheduled', 'attended'])[1 + s % 5],
           1, now(), now()
    FROM clients c CROSS JOIN generate_series(1, :appointments) AS s
    WHERE c.program_id = :program_id
    """,
    """
    INSERT INTO referrals (client_id, coach_id, resource_id, category, referred_on, status,
                           connected_on, version, created_at, updated_at)
    SELECT c.id, c.coach_id, r.id, r.category, CURRENT_DATE - ((c.id * 7 + s * 61) % 540),
           CASE WHEN s % 2 = 0 THEN 'connected' ELSE 'referred' END,
           CASE WHEN s % 2 = 0 THEN CURRENT_DATE - ((c.id * 7 + s * 61) % 540) + 9 END,
           1, now(), now()
    FROM clients c CROSS JOIN generate_series(1, :referrals) AS s
    CROSS JOIN (SELECT id, category FROM resources ORDER BY id LIMIT 1) AS r
    WHERE c.program_id = :program_id
    """,
]


def pg_seq_scans(db, statements, tables=BIG_TABLES) -> list[tuple[str, str]]:
    """``(relation, statement)`` for every Seq Scan of one of ``tables`` in the statements'
    plans."""
    found = []
    conn = db.session.connection()
    for statement, parameters in statements:
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        if isinstance(plan, str):
            plan = json.loads(plan)
        stack = [plan[0]["Plan"]]
        while stack:
            node = stack.pop()
            stack.extend(node.get("Plans", []))
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in tables:
                found.append((node["Relation Name"], " ".join(statement.split())[:160]))
    return found


@pytest.fixture
def seeded_postgres(db):
    """The small demo program, plus a big second program, ANALYZEd."""
    if not on_postgres():
        pytest.skip("PostgreSQL plans: run with TEST_DATABASE_URL=postgresql+psycopg://...")
    build_demo("small", seed=5)
    demo_program = db.session.scalar(select(Program))
    big = factories.program(name="Statewide (bulk)")
    params = {
        "program_id": big.id,
        "clients": BULK_CLIENTS,
        "coaches": BULK_COACHES,
        "sessions": SESSIONS_PER_CLIENT,
        "appointments": APPOINTMENTS_PER_CLIENT,
        "referrals": REFERRALS_PER_CLIENT,
    }
    for statement in SEED_SQL:
        db.session.execute(text(statement), params)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("clients", "enrollments", *BIG_TABLES, "users", "assessments", "goals"):
            conn.execute(text(f"ANALYZE {table}"))
    sessions = db.session.scalar(text("SELECT count(*) FROM sessions"))
    assert sessions >= BULK_CLIENTS * SESSIONS_PER_CLIENT
    bulk_coach = db.session.scalar(
        select(User).where(User.program_id == big.id).order_by(User.id).limit(1)
    )
    return demo_program, big, bulk_coach


def caseload_statements(db, seeded_postgres) -> list[tuple[str, object]]:
    """The caseload's statements for the demo coach, the demo supervisor and a coach of the big
    program."""
    bulk_coach = seeded_postgres[2]
    statements = []
    for user in (demo_user(db, "coach"), demo_user(db, "supervisor"), bulk_coach):
        statements += run_and_capture(db, caseload_work(db, user))
    return statements


def test_postgresql_plans_of_the_caseload(db, seeded_postgres):
    """Sessions and appointments: per-client index probes only."""
    statements = caseload_statements(db, seeded_postgres)
    assert pg_seq_scans(db, statements, ("sessions", "appointments")) == []


def test_postgresql_plans_of_the_caseload_referrals(db, seeded_postgres):
    statements = caseload_statements(db, seeded_postgres)
    assert pg_seq_scans(db, statements, ("referrals",)) == []


def test_postgresql_plans_of_the_report(db, seeded_postgres):
    demo_program, big, bulk_coach = seeded_postgres
    period = metrics.Period(*last_12_months(date.today()))
    statements = run_and_capture(
        db, lambda: metrics.outcome_report(metrics.Scope(demo_program.id), period)
    )
    statements += run_and_capture(
        db, lambda: metrics.headline(metrics.Scope(big.id, coach_id=bulk_coach.id), period)
    )
    assert pg_seq_scans(db, statements) == []
