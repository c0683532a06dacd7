"""Consistent snapshots of the database while the app runs, and bringing one back.

SQLite: the online backup API (pages copied under a read transaction, so writers never see a
half-copied file). PostgreSQL: ``pg_dump`` in custom format (one snapshot transaction) and
``pg_restore --clean``, which need the PostgreSQL client programs on the PATH.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # noqa: S404  # nosec B404
from pathlib import Path

from sqlalchemy.engine import Engine, make_url


class BackupError(RuntimeError):
    pass


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(engine: Engine, path: Path) -> Path:
    """Write a consistent snapshot of the database behind ``engine`` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            with target:
                raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        command = [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={path}",
            _libpq_url(engine),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        if result.returncode != 0:
            raise BackupError(result.stderr.strip() or "pg_dump failed")
    else:
        raise BackupError(f"no backup for {engine.dialect.name}")
    return path


def restore(engine: Engine, path: Path) -> None:
    """Replace the database's contents with the snapshot at ``path``."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    if engine.dialect.name == "sqlite":
        # The backup API copies pages into the live database; every connection sees the result.
        source = sqlite3.connect(path)
        raw = engine.raw_connection()
        try:
            with source:
                source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
    elif engine.dialect.name == "postgresql":
        engine.dispose()  # no pooled connection may hold locks on the tables being replaced
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(engine)}",
            str(path),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        if result.returncode != 0:
            raise BackupError(result.stderr.strip() or "pg_restore failed")
    else:
        raise BackupError(f"no restore for {engine.dialect.name}")
