"""``python -m bench.run [--scale small|medium|large] [--runs N]`` (``make bench``).

Builds the demo program at ``--scale`` (default large) into a fresh database, SQLite under
bench/ or, when ``DATABASE_URL`` names a PostgreSQL server, a new database there, plus the small
demo beside it (so query counts can be compared across sizes), then measures in one run, each
beside its target (issue 21's; issue 8's where kept):

1. the whole-program report for the last 12 months: ``metrics.outcome_report`` (headline,
   by_coach, by_month) on first view, its figures against the one hand-written query of
   bench/reference.py; ``metrics.headline`` against that query, interleaved run by run;
2. the caseload, client, supervisor dashboard, report (computed and stored) and a signed-in
   trivial page through the test client (signed in with the real form): CPU of this process
   and wall time per request, SQL statements and their time, small and large;
3. requests per second of the caseload page under gunicorn against the signed-in trivial page
   (and /healthz) on the same server;
4. peak memory of a child process streaming every session of the program as CSV (and of the
   app's own per-client CSV export, when the app has it);
5. the time to build the demo program;
6. Lighthouse (mobile) on the journeys' main pages of the small demo, signed in (bench/phone.py).

The header carries the machine and its CPU reference (a fixed piece of pure Python timed at the
start and the end). Prints the tables and appends them to bench/RESULTS.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from bench import load as loader
from bench import pages, phone
from bench.measure import (  # noqa: F401 - re-exported: tests/platform/test_bench_smoke.py
    EXPORT_MODES,
    ReportTiming,
    commit,
    compare_figures,
    cpu_reference_ms,
    database_label,
    export_memory,
    load_average,
    log,
    machine,
    throughput,
    time_report,
)
from bench.table import (  # noqa: F401 - re-exported: tests/platform/test_bench_smoke.py
    TARGET_CPU_MS,
    TARGET_EXPORT_MB,
    TARGET_RATIO,
    TARGET_REPORT_MS,
    TARGET_THROUGHPUT,
    Row,
    build_rows,
    fmt_ms,
    page_rows,
    phone_table,
    table,
)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


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
    parser.add_argument("--skip-lighthouse", action="store_true", help="no Lighthouse runs")
    parser.add_argument(
        "--lighthouse-runs", type=int, default=1, help="per page, the median kept (default 1)"
    )
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
    results["sqlite"] = url.startswith("sqlite")

    small_app = loader.make_app(small_url)
    app = small_app if url == small_url else loader.make_app(url)

    log("1. report: outcome_report on first view, headline against the hand-written query")
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

    if not args.skip_lighthouse:
        log("6. Lighthouse on the small demo (about 15-30 s a run)")
        results["phone"] = phone.measure_phone(
            small_url, pages.subjects(small_app).busiest_client_id, runs=args.lighthouse_runs
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
    if results["report"].differences:
        heading += "- figures that differ: " + "; ".join(results["report"].differences[:10]) + "\n"
    output = heading + "\n" + table(rows, args.scale) + "\n"
    if phone_table(results.get("phone")):
        output += "\n" + phone_table(results["phone"]) + "\n"
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
