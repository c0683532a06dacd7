"""``flask backup`` / ``flask restore``: a round trip while the app is serving requests; the
files are private and the database password never reaches a command line."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import URL

from coachapp import backup as backup_module
from coachapp.models import Client, CoachingSession
from tests import factories


def test_backup_and_restore_round_trip_while_serving(app, db, login, coach, tmp_path):
    client = factories.client(coach, first_name="José", last_name="Ñúñez")
    factories.session(client, note="Before the backup")
    client_id = client.id
    browser = login(coach)
    reader = login(coach)

    # Keep the app busy reading and writing while the snapshot is taken.
    stop = threading.Event()
    errors: list[int] = []

    def serve():
        while not stop.is_set():
            status = reader.get(f"/clients/{client_id}").status_code
            if status != 200:
                errors.append(status)

    worker = threading.Thread(target=serve)
    worker.start()
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["backup", str(tmp_path / "snapshot.bak")])
    finally:
        stop.set()
        worker.join()
    assert result.exit_code == 0, result.output
    assert errors == []

    # Changes after the backup...
    factories.session(db.session.get(Client, client_id), note="After the backup")
    factories.client(coach, last_name="Later")
    assert db.session.scalar(select(func.count(CoachingSession.id))) == 2

    # ...are gone after the restore, and what was there before is back, intact.
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "snapshot.bak")])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(CoachingSession.id))) == 1
    assert db.session.scalar(select(func.count(Client.id))) == 1
    restored = db.session.scalar(select(Client))
    assert (restored.first_name, restored.last_name) == ("José", "Ñúñez")
    assert browser.get(f"/clients/{client_id}").status_code == 200
    # New writes still work (sequences restored too).
    factories.client(restored.coach, last_name="After restore")


def test_restore_refuses_a_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "nope.bak")])
    assert result.exit_code != 0


PASSWORD = "s3cret/p@ss word"  # noqa: S105 - a test value; characters that URLs must escape


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_password_is_never_on_a_command_line(monkeypatch, tmp_path):
    """pg_dump and pg_restore get the password in their own environment only: any local user
    can read a command line in ``ps``."""
    runs: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(command, **kwargs):
        runs.append((list(command), dict(kwargs["env"])))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup_module.subprocess, "run", fake_run)
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    engine = create_engine(
        URL.create(
            "postgresql+psycopg",
            username="coachapp",
            password=PASSWORD,
            host="db.internal",
            port=5433,
            database="coachapp",
            query={"sslmode": "require"},
        )
    )
    backup_module.backup(engine, tmp_path / "snapshot.bak")
    backup_module.restore(engine, tmp_path / "snapshot.bak")

    assert [Path(command[0]).name for command, _env in runs] == ["pg_dump", "pg_restore"]
    escaped = quote(PASSWORD, safe="")
    for command, env in runs:
        for argument in command:
            assert PASSWORD not in argument and escaped not in argument, argument
            assert "s3cret" not in argument, argument
        connection = next(a for a in command if "db.internal" in a)
        assert (
            "coachapp@db.internal:5433/coachapp" in connection and "sslmode=require" in connection
        )
        assert env["PGPASSWORD"] == PASSWORD
        assert env["PATH"] == os.environ["PATH"]  # the rest of the environment is passed on
    assert "PGPASSWORD" not in os.environ  # only the child's environment carries it


def test_backup_files_are_private_whatever_the_umask(app, db, coach, tmp_path, umask_022):
    """A backup holds names and dates of birth: 0600 in a new directory 0700, on SQLite through
    the backup API and on PostgreSQL through a real pg_dump; an older backup in its place is
    made private too."""
    factories.client(coach, first_name="José", last_name="Ñúñez")
    target = tmp_path / "backups" / "snapshot.bak"
    written = backup_module.backup(db.engine, target)
    assert written == target and target.stat().st_size > 0
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    older = shared / "older.bak"
    older.write_bytes(b"an older backup")
    assert mode(older) == 0o644  # what the umask gives any new file
    backup_module.backup(db.engine, older)
    assert mode(older) == 0o600 and older.read_bytes() != b"an older backup"
    assert mode(shared) == 0o755  # an existing directory is the operator's: left alone
