"""Per-connection database settings: a SQLite file runs in write-ahead-log mode, an in-memory
SQLite database is left alone, and PostgreSQL sessions run without JIT and with random reads
priced for cached data (config._engine_options)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from coachapp import create_app
from coachapp.extensions import db
from config import _engine_options
from tests.helpers import make_test_config, on_postgres


def _pragmas(url: str) -> tuple[str, int]:
    app = create_app(make_test_config(url))
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        finally:
            db.engine.dispose()
    return mode, synchronous


def test_a_sqlite_file_runs_in_wal_mode_with_normal_sync(tmp_path):
    path = tmp_path / "wal.sqlite3"
    mode, synchronous = _pragmas(f"sqlite:///{path}")
    assert mode == "wal"
    assert synchronous == 1  # NORMAL (a file's default is DELETE journal, FULL sync)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_is_left_alone(url):
    mode, synchronous = _pragmas(url)
    assert mode == "memory"
    assert synchronous == 2  # FULL, SQLite's default


def test_postgresql_sessions_run_without_jit(database_url):
    options = _engine_options("postgresql+psycopg://coach@db.example/coachapp")
    assert options["connect_args"] == {
        "options": "-c jit=off -c random_page_cost=1.1",
        "connect_timeout": 5,
    }
    assert "connect_args" not in _engine_options("sqlite:///instance/coachapp.sqlite3")
    if on_postgres():
        engine = create_engine(database_url, **_engine_options(database_url))
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
                assert conn.execute(text("SHOW random_page_cost")).scalar() == "1.1"
        finally:
            engine.dispose()
