"""The benchmark harness (bench/) on the small demo, so it cannot rot between `make bench` runs.

- the hand-written reference query gives exactly ``metrics.headline``'s figures (several periods);
- the report timing and the page timing run and count statements;
- end to end on a database file (or a scratch PostgreSQL database): the build in a child process,
  a streamed CSV of every session in a child process (peak RSS), gunicorn with the load
  generator, and the results table.

Fast: the whole module runs in well under 30 s.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bench import load as loader
from bench import pages, run
from bench.reference import reference_headline
from coachapp.demo import build_demo
from coachapp.models import CoachingSession, Program
from coachapp.reports import metrics
from tests.helpers import create_scratch_database, drop_scratch_database, on_postgres


@pytest.fixture
def demo(db):
    build_demo("small", seed=3)
    return db.session.scalar(select(Program))


def _periods(today: date) -> list[tuple[date, date]]:
    start, end = pages.last_12_months(today)
    return [
        (start, end),  # what the benchmark measures
        (today - timedelta(days=30), today),  # a month up to today (pending appointments)
        (today - timedelta(days=400), today - timedelta(days=300)),  # deep in the history
        (today - timedelta(days=7), today - timedelta(days=7)),  # one day
        (today - timedelta(days=600), today + timedelta(days=60)),  # all of it and beyond
    ]


def test_reference_query_gives_the_headline_figures(db, demo):
    today = date.today()
    for start, end in _periods(today):
        app_figures = metrics.headline(metrics.Scope(demo.id), metrics.Period(start, end))
        reference = reference_headline(db.session.connection(), demo.id, start, end)
        assert run.compare_figures(app_figures, reference) == [], (start, end)
    # the figures are not all zeros: the comparison means something
    start, end = pages.last_12_months(today)
    figures = reference_headline(db.session.connection(), demo.id, start, end)
    assert figures["sessions"]["completed"] > 100
    assert figures["time_to_first_contact_days"]["n"] > 0
    assert figures["referrals"]["linked"] > 0
    assert figures["retention"]["30"]["eligible"] > 0
    assert figures["recovery_capital"]["clients_with_two_or_more"] > 0


def test_report_timing_and_pages(app, demo):
    timing = run.time_report(app, runs=1, warmup=0, full_runs=1)
    assert timing.figures_equal, timing.differences
    assert len(timing.app_ms) == len(timing.reference_ms) == len(timing.full_report_ms) == 1
    assert timing.ratio > 0

    results = pages.time_pages(app, runs=2, warmup=0)
    by_name = {r.name.split(" /")[0]: r for r in results}
    assert set(by_name) == {
        "caseload",
        "client page",
        "supervisor dashboard",
        "report page, computed",
        "report page, stored",
    }
    for result in results:
        if not result.available:
            assert "reports.index" not in app.view_functions
            continue
        assert len(result.times_ms) == 2 and result.median_ms > 0
        # a page's statements do not change from one request to the next
        assert result.queries[0] == result.queries[1] > 0, result.name
    # the computed report page runs the report's queries each time; stored, it reads them back
    assert by_name["report page, stored"].query_count < by_name["report page, computed"].query_count


def test_last_12_months_are_whole_months():
    assert pages.last_12_months(date(2026, 3, 15)) == (date(2025, 3, 1), date(2026, 2, 28))
    assert pages.last_12_months(date(2026, 1, 1)) == (date(2025, 1, 1), date(2025, 12, 31))


def test_command_line_defaults():
    args = run.parse_args([])
    assert (args.scale, args.runs, args.requests, args.concurrency) == ("large", 7, 2000, 8)
    assert run.parse_args(["--scale", "small", "--runs", "2"]).runs == 2


@pytest.fixture
def demo_database(tmp_path):
    """The small demo built the way `make bench` builds it (migrations, then the demo, in a
    child process) into a database file, or a scratch database on the PostgreSQL test server."""
    if on_postgres():
        url = create_scratch_database("coachapp_bench_smoke")
    else:
        url = f"sqlite:///{tmp_path / 'bench-smoke.sqlite3'}"
    try:
        yield url, loader.build_in_child(url, "small")
    finally:
        if on_postgres():
            drop_scratch_database(url)


def test_end_to_end_on_a_database(demo_database):
    url, build = demo_database
    assert build.sessions > 2000 and build.demo_seconds > 0

    app = loader.make_app(url)
    results: dict = {"concurrency": 2, "small_build": build, "build": build}
    results["report"] = results["small_report"] = run.time_report(app, 1, full_runs=1)
    results["pages"] = results["small_pages"] = pages.time_pages(app, 1)
    assert results["report"].figures_equal, results["report"].differences

    who = pages.subjects(app)
    memory = run.export_memory(url, who.period, modes=("sessions",))
    with app.app_context():
        from coachapp.extensions import db

        sessions = db.session.scalar(
            select(func.count())
            .select_from(CoachingSession)
            .where(CoachingSession.archived_at.is_(None))
        )
        db.session.remove()
    assert memory["sessions"]["rows"] == sessions
    assert 0 < memory["sessions"]["maxrss_mb"] < run.TARGET_EXPORT_MB
    results["memory"] = {**memory, "app": {"available": False}, "baseline": {}}

    results["throughput"] = run.throughput(
        url, requests=20, concurrency=2, max_seconds=30, workers=2
    )
    for name in ("healthz", "caseload"):
        outcome = results["throughput"][name]
        assert outcome.requests == 20 and outcome.errors == 0, outcome.first_error
        assert outcome.per_second > 0

    rows = run.build_rows(results, "small")
    text = run.table(rows, "small")
    for section in ("1. ratio", "2. caseload", "3. ratio caseload / healthz", "4. CSV", "5. build"):
        assert section in text
    assert all(row.met is not False for row in rows if row.measure.startswith("3. errors"))
