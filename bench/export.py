"""Peak memory of streamed CSV exports, each in a child process of its own.

``python -m bench.export measure MODE URL [ARGS]`` starts ``python -m bench.export MODE URL
[ARGS]`` as its only child, waits, and prints one JSON line: what the child reported plus
``maxrss_mb``, the child's peak resident set size from ``getrusage(RUSAGE_CHILDREN)`` (the
measuring process has no other child, so that is exactly the export's peak).

Modes:

- ``baseline``: Python, the app and a database connection, no rows (what any export starts at);
- ``sessions``: every session of the program as CSV, the way the app streams a big table: one
  SELECT read through a server-side cursor in batches (``yield_per``), rows formatted by
  ``csv.writer`` into a buffer flushed every 64 KB. The CSV goes to /dev/null; bytes counted.
  De-identified columns only (ids, dates, minutes, categories): no names, no note text;
- ``app``: the app's own ``/reports/export.csv?table=clients`` through the test client, signed
  in as the program manager, read chunk by chunk as a browser would (never buffered whole).
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

BATCH = 1000
FLUSH_BYTES = 64_000
SESSION_COLUMNS = [
    "session_id",
    "client_id",
    "coach_id",
    "date",
    "duration_minutes",
    "modality",
    "kind",
    "outcome",
]


def csv_chunks(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text in chunks of about 64 KB (``None`` is an empty cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        if buffer.tell() > FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def session_rows(program_id: int) -> Iterator[tuple]:
    """Every non-archived session of the program's clients, in id order, read in batches of
    ``BATCH`` through a server-side cursor (PostgreSQL) or SQLite's stepping cursor. Needs an
    app context."""
    from sqlalchemy import select

    from coachapp.extensions import db
    from coachapp.models import Client, CoachingSession

    query = (
        select(
            CoachingSession.id,
            CoachingSession.client_id,
            CoachingSession.coach_id,
            CoachingSession.date,
            CoachingSession.duration_minutes,
            CoachingSession.modality,
            CoachingSession.kind,
            CoachingSession.outcome,
        )
        .join(Client, Client.id == CoachingSession.client_id)
        .where(Client.program_id == program_id, CoachingSession.archived_at.is_(None))
        .order_by(CoachingSession.id)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(query):
        yield tuple(row)


def export_sessions(url: str) -> dict[str, Any]:
    """Stream every session of the first program as CSV into /dev/null; rows, bytes, seconds."""
    from sqlalchemy import select

    from bench.load import make_app
    from coachapp.extensions import db
    from coachapp.models import Program

    app = make_app(url)
    with app.app_context():
        program_id = db.session.scalar(select(Program.id).order_by(Program.id).limit(1))
        started = time.perf_counter()
        rows = written = 0

        def counted() -> Iterator[tuple]:
            nonlocal rows
            for row in session_rows(program_id):
                rows += 1
                yield row

        with open(os.devnull, "w", encoding="utf-8") as sink:
            for chunk in csv_chunks(SESSION_COLUMNS, counted()):
                written += len(chunk.encode("utf-8"))
                sink.write(chunk)
        seconds = time.perf_counter() - started
    return {"rows": rows, "bytes": written, "seconds": round(seconds, 2)}


def export_app_clients(url: str, start: str, end: str) -> dict[str, Any]:
    """The app's per-client CSV export for the whole program, read in chunks."""
    from bench.load import make_app
    from bench.pages import demo_email, sign_in

    app = make_app(url)
    if "reports.export" not in app.view_functions:
        return {"available": False}
    client = app.test_client()
    sign_in(client, demo_email("program_manager"))
    started = time.perf_counter()
    response = client.get(
        f"/reports/export.csv?table=clients&preset=custom&start={start}&end={end}",
        buffered=False,
    )
    written = lines = 0
    for chunk in response.response:
        data = chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
        written += len(data)
        lines += data.count(b"\n")
    response.close()
    return {
        "available": True,
        "status": response.status_code,
        "rows": max(0, lines - 1),
        "bytes": written,
        "seconds": round(time.perf_counter() - started, 2),
    }


def baseline(url: str) -> dict[str, Any]:
    from sqlalchemy import text

    from bench.load import make_app
    from coachapp.extensions import db

    app = make_app(url)
    with app.app_context():
        db.session.execute(text("SELECT 1"))
    return {}


def measure(mode: str, args: list[str]) -> dict[str, Any]:
    """Run ``mode`` in a child process; its report plus its peak RSS in MB."""
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.export", mode, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-5:]
        raise RuntimeError(f"export child {mode} failed: " + " | ".join(tail))
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    report["maxrss_mb"] = round(peak_kb / 1024, 1)
    return report


def main(argv: list[str]) -> int:
    if argv and argv[0] == "measure":
        print(json.dumps(measure(argv[1], argv[2:])))
        return 0
    mode, url, *rest = argv
    if mode == "sessions":
        report = export_sessions(url)
    elif mode == "app":
        report = export_app_clients(url, *rest)
    elif mode == "baseline":
        report = baseline(url)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
