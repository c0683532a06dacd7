"""Consistent snapshots of the database while the app runs, and bringing one back.

SQLite: the online backup API (pages copied under a read transaction, so writers never see a
half-copied file). PostgreSQL: ``pg_dump`` in custom format (one snapshot transaction) and
``pg_restore --clean``, which need the PostgreSQL client programs on the PATH.

A backup holds names and dates of birth: the file is created readable by its owner only (0600,
whatever the umask) before any data is in it, in a directory made 0700 if it is new. The
database password goes to ``pg_dump``/``pg_restore`` in their environment (``PGPASSWORD``),
never on their command line, which any local user can read in ``ps``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, Engine, make_url


class BackupError(RuntimeError):
    pass


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq connection URL without its password, and the environment for the client
    program: this process's, with the password (if the URL has one) as ``PGPASSWORD``."""
    url = make_url(engine.url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    libpq = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return libpq.render_as_string(hide_password=False), env


def private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (or empty an existing one and make
    it so), before anything is written into it."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        path.parent.chmod(0o700)  # mkdir's mode is reduced by the umask
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    finally:
        os.close(fd)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(engine: Engine, path: Path) -> Path:
    """Write a consistent snapshot of the database behind ``engine`` to ``path``."""
    path = Path(path)
    if engine.dialect.name not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup for {engine.dialect.name}")
    private_file(path)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            with target:
                raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
    else:
        url, env = _libpq(engine)
        # pg_dump opens the existing private file for writing, which keeps its mode.
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", url]
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603  # nosec B603
        if result.returncode != 0:
            raise BackupError(result.stderr.strip() or "pg_dump failed")
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
        url, env = _libpq(engine)
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={url}",
            str(path),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603  # nosec B603
        if result.returncode != 0:
            raise BackupError(result.stderr.strip() or "pg_restore failed")
    else:
        raise BackupError(f"no restore for {engine.dialect.name}")
