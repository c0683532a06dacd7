"""The benchmark harness (bench/) on the small demo, so it cannot rot between `make bench` runs.

- the hand-written reference query gives exactly ``metrics.headline``'s figures (several periods);
- the report timing and the page timing run and count statements;
- end to end on a database file (or a scratch PostgreSQL database): the build in a child process,
  a streamed CSV of every session in a child process (peak RSS), gunicorn with the load
  generator, and the results table;
- the Lighthouse part (bench/phone.py) without running Lighthouse: its command line, the reading
  of its report, and nginx in front of gunicorn compressing as the README's sample says.

Fast: the whole module runs in well under 30 s.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bench import load as loader
from bench import pages, phone, run, serve
from bench.reference import reference_headline
from bench.table import phone_rows
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
    assert timing.full_report_equal and timing.full_report_complete, timing.differences
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
        "signed-in trivial page",
    }
    for result in results:
        if not result.available:
            assert "reports.index" not in app.view_functions
            continue
        assert len(result.times_ms) == 2 and result.median_ms > 0
        assert len(result.sql_ms) == len(result.sql_cpu_ms) == 2
        assert 0 < result.median_sql_ms < result.median_ms
        assert result.cpu_over_sql > 0
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
    results["sqlite"] = url.startswith("sqlite")
    results["report"] = results["small_report"] = run.time_report(app, 1, warmup=0)
    results["pages"] = results["small_pages"] = pages.time_pages(app, 1, warmup=0)
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
    for name in ("healthz", "trivial", "caseload"):
        outcome = results["throughput"][name]
        assert outcome.requests == 20 and outcome.errors == 0, outcome.first_error
        assert outcome.per_second > 0

    rows = run.build_rows(results, "small")
    text = run.table(rows, "small")
    sections = (
        "1. report, last 12 months",
        "1. ratio",
        "2. caseload",
        "2. signed-in trivial page",
        "3. ratio caseload / signed-in trivial page",
        "4. CSV",
        "5. build",
        "6. Lighthouse",
    )
    for section in sections:
        assert section in text
    assert all(row.met is not False for row in rows if row.measure.startswith("3. errors"))


def test_lighthouse_command_and_report(tmp_path):
    command = phone.lighthouse_command(
        "https://127.0.0.1:8443/clients/", tmp_path / "r.json", cookie="session=abc"
    )
    assert command[1] == "https://127.0.0.1:8443/clients/"
    assert "--output=json" in command and f"--output-path={tmp_path / 'r.json'}" in command
    assert "--only-categories=performance,accessibility,best-practices" in command
    assert '--extra-headers={"Cookie": "session=abc"}' in command
    # Lighthouse's mobile defaults: nothing that changes the device, the network or the CPU
    assert not [a for a in command if a.startswith(("--preset", "--form-factor", "--throttl"))]
    assert "--extra-headers" not in " ".join(phone.lighthouse_command("u", tmp_path / "r"))

    report = {
        "finalDisplayedUrl": "https://127.0.0.1:8443/clients/",
        "categories": {
            "performance": {"score": 0.97},
            "accessibility": {"score": 1},
            "best-practices": {"score": 0.96},
        },
        "audits": {
            "cumulative-layout-shift": {"numericValue": 0.004},
            "largest-contentful-paint": {"numericValue": 1800.0},
            "total-blocking-time": {"numericValue": 40.0},
        },
    }
    page = phone.PhonePage("caseload", "/clients/", "coach")
    result = phone.parse_report(page, report)
    assert (result.performance, result.accessibility, result.best_practices) == (97, 100, 96)
    assert (result.cls, result.lcp_ms, result.tbt_ms) == (0.004, 1800.0, 40.0)
    rows = phone_rows({"pages": [result]})
    assert rows[0].met is True
    assert "| caseload /clients/ | coach | 97 | 0.004 | 100 | 96 |" in run.phone_table(
        {"pages": [result]}
    )
    slow = phone.parse_report(page, {**report, "categories": {"performance": {"score": 0.9}}})
    assert phone_rows({"pages": [slow]})[0].met is False
    failed = phone.PhoneResult(page, error="timed out after 180 s")
    assert phone.median_run([result, failed, slow]) is slow  # 90, 97: the lower middle
    assert phone.median_run([failed, slow, result, result]) is result
    assert phone.median_run([failed]) is failed
    assert phone_rows({"pages": [failed]})[0].met is False

    pages_visited = phone.journey_pages(7)
    paths = {p.path for p in pages_visited}
    assert {"/clients/", "/clients/7", "/team/", "/reports/"} <= paths


@pytest.mark.skipif(not phone.shutil.which("nginx"), reason="no nginx on this machine")
def test_nginx_in_front_compresses_as_the_readme_says():
    """What Lighthouse is pointed at is nginx with the README's gzip lines, over HTTPS: here in
    front of a plain file server of static/ (the app behind it is gunicorn in the real run)."""
    import functools
    import http.client
    import http.server
    import ssl
    import threading

    assert any(line.startswith("gzip on") for line in phone.readme_gzip())
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(serve.REPO / "static")
    )
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=files.serve_forever, daemon=True)
    thread.start()
    try:
        upstream = serve.Server("127.0.0.1", files.server_address[1], 1, 1, "")
        with phone.nginx_in_front(upstream, probe="/css/noscript.css") as base:
            port = int(base.rsplit(":", 1)[1])
            context = ssl._create_unverified_context()  # noqa: S323 - the bench's own certificate
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
            conn.request(
                "GET", "/vendor/bootstrap/bootstrap.min.css", headers={"Accept-Encoding": "gzip"}
            )
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200
            assert response.getheader("Content-Encoding") == "gzip"
            assert len(body) < 60_000  # Bootstrap's 227 KiB compressed
            conn.close()
    finally:
        files.shutdown()
        files.server_close()
