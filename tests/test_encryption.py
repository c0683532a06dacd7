"""Narrative text is encrypted at rest: the raw database holds no note text, the app reads it
back, and ``flask keys rotate`` moves every value to a new key."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import text

from coachapp import crypto
from tests import factories

SECRET = "Relapsed after the court date; wants to try SMART Recovery"


def raw_dump(db) -> str:
    """Every text value of every table, as the database stores it."""
    values = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608
                values.extend(str(v) for v in row if v is not None)
    return "\n".join(values)


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
    encrypted = {f"{t.name}.{c.name}" for t, c in crypto.encrypted_columns()}
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
        app.extensions[crypto.EXTENSION] = crypto.MultiFernet([Fernet(new_key), *old_ring._fernets])
        result = app.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "re-encrypted" in result.output
        rotated = raw_dump(db)
        assert rotated != old_key_only
        # The new key alone now reads everything.
        app.extensions[crypto.EXTENSION] = crypto.MultiFernet([Fernet(new_key)])
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
    crypto.rotate_all()
    db.session.expire_all()
    assert db.session.get(Client, client.id).notes == "edited meanwhile"


def test_a_wrong_key_never_crashes_a_page(app, db, login, coach):
    client = factories.client(coach, notes=SECRET)
    old_ring = app.extensions[crypto.EXTENSION]
    try:
        app.extensions[crypto.EXTENSION] = crypto.MultiFernet([Fernet(Fernet.generate_key())])
        page = login(coach).get(f"/clients/{client.id}")
        assert page.status_code == 200
        assert crypto.UNREADABLE in page.get_data(as_text=True)
    finally:
        app.extensions[crypto.EXTENSION] = old_ring
