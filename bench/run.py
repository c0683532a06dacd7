"""``python -m bench.run [--scale small|medium|large] [--runs N]`` (``make bench``).

Builds the demo program at ``--scale`` (default large) into a fresh database, SQLite under
bench/ or, when ``DATABASE_URL`` names a PostgreSQL server, a new database there, plus the small
demo beside it (so query counts can be compared across sizes), then measures in one run:

1. the whole-program report for the last 12 months: ``metrics.headline`` (every headline figure
   of metrics.md, what the report page and the exports compute) against the one hand-written
   query of bench/reference.py, interleaved run by run, medians and their ratio; the full
   ``metrics.outcome_report`` (headline + by_coach + by_month) is timed too, for information;
2. the caseload, client, supervisor dashboard and report pages through the test client (signed
   in with the real form), median ms and SQL statements per request, small and large;
3. requests per second of the caseload page under gunicorn against /healthz on the same server;
4. peak memory of a child process streaming every session of the program as CSV (and of the
   app's own per-client CSV export, when the app has it);
5. the time to build the demo program.

Prints a table and appends it to bench/RESULTS.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
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

from bench import load as loader
from bench import pages, serve
from bench.reference import reference_headline

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_RATIO = 1.5
TARGET_PAGE_MS = 50.0
TARGET_THROUGHPUT = 0.3
TARGET_EXPORT_MB = 200.0


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


def time_report(app, runs: int, *, warmup: int = 1, full_runs: int | None = None) -> ReportTiming:
    """``metrics.headline`` and the reference query for the whole program over the last 12
    months, alternated run by run (so background load falls on both alike)."""
    from coachapp.extensions import db
    from coachapp.reports import metrics

    who = pages.subjects(app)
    scope, period = metrics.Scope(who.program_id), metrics.Period(*who.period)
    app_ms, reference_ms, full_ms = [], [], []
    with app.app_context():
        app_figures = reference = None
        for i in range(warmup + runs):
            elapsed, app_figures = _timed(lambda: metrics.headline(scope, period))
            db.session.rollback()
            with db.engine.connect() as conn:
                ref_elapsed, reference = _timed(
                    lambda conn=conn: reference_headline(conn, who.program_id, *who.period)
                )
            if i >= warmup:
                app_ms.append(elapsed)
                reference_ms.append(ref_elapsed)
        for _ in range(full_runs if full_runs is not None else max(1, min(runs, 3))):
            elapsed, _report = _timed(lambda: metrics.outcome_report(scope, period))
            db.session.rollback()
            full_ms.append(elapsed)
        db.session.remove()
    differences = compare_figures(app_figures, reference)
    return ReportTiming(app_ms, reference_ms, full_ms, not differences, differences)


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
    """/healthz and the caseload page (demo coach) under gunicorn, same server, same load.
    ``workers``: None keeps gunicorn.conf.py's default (WEB_CONCURRENCY or 2 per core)."""
    from coachapp.demo import DEMO_PASSWORD

    with serve.gunicorn(url, workers=workers) as server:
        cookie = serve.sign_in_http(server, pages.demo_email("coach"), DEMO_PASSWORD)
        results = {}
        for name, path, jar in (("healthz", "/healthz", ""), ("caseload", "/clients/", cookie)):
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


# --- The table -----------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    small: str
    value: str
    target: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**NO**", None: ""}[self.met]


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} ms"


def table(rows: list[Row], scale: str) -> str:
    header = f"| measure | small | {scale} | target | met |\n|---|---:|---:|---|---|\n"
    return header + "\n".join(
        f"| {r.measure} | {r.small} | {r.value} | {r.target} | {r.verdict} |" for r in rows
    )


def page_rows(small: list[pages.PageResult], big: list[pages.PageResult], scale: str) -> list:
    rows = []
    for s, b in zip(small, big, strict=True):
        name = b.name.split(" /")[0]
        if not b.available:
            rows.append(Row(f"2. {b.name}", "n/a", "n/a (not in this build)", "", None))
            continue
        fast = b.median_ms is not None and b.median_ms < TARGET_PAGE_MS
        rows.append(
            Row(
                f"2. {b.name}: median (CPU of this process)",
                f"{fmt_ms(s.median_ms)} ({fmt_ms(s.median_cpu_ms)})",
                f"{fmt_ms(b.median_ms)} ({fmt_ms(b.median_cpu_ms)})",
                f"< {TARGET_PAGE_MS:.0f} ms at large",
                fast if scale == "large" else None,
            )
        )
        rows.append(
            Row(
                f"2. {name}: SQL statements per request",
                str(s.query_count),
                str(b.query_count),
                "same at every size",
                s.query_count == b.query_count,
            )
        )
    return rows


def build_rows(r: dict, scale: str) -> list[Row]:
    rows: list[Row] = []
    report: ReportTiming = r["report"]
    small_report: ReportTiming = r["small_report"]
    app_med, ref_med = statistics.median(report.app_ms), statistics.median(report.reference_ms)
    rows += [
        Row(
            "1. report, last 12 months, whole program: metrics.headline (app)",
            fmt_ms(statistics.median(small_report.app_ms)),
            fmt_ms(app_med),
            "",
            None,
        ),
        Row(
            "1. the same figures by one hand-written query (bench/reference.py)",
            fmt_ms(statistics.median(small_report.reference_ms)),
            fmt_ms(ref_med),
            "",
            None,
        ),
        Row(
            "1. ratio app / hand-written query",
            f"{small_report.ratio:.2f}x",
            f"{report.ratio:.2f}x",
            f"<= {TARGET_RATIO}x",
            report.ratio <= TARGET_RATIO,
        ),
        Row(
            "1. app and query give the same figures",
            "yes" if small_report.figures_equal else "NO",
            "yes" if report.figures_equal else "NO",
            "equal",
            report.figures_equal and small_report.figures_equal,
        ),
        Row(
            "1. metrics.outcome_report (+ by_coach, by_month), for information",
            fmt_ms(statistics.median(small_report.full_report_ms)),
            fmt_ms(statistics.median(report.full_report_ms)),
            "",
            None,
        ),
    ]
    rows += page_rows(r["small_pages"], r["pages"], scale)
    load_results = r.get("throughput")
    if load_results:
        health, caseload = load_results["healthz"], load_results["caseload"]
        ratio = caseload.per_second / health.per_second if health.per_second else 0.0
        server = load_results["server"]
        rows += [
            Row(
                f"3. /healthz under gunicorn ({server.workers} workers x {server.threads} "
                f"threads), {r['concurrency']} clients",
                "",
                f"{health.per_second:,.1f} req/s ({health.requests} req)",
                "",
                None,
            ),
            Row(
                "3. caseload page /clients/ under gunicorn, same load"
                + (" (time cap reached)" if caseload.capped else ""),
                "",
                f"{caseload.per_second:,.1f} req/s ({caseload.requests} req, "
                f"p50 {fmt_ms(caseload.p50_ms)})",
                "",
                None,
            ),
            Row(
                "3. ratio caseload / healthz",
                "",
                f"{ratio:.3f}",
                f">= {TARGET_THROUGHPUT}",
                ratio >= TARGET_THROUGHPUT,
            ),
            Row(
                "3. errors (both routes)",
                "",
                str(health.errors + caseload.errors)
                + (
                    f" ({caseload.first_error or health.first_error})"
                    if health.errors + caseload.errors
                    else ""
                ),
                "0",
                health.errors + caseload.errors == 0,
            ),
        ]
    else:
        rows.append(Row("3. throughput under gunicorn", "", "skipped", "", None))
    memory = r.get("memory")
    if memory:
        sessions, app_export, base = memory["sessions"], memory["app"], memory["baseline"]
        if "error" in sessions:
            rows.append(Row("4. CSV of every session", "", f"error {sessions['error']}", "", False))
        else:
            rows.append(
                Row(
                    f"4. CSV of every session ({sessions['rows']:,} rows, "
                    f"{sessions['bytes'] / 1e6:,.0f} MB, {sessions['seconds']} s): peak RSS",
                    "",
                    f"{sessions['maxrss_mb']:,.0f} MB",
                    f"< {TARGET_EXPORT_MB:.0f} MB",
                    sessions["maxrss_mb"] < TARGET_EXPORT_MB,
                )
            )
        if app_export.get("available"):
            rows.append(
                Row(
                    f"4. app /reports/export.csv?table=clients ({app_export['rows']:,} rows, "
                    f"HTTP {app_export['status']}): peak RSS",
                    "",
                    f"{app_export['maxrss_mb']:,.0f} MB",
                    f"< {TARGET_EXPORT_MB:.0f} MB",
                    app_export["maxrss_mb"] < TARGET_EXPORT_MB and app_export["status"] == 200,
                )
            )
        else:
            detail = app_export.get("error") or "not in this build"
            rows.append(
                Row("4. app /reports/export.csv?table=clients", "", f"n/a ({detail})", "", None)
            )
        if "maxrss_mb" in base:
            rows.append(
                Row(
                    "4. (a child that only starts the app, for scale)",
                    "",
                    f"{base['maxrss_mb']:,.0f} MB",
                    "",
                    None,
                )
            )
    else:
        rows.append(Row("4. export memory", "", "skipped", "", None))
    small_build, big_build = r["small_build"], r["build"]
    rows.append(
        Row(
            f"5. build the demo program ({big_build.sessions:,} sessions at {scale})"
            if big_build
            else "5. build the demo program",
            f"{small_build.demo_seconds:,.1f} s" if small_build else "reused",
            f"{big_build.demo_seconds:,.1f} s" if big_build else "reused (not measured)",
            "",
            None,
        )
    )
    return rows


# --- Main ----------------------------------------------------------------------------------


def _has_program(url: str) -> bool:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM programs")).scalar())
    except SQLAlchemyError:
        return False  # no such database or no schema yet: build it
    finally:
        engine.dispose()


def prepare(scale: str, server: str | None, reuse: bool) -> tuple[str, loader.BuildResult | None]:
    """The database for ``scale``: built fresh, or the existing one with ``--reuse``."""
    if reuse:
        if server is None:
            url = f"sqlite:///{loader.BENCH_DIR / f'bench-{scale}.sqlite3'}"
            if Path(url.removeprefix("sqlite:///")).exists():
                return url, None
        else:
            from sqlalchemy.engine import make_url

            url = make_url(server).set(database=loader.database_name(scale))
            url = url.render_as_string(hide_password=False)
            if _has_program(url):
                return url, None
    url = loader.fresh_database(scale, server)
    log(f"building the {scale} demo into {loader.describe(url)}")
    result = loader.build_in_child(url, scale)
    log(f"built in {result.demo_seconds:.1f} s ({result.sessions:,} sessions)")
    return url, result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
    parser.add_argument("--runs", type=int, default=7, help="timed runs after one warm-up")
    parser.add_argument("--requests", type=int, default=2000, help="per route under gunicorn")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time cap per route")
    parser.add_argument("--reuse", action="store_true", help="reuse databases built before")
    parser.add_argument("--skip-gunicorn", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server = loader.server_url()
    started = time.perf_counter()
    load_before = load_average()
    speed_before = cpu_reference_ms()
    results: dict = {"concurrency": args.concurrency}

    small_url, results["small_build"] = prepare("small", server, args.reuse)
    if args.scale == "small":
        url, results["build"] = small_url, results["small_build"]
    else:
        url, results["build"] = prepare(args.scale, server, args.reuse)
    database = database_label(url)

    small_app = loader.make_app(small_url)
    app = small_app if url == small_url else loader.make_app(url)

    log("1. report: metrics.headline against the hand-written query")
    results["small_report"] = time_report(small_app, args.runs)
    results["report"] = results["small_report"] if app is small_app else time_report(app, args.runs)
    log("2. pages through the test client")
    results["small_pages"] = pages.time_pages(small_app, args.runs)
    results["pages"] = (
        results["small_pages"] if app is small_app else pages.time_pages(app, args.runs)
    )
    who = pages.subjects(app)
    if not args.skip_export:
        log("4. export memory (child processes)")
        results["memory"] = export_memory(url, who.period)
    if not args.skip_gunicorn:
        log("3. throughput under gunicorn")
        results["throughput"] = throughput(
            url,
            requests=args.requests,
            concurrency=args.concurrency,
            max_seconds=args.max_seconds,
        )

    rows = build_rows(results, args.scale)
    info = machine()
    minutes = (time.perf_counter() - started) / 60
    heading = (
        f"## {datetime.now():%Y-%m-%d %H:%M} — {args.scale} scale on {database}\n\n"
        f"- machine: {info['cores']} cores, {info['memory']} memory ({info['cpu']}), "
        f"Python {info['python']}; load average {load_before} at the start, "
        f"{load_average()} at the end; CPU reference (ten million additions in a Python "
        f"loop, best of 5) {speed_before:,.0f} ms at the start, {cpu_reference_ms():,.0f} ms at "
        f"the end\n"
        f"- commit: {commit()}\n"
        f"- medians of {args.runs} runs after a warm-up; client page: the demo coach's client "
        f"with the most sessions ({who.busiest_sessions}); report period "
        f"{who.period[0]} .. {who.period[1]}; whole run {minutes:.1f} min\n"
    )
    if not results["report"].figures_equal:
        heading += "- figures that differ: " + "; ".join(results["report"].differences[:10]) + "\n"
    output = heading + "\n" + table(rows, args.scale) + "\n"
    print(output)
    if not args.no_record:
        new = not RESULTS.exists()
        with RESULTS.open("a", encoding="utf-8") as handle:
            if new:
                handle.write(
                    "# Benchmark results\n\nAppended by `make bench` "
                    "(`python -m bench.run`); newest last.\n\n"
                )
            handle.write(output + "\n")
        log(f"appended to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
