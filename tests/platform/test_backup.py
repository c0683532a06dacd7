"""``flask backup`` / ``flask restore``: a round trip while the app is serving requests; the
files are private and the database password never reaches a command line; a restore keeps the
audit trail it replaces (an archive that verifies) and records itself."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from coachapp import audit
from coachapp import backup as backup_module
from coachapp.extensions import db as _db
from coachapp.models import AuditArchive, AuditEvent, Client, CoachingSession
from coachapp.models.audit import GENESIS_HASH
from tests import factories
from tests.helpers import audit_guard_lifted


@pytest.fixture
def archives(app, tmp_path):
    """Where restores keep the trails they replace (a directory that does not exist yet)."""
    app.config["AUDIT_ARCHIVE_DIR"] = str(tmp_path / "audit-archives")
    return tmp_path / "audit-archives"


def test_backup_and_restore_round_trip_while_serving(app, db, login, coach, tmp_path, archives):
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


def test_restore_refuses_a_missing_file(app, tmp_path, archives):
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "nope.bak")])
    assert result.exit_code != 0
    assert not archives.exists()


def trail() -> list[AuditEvent]:
    return list(_db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_restore_archives_the_trail_it_replaces_and_records_itself(
    app, db, coach, tmp_path, archives, umask_022
):
    """35 events, a backup after the 31st: the restore brings back 31, keeps all 35 in an archive
    (a private file, and a row of the restored database) that verifies on its own, and the live
    trail, which still verifies, ends with the restore."""
    for n in range(31):
        audit.record("view", actor=coach, entity_type="client", entity_id=n, client_id=n)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "at-31.bak")]).exit_code == 0
    for n in range(4):
        audit.record("export", actor=coach, detail=f"later {n}")
    db.session.commit()
    replaced = [(e.id, e.hash) for e in trail()]
    assert len(replaced) == 35

    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "at-31.bak")])
    assert result.exit_code == 0, result.output

    # The file: JSON lines, every event of the replaced trail with its hashes, owner-only.
    [kept] = list(archives.iterdir())
    assert mode(kept) == 0o600 and mode(archives) == 0o700
    lines = [json.loads(line) for line in kept.read_text().splitlines()]
    assert [(e["id"], e["hash"]) for e in lines] == replaced
    assert [e["detail"] for e in lines[31:]] == [f"later {n}" for n in range(4)]
    assert lines[0]["prev_hash"] == GENESIS_HASH

    # The row in the restored database says the same, and verifies.
    [archive] = db.session.scalars(select(AuditArchive)).all()
    assert archive.source == kept.name and archive.reason == "database restored from at-31.bak"
    assert (archive.event_count, archive.first_event_id, archive.last_event_id) == (
        35,
        replaced[0][0],
        replaced[-1][0],
    )
    assert archive.head_hash == replaced[-1][1]
    assert [e["detail"] for e in json.loads(archive.events)[31:]] == [
        f"later {n}" for n in range(4)
    ]
    assert audit.verify_archive(archive).intact

    # The live trail: the backup's 31 events, then the restore.
    events = trail()
    assert [(e.id, e.hash) for e in events[:31]] == replaced[:31] and len(events) == 32
    restore_event = events[-1]
    assert restore_event.action == "restore" and restore_event.prev_hash == replaced[30][1]
    assert restore_event.detail == (
        f"database restored from at-31.bak; previous trail of 35 events archived "
        f"(archive {archive.id})"
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"audit trail intact: 32 events, last hash {restore_event.hash}" in result.output
    assert (
        f"archive {archive.id} ({kept.name}, database restored from at-31.bak) intact: "
        f"35 events, last hash {replaced[-1][1]}"
    ) in result.output

    # A second restore of the same backup keeps the first archive (the backup has none) too.
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "at-31.bak")])
    assert result.exit_code == 0, result.output
    first, second = db.session.scalars(select(AuditArchive).order_by(AuditArchive.id)).all()
    assert (first.source, first.event_count, first.head_hash) == (kept.name, 35, replaced[-1][1])
    assert second.event_count == 32 and second.head_hash == restore_event.hash
    assert len(list(archives.iterdir())) == 2
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.count(" intact: ") == 3
    assert len(trail()) == 32


def test_a_changed_archive_fails_verification(app, db, coach, tmp_path, archives):
    for n in range(3):
        audit.record("view", actor=coach, client_id=n)
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "s.bak")]).exit_code == 0
    db.session.remove()
    assert runner.invoke(args=["restore", "--yes", str(tmp_path / "s.bak")]).exit_code == 0
    archive = db.session.scalar(select(AuditArchive))
    events = json.loads(archive.events)
    events[1]["client_id"] = 99
    db.session.commit()
    with db.engine.begin() as conn:
        with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
            conn.execute(update(AuditArchive).values(events=json.dumps(events)))
        with audit_guard_lifted(conn):
            conn.execute(update(AuditArchive).values(events=json.dumps(events)))
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit trail intact: 4 events" in result.output
    assert f"archive {archive.id} " in result.output
    assert f"BROKEN at event {events[1]['id']}: " in result.output


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
