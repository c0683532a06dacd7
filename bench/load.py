"""Fresh benchmark databases: a SQLite file under bench/, or a new database on the PostgreSQL
server ``DATABASE_URL`` names; the schema from the migrations (as ``flask db upgrade`` makes it)
and the demo program at a scale, timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coachapp import create_app
from config import Config, _engine_options

BENCH_DIR = Path(__file__).resolve().parent
BENCH_SECRET_KEY = "bench-secret-key-0123456789-abcdefghij"  # noqa: S105 - local benchmark only


def server_url() -> str | None:
    """``DATABASE_URL`` when it names a PostgreSQL server (driver spelled out), else None."""
    url = os.environ.get("DATABASE_URL", "")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url if url.startswith("postgresql") else None


def database_name(scale: str) -> str:
    return f"coachapp_bench_{scale}"


def fresh_database(scale: str, server: str | None = None) -> str:
    """An empty database for ``scale``: ``bench/bench-<scale>.sqlite3`` (replaced), or on
    PostgreSQL ``coachapp_bench_<scale>`` (dropped and created again). Returns its URL."""
    if server is None:
        path = BENCH_DIR / f"bench-{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = database_name(scale)
    drop_database(make_url(server).set(database=name).render_as_string(hide_password=False))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a benchmark database (only ever one named ``coachapp_bench_*``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if not name.startswith("coachapp_bench_"):
        raise ValueError(f"refusing to drop {name!r}: not a benchmark database")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def bench_config(url: str, base: type = Config, **overrides) -> type:
    """The app's own settings (``base``) pointed at ``url``."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(url),
        "SECRET_KEY": BENCH_SECRET_KEY,
        **overrides,
    }
    return type("BenchConfig", (base,), settings)


def make_app(url: str, **overrides) -> Flask:
    """The app with its development settings (CSRF on, as in production) on ``url``."""
    return create_app(bench_config(url, **overrides))


@dataclass
class BuildResult:
    url: str
    scale: str
    schema_seconds: float
    demo_seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def sessions(self) -> int:
        return self.counts.get("sessions", 0)


def build(url: str, scale: str, *, seed: int = 1, today: date | None = None) -> BuildResult:
    """Migrate the empty database at ``url`` to head and load the demo program at ``scale``.

    ``demo_seconds`` is ``build_demo`` alone (the figure the benchmark reports); on PostgreSQL
    the tables are then ANALYZEd, as autovacuum would do shortly after a bulk load, so the
    planner sees the real sizes (not counted in the build time).
    """
    from flask_migrate import upgrade

    from coachapp.demo import build_demo
    from coachapp.extensions import db

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        schema_seconds = time.perf_counter() - started
        summary = build_demo(scale, seed, today=today)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return BuildResult(url, scale, schema_seconds, summary.seconds, dict(summary.counts))


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def build_in_child(url: str, scale: str, *, seed: int = 1) -> BuildResult:
    """``build`` in a child process (``python -m bench.load URL SCALE``): the migrations'
    logging set-up and the build's memory stay out of the measuring process."""
    completed = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.load", url, scale, str(seed)],
        capture_output=True,
        text=True,
        check=False,
        cwd=BENCH_DIR.parent,
    )
    if completed.returncode != 0:
        raise RuntimeError("demo build failed:\n" + "\n".join(completed.stderr.splitlines()[-10:]))
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return BuildResult(**report)


if __name__ == "__main__":
    _url, _scale, _seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    _result = build(_url, _scale, seed=_seed)
    print(json.dumps(_result.__dict__))
