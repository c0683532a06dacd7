"""Key rotation and the start-up check: every encrypted column of the schema, read and rewritten.

``coachapp.crypto`` holds the key ring and the ``EncryptedText`` column type the models use; this
module reads the models' schema to find those columns, so it sits above the models
(``flask keys rotate``, ``create_app``'s refusal to start with keys that open nothing stored).
"""

from __future__ import annotations

import click
from cryptography.fernet import InvalidToken
from gunicorn.errors import AppImportError
from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from coachapp import crypto
from coachapp.extensions import db
from coachapp.models import Base


def encrypted_columns():
    """``(table, column)`` for every column of the schema stored encrypted."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, crypto.EncryptedText):
                yield table, column


def rotate_all(*, batch: int = 1000) -> dict[str, int]:
    """Re-encrypt every stored value with the newest key, a batch per transaction (safe to run
    while the app serves: each value is rewritten whole, only if it is still the value that was
    read, so an edit saved meanwhile is never overwritten; readers accept either key).

    Every value is read first: when one cannot be opened with the configured keys, nothing is
    rewritten (``RotationRefused`` says which)."""
    found = unreadable_values(batch=batch)
    if found:
        raise rotation_refusal(found, crypto.ring())
    counts = {f"{table.name}.{column.name}": 0 for table, column in encrypted_columns()}
    for table, column, rows in stored_batches(batch=batch):
        name = f"{table.name}.{column.name}"
        raw = type_coerce(column, Text)
        for row_id, token in rows:
            try:
                rotated = crypto.rotate_token(token)
            except InvalidToken:
                # Written meanwhile by a server with other keys; this batch is not saved.
                db.session.rollback()
                raise rotation_refusal(
                    {name: [row_id]},
                    crypto.ring(),
                    "The values rewritten before it stay so (any listed key reads them).",
                ) from None
            db.session.execute(
                update(table)
                .where(table.c.id == row_id, raw == token)
                .values({column.name: type_coerce(rotated, Text)})
            )
        db.session.commit()
        counts[name] += len(rows)
    return counts


def stored_batches(*, batch: int = 1000):
    """``(table, column, [(id, token), ...])`` for every stored value of every encrypted column,
    ``batch`` rows at a time in id order (the tokens as stored, not decrypted)."""
    for table, column in encrypted_columns():
        raw, pk = type_coerce(column, Text), table.c.id
        last_id = 0
        while True:
            rows = db.session.execute(
                select(pk, raw).where(pk > last_id, column.is_not(None)).order_by(pk).limit(batch)
            ).all()
            if not rows:
                break
            yield table, column, rows
            last_id = rows[-1][0]


# --- Do the keys open what is stored? ----------------------------------------------------------


class KeysDoNotOpenStoredValues(click.ClickException, AppImportError):
    """``create_app`` refuses to start. Both bases only choose how the refusal is shown: gunicorn
    prints an ``AppImportError``'s message alone and stops (any other exception: a traceback per
    worker, each worker started again); ``flask run`` prints a ``ClickException`` as "Error: ..."
    and exits 1."""


class RotationRefused(click.ClickException):
    """``flask keys rotate`` stops before rewriting anything: some values no key opens."""


def describe(keyring: crypto.KeyRing, *, derived: bool = False) -> str:
    """The configured keys, by fingerprint (``derived``: the one derived from SECRET_KEY)."""
    if derived:
        return (
            f"ENCRYPTION_KEYS is empty, so the key derived from SECRET_KEY "
            f"({keyring.fingerprints[0]}) is used"
        )
    return "ENCRYPTION_KEYS holds " + ", ".join(keyring.fingerprints) + " (fingerprints)"


def sample_unreadable(engine: Engine, keyring: crypto.KeyRing) -> list[str] | None:
    """``table.column`` of each encrypted column whose newest or oldest stored value (by id)
    none of ``keyring``'s keys opens: two indexed reads per column, cheap enough for every start.
    None when the database cannot be reached; a table or column not there yet (before ``flask
    db upgrade``) is skipped."""
    unreadable: list[str] = []
    try:
        with engine.connect() as connection:
            for table, column in encrypted_columns():
                raw, pk = type_coerce(column, Text), table.c.id
                try:
                    tokens = [
                        connection.scalar(
                            select(raw).where(column.is_not(None)).order_by(order).limit(1)
                        )
                        for order in (pk.desc(), pk.asc())
                    ]
                except SQLAlchemyError:
                    connection.rollback()
                    continue
                if any(t is not None and not keyring.opens(t) for t in tokens):
                    unreadable.append(f"{table.name}.{column.name}")
                connection.rollback()
    except SQLAlchemyError:
        return None
    return unreadable


def check_stored_values(engine: Engine, keyring: crypto.KeyRing, *, derived: bool = False) -> None:
    """Refuse to start (``KeysDoNotOpenStoredValues``) when stored values exist that none of the
    configured keys opens: every note would read as UNREADABLE. Nothing stored, or no database
    to read (``/readyz`` reports that): nothing to refuse."""
    unreadable = sample_unreadable(engine, keyring)
    if not unreadable:
        return
    raise KeysDoNotOpenStoredValues(
        "Refusing to start: none of the configured encryption keys opens the stored values of "
        f"{', '.join(unreadable)}; {describe(keyring, derived=derived)}. Set ENCRYPTION_KEYS to "
        'the key(s) that encrypted them, newest first (README, "Encryption keys").'
    )


def unreadable_values(*, batch: int = 1000) -> dict[str, list[int]]:
    """Ids of the stored values none of the configured keys opens, per ``table.column``
    (columns where every value opens are left out). Reads every value; writes nothing."""
    keyring = crypto.ring()
    found: dict[str, list[int]] = {}
    for table, column, rows in stored_batches(batch=batch):
        bad = [row_id for row_id, token in rows if not keyring.opens(token)]
        if bad:
            found.setdefault(f"{table.name}.{column.name}", []).extend(bad)
    return found


def rotation_refusal(
    found: dict[str, list[int]], keyring: crypto.KeyRing, outcome: str = "Nothing was rewritten."
) -> RotationRefused:
    def ids(values: list[int]) -> str:
        shown = ", ".join(str(i) for i in values[:10])
        return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    detail = "; ".join(
        f"{name}: {len(v)} ({'id' if len(v) == 1 else 'ids'} {ids(v)})" for name, v in found.items()
    )
    total = sum(len(v) for v in found.values())
    return RotationRefused(
        f"{plural(total, 'stored value')} cannot be opened with the configured keys "
        f"(ENCRYPTION_KEYS holds {', '.join(keyring.fingerprints)}, by fingerprint): {detail}. "
        "The key that encrypted them must stay in ENCRYPTION_KEYS after the new one "
        f"(ENCRYPTION_KEYS=NEW,OLD). {outcome}"
    )
