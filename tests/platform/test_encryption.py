"""Narrative text is encrypted at rest: the raw database holds no note text, the app reads it
back, and ``flask keys rotate`` moves every value to a new key."""

from __future__ import annotations

import os
import subprocess  # nosec B404 - runs the app's own commands
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from coachapp import create_app, crypto
from coachapp import keys as rotation
from coachapp.extensions import db
from tests import factories
from tests.helpers import (
    REPO,
    create_scratch_database,
    drop_scratch_database,
    make_test_config,
    on_postgres,
    raw_dump,
)

SECRET = "Relapsed after the court date; wants to try SMART Recovery"


def test_no_note_text_in_the_raw_database(db, login, coach, supervisor):
    client = factories.client(coach, notes=SECRET)
    factories.session(client, note=SECRET, next_steps=SECRET, review_comment=SECRET)
    factories.goal(client, description=SECRET)
    factories.referral(client, notes=SECRET)
    factories.appointment(client, notes=SECRET)
    dump = raw_dump(db)
    assert SECRET not in dump and "court date" not in dump
    assert "gAAAAA" in dump  # Fernet tokens are there instead
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "SMART Recovery" in page  # the app reads it back


def test_every_narrative_column_is_encrypted():
    encrypted = {f"{t.name}.{c.name}" for t, c in rotation.encrypted_columns()}
    assert {
        "clients.notes",
        "sessions.note",
        "sessions.next_steps",
        "sessions.review_comment",
        "supervision_notes.note",
        "supervision_notes.action_items",
        "referrals.notes",
        "appointments.notes",
        "goals.description",
        "enrollments.discharge_note",
    } <= encrypted


def test_keys_rotate_re_encrypts_with_the_new_key(app, db, coach):
    client = factories.client(coach, notes=SECRET)
    factories.session(client, note=SECRET)
    old_ring = app.extensions[crypto.EXTENSION]
    new_key = Fernet.generate_key().decode()
    old_key_only = raw_dump(db)
    try:
        # Operator step: the new key goes first, the old one stays to read what is stored.
        app.extensions[crypto.EXTENSION] = crypto.KeyRing([new_key, *old_ring.keys])
        result = app.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "re-encrypted" in result.output
        rotated = raw_dump(db)
        assert rotated != old_key_only
        # The new key alone now reads everything.
        app.extensions[crypto.EXTENSION] = crypto.KeyRing([new_key])
        db.session.expire_all()
        from coachapp.models import Client, CoachingSession

        assert db.session.get(Client, client.id).notes == SECRET
        assert db.session.scalar(db.select(CoachingSession.note)) == SECRET
    finally:
        app.extensions[crypto.EXTENSION] = old_ring


def test_keys_rotate_never_overwrites_an_edit_saved_meanwhile(app, db, coach, monkeypatch):
    from sqlalchemy import update

    from coachapp.models import Client

    client = factories.client(coach, notes=SECRET)
    real_rotate = crypto.rotate_token

    def edit_then_rotate(token):
        # A coach saves the note between the rotation's read and its write.
        if crypto.decrypt(token) == SECRET:
            db.session.execute(
                update(Client).where(Client.id == client.id).values(notes="edited meanwhile")
            )
        return real_rotate(token)

    monkeypatch.setattr(crypto, "rotate_token", edit_then_rotate)
    rotation.rotate_all()
    db.session.expire_all()
    assert db.session.get(Client, client.id).notes == "edited meanwhile"


def test_a_wrong_key_never_crashes_a_page(app, db, login, coach):
    client = factories.client(coach, notes=SECRET)
    old_ring = app.extensions[crypto.EXTENSION]
    try:
        app.extensions[crypto.EXTENSION] = crypto.KeyRing([Fernet.generate_key().decode()])
        page = login(coach).get(f"/clients/{client.id}")
        assert page.status_code == 200
        assert crypto.UNREADABLE in page.get_data(as_text=True)
    finally:
        app.extensions[crypto.EXTENSION] = old_ring


# --- Keys checked at start, and by the rotation ------------------------------------------------

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
BIN = Path(sys.executable).parent


def app_with_keys(url: str, keys: str):
    return create_app(type("KeysConfig", (make_test_config(url),), {"ENCRYPTION_KEYS": keys}))


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of its own (a file for SQLite, a new database on PostgreSQL)."""
    url = (
        create_scratch_database("coachapp_keys")
        if on_postgres()
        else f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    )
    yield url
    if on_postgres():
        drop_scratch_database(url)


@pytest.fixture
def stored_with_a(scratch_url):
    """A migrated database holding a client's notes and a session note encrypted with KEY_A."""
    app = app_with_keys(scratch_url, KEY_A)
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
        program = factories.program()
        coach = factories.user("coach", program=program)
        factories.session(factories.client(coach, notes=SECRET), note=SECRET)
        db.session.remove()
        db.engine.dispose()
    return scratch_url


def test_start_is_refused_when_no_configured_key_opens_what_is_stored(stored_with_a):
    with pytest.raises(rotation.KeysDoNotOpenStoredValues) as refused:
        app_with_keys(stored_with_a, KEY_B)
    message = str(refused.value)
    assert "ENCRYPTION_KEYS" in message
    assert "clients.notes" in message and "sessions.note" in message
    assert crypto.fingerprint(KEY_B) in message  # names the configured key...
    assert KEY_B not in message and KEY_A not in message  # ... without revealing one


def test_start_with_the_old_key_after_the_new_one_reads_everything(stored_with_a):
    from coachapp.models import Client

    app = app_with_keys(stored_with_a, f"{KEY_B},{KEY_A}")
    with app.app_context():
        assert db.session.scalar(db.select(Client.notes)) == SECRET
        db.session.remove()
        db.engine.dispose()


def test_start_on_an_empty_or_unmigrated_database_whatever_the_keys(scratch_url, tmp_path):
    # No tables yet (before `flask db upgrade`): nothing to check.
    app = app_with_keys(scratch_url, KEY_B)
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
        db.engine.dispose()
    # Tables, nothing stored in them: nothing to refuse.
    app = app_with_keys(scratch_url, KEY_A)
    with app.app_context():
        db.engine.dispose()
    # A database that cannot be reached: /readyz reports it, start goes on.
    app = app_with_keys(f"sqlite:///{tmp_path / 'no-such-directory' / 'x.sqlite3'}", KEY_A)
    with app.app_context():
        db.engine.dispose()


def test_keys_rotate_without_the_old_key_stops_before_rewriting_anything(app, db, coach):
    client = factories.client(coach, notes=SECRET)
    factories.session(client, note=SECRET)
    before = raw_dump(db)
    old_ring = app.extensions[crypto.EXTENSION]
    try:
        # The operator's mistake: the new key alone, the old one already removed.
        app.extensions[crypto.EXTENSION] = crypto.KeyRing([KEY_B])
        result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    finally:
        app.extensions[crypto.EXTENSION] = old_ring
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    output = " ".join(result.output.split())
    assert "2 stored values cannot be opened" in output
    assert f"clients.notes: 1 (id {client.id})" in output and "sessions.note: 1" in output
    assert crypto.fingerprint(KEY_B) in output
    assert "must stay in ENCRYPTION_KEYS after the new one" in output
    assert "Nothing was rewritten" in output
    db.session.expire_all()
    assert raw_dump(db) == before


def test_keys_rotate_stops_at_a_value_written_meanwhile_with_another_key(
    app, db, coach, monkeypatch
):
    """Every value opened when the rotation began; one written afterwards by a server with
    other keys stops it there with the same message, not a traceback."""
    from cryptography.fernet import InvalidToken

    factories.session(factories.client(coach, notes=SECRET), note=SECRET)
    real_rotate = crypto.rotate_token
    rotated = []

    def rotate(token):
        if rotated:  # the second value: overwritten meanwhile with an unknown key
            raise InvalidToken
        rotated.append(token)
        return real_rotate(token)

    monkeypatch.setattr(crypto, "rotate_token", rotate)
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    output = " ".join(result.output.split())
    assert "1 stored value cannot be opened" in output
    assert "must stay in ENCRYPTION_KEYS after the new one" in output
    assert "The values rewritten before it stay so" in output


def run(*args: str, url: str, keys: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "FLASK_APP": "coachapp",
        "DATABASE_URL": url,
        "ENCRYPTION_KEYS": keys,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("COACHAPP_CONFIG", None)
    return subprocess.run(  # noqa: S603 - our own commands
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_a_server_with_the_wrong_key_refuses_to_start_and_commands_say_why(stored_with_a):
    """The real entry points: gunicorn stops with the message alone, once (no traceback, no
    worker started); `flask db upgrade` and `flask keys generate` work whatever the keys;
    `flask keys rotate` exits 1 with its message."""
    server = run(
        str(BIN / "gunicorn"),
        "-c",
        "gunicorn.conf.py",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "2",
        "coachapp:create_app()",
        url=stored_with_a,
        keys=KEY_B,
    )
    assert server.returncode == 1
    assert server.stderr.count("Refusing to start") == 1 and "ENCRYPTION_KEYS" in server.stderr
    assert "Traceback" not in server.stderr and "Booting worker" not in server.stderr

    assert run(str(BIN / "flask"), "db", "upgrade", url=stored_with_a, keys=KEY_B).returncode == 0
    generated = run(str(BIN / "flask"), "keys", "generate", url=stored_with_a, keys=KEY_B)
    assert generated.returncode == 0 and Fernet(generated.stdout.strip())

    rotate = run(str(BIN / "flask"), "keys", "rotate", url=stored_with_a, keys=KEY_B)
    assert rotate.returncode == 1
    assert "must stay in ENCRYPTION_KEYS after the new one" in " ".join(rotate.stderr.split())
    assert "Traceback" not in rotate.stderr
