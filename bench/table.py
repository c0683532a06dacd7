"""The table of ``python -m bench.run`` (bench/run.py): one row per measure, small and at scale,
against its target."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench import pages
from bench.measure import ReportTiming

TARGET_RATIO = 1.5
TARGET_PAGE_MS = 50.0
TARGET_THROUGHPUT = 0.3
TARGET_EXPORT_MB = 200.0


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
