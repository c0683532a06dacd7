"""The measures of ``python -m bench.run`` (bench/run.py): the report against the hand-written
query, export memory in child processes, throughput under gunicorn, and the context of a run
(machine, CPU reference, load, commit, database)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from bench import pages, serve
from bench.reference import reference_headline


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- 1. The report against the hand-written query ------------------------------------------


@dataclass
class ReportTiming:
    app_ms: list[float]
    reference_ms: list[float]
    full_report_ms: list[float]
    figures_equal: bool
    differences: list[str]
    # metrics.outcome_report's headline figures against the reference query's, and whether its
    # by_coach and by_month are there (a report without them would be quick and incomplete)
    full_report_equal: bool = True
    full_report_complete: bool = True

    @property
    def ratio(self) -> float:
        return statistics.median(self.app_ms) / statistics.median(self.reference_ms)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def compare_figures(app_figures: dict, reference: dict) -> list[str]:
    """Dotted keys whose values differ between the app's headline and the reference query."""
    from coachapp.reports.metrics import flatten

    mine, theirs = dict(flatten(app_figures)), dict(flatten(reference))
    return [
        f"{key}: app {mine.get(key)!r}, query {theirs.get(key)!r}"
        for key in sorted(set(mine) | set(theirs))
        if mine.get(key) != theirs.get(key)
    ]


REPORT_PARTS = ("period", "scope", "by_coach", "by_month")


def headline_of(report: dict) -> dict:
    """The headline figures of an ``outcome_report`` (every key but the period, the scope and
    the breakdowns)."""
    return {k: v for k, v in report.items() if k not in REPORT_PARTS}


def time_report(app, runs: int, *, warmup: int = 1, full_runs: int | None = None) -> ReportTiming:
    """The whole program over the last 12 months: ``metrics.headline``, the reference query
    and ``metrics.outcome_report`` (headline, ``by_coach``, ``by_month``), alternated run by
    run (so background load falls on all alike). Before each ``outcome_report`` the stored
    reports are dropped (committed, not timed): every run is a first view. ``full_runs``:
    how many of the runs also time ``outcome_report`` (default all)."""
    from coachapp.extensions import db
    from coachapp.reports import metrics, store

    who = pages.subjects(app)
    scope, period = metrics.Scope(who.program_id), metrics.Period(*who.period)
    full_runs = runs if full_runs is None else full_runs
    app_ms, reference_ms, full_ms = [], [], []
    with app.app_context():
        app_figures = reference = report = None
        for i in range(warmup + runs):
            elapsed, app_figures = _timed(lambda: metrics.headline(scope, period))
            db.session.rollback()
            with db.engine.connect() as conn:
                ref_elapsed, reference = _timed(
                    lambda conn=conn: reference_headline(conn, who.program_id, *who.period)
                )
            if i < warmup + full_runs:
                store.forget()
                db.session.commit()
                full_elapsed, report = _timed(lambda: metrics.outcome_report(scope, period))
                db.session.rollback()
            if i >= warmup:
                app_ms.append(elapsed)
                reference_ms.append(ref_elapsed)
                if i < warmup + full_runs:
                    full_ms.append(full_elapsed)
        db.session.remove()
    differences = compare_figures(app_figures, reference)
    full_differences = compare_figures(headline_of(report), reference) if report else []
    complete = bool(report) and all(part in report for part in REPORT_PARTS)
    complete = complete and bool(report["by_coach"]) and bool(report["by_month"])
    return ReportTiming(
        app_ms,
        reference_ms,
        full_ms,
        not differences,
        differences + [f"outcome_report {d}" for d in full_differences],
        not full_differences,
        complete,
    )


# --- 4. Export memory ----------------------------------------------------------------------


EXPORT_MODES = ("baseline", "sessions", "app")


def export_memory(url: str, period: tuple, modes: tuple[str, ...] = EXPORT_MODES) -> dict:
    """Peak RSS of child processes: baseline, every session as CSV, the app's export."""
    results = {}
    arguments = {"app": [period[0].isoformat(), period[1].isoformat()]}
    for mode in modes:
        extra = arguments.get(mode, [])
        completed = subprocess.run(  # noqa: S603 - our own module
            [sys.executable, "-m", "bench.export", "measure", mode, url, *extra],
            capture_output=True,
            text=True,
            check=False,
            cwd=serve.REPO,
        )
        if completed.returncode != 0:
            results[mode] = {"error": completed.stderr.strip().splitlines()[-1:]}
            continue
        results[mode] = json.loads(completed.stdout.strip().splitlines()[-1])
    return results


# --- 3. Throughput -------------------------------------------------------------------------


def throughput(
    url: str, *, requests: int, concurrency: int, max_seconds: float, workers: int | None = None
) -> dict:
    """/healthz, the signed-in trivial page (``pages.TRIVIAL_PAGE``, the ratio's reference)
    and the caseload page (demo coach) under gunicorn, same server, same load, one after the
    other. ``workers``: None keeps gunicorn.conf.py's default (WEB_CONCURRENCY or 2 per core)."""
    from coachapp.demo import DEMO_PASSWORD

    with serve.gunicorn(url, workers=workers) as server:
        coach = serve.sign_in_http(server, pages.demo_email("coach"), DEMO_PASSWORD)
        reader = serve.sign_in_http(server, pages.demo_email(pages.TRIVIAL_ROLE), DEMO_PASSWORD)
        results = {}
        for name, path, jar in (
            ("healthz", "/healthz", ""),
            ("trivial", pages.TRIVIAL_PAGE, reader),
            ("caseload", "/clients/", coach),
        ):
            serve.load(server, path, requests=2 * concurrency, concurrency=concurrency, cookie=jar)
            results[name] = serve.load(
                server,
                path,
                requests=requests,
                concurrency=concurrency,
                cookie=jar,
                max_seconds=max_seconds,
            )
        results["server"] = server
    return results


# --- Context -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "memory": mem or "?",
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }


def cpu_reference_ms(repeat: int = 5) -> float:
    """The best of ``repeat`` timings of one fixed piece of pure Python (a loop summing ten
    million numbers): the machine's speed at the moment, so that runs on a slower or busier
    machine can be told apart from slower code (every page time scales with it)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=serve.REPO,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--"],  # noqa: S607
            capture_output=True,
            check=False,
            cwd=serve.REPO,
            timeout=10,
        ).returncode
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def database_label(url: str) -> str:
    engine = __import__("sqlalchemy").create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                version = conn.execute(text("SHOW server_version")).scalar()
                where = f"{engine.url.host or 'local socket'}:{engine.url.port or 5432}"
                return f"PostgreSQL {version.split()[0]} at {where}"
            version = conn.execute(text("SELECT sqlite_version()")).scalar()
            return f"SQLite {version} (file)"
    finally:
        engine.dispose()
