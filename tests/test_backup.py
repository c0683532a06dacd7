"""``flask backup`` / ``flask restore``: a round trip while the app is serving requests."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

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
