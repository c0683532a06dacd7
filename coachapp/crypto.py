"""Narrative text encrypted at rest (security.md): Fernet tokens under a MultiFernet.

Keys come from ``ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first): new text is
encrypted with the first, any listed key decrypts, and ``flask keys rotate`` re-encrypts every
stored value with the first. Without ``ENCRYPTION_KEYS`` (development, tests) a key is derived
from ``SECRET_KEY``; production refuses to start without it.

The key ring belongs to the app (``create_app`` sets it); code running inside an app context
uses that app's ring, so test apps with other keys never mix. Keys are named in messages by
their fingerprint, never in full.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Sequence

import click
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, has_app_context
from gunicorn.errors import AppImportError
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import TypeDecorator

log = logging.getLogger("coachapp.crypto")
UNREADABLE = "[This text cannot be decrypted with the configured keys.]"


def derived_key(secret: str) -> str:
    """A Fernet key derived from ``secret`` (development and tests only)."""
    digest = hashlib.sha256(("coachapp-encryption:" + secret).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def parse_keys(value: str) -> list[str]:
    keys = [k.strip() for k in value.split(",") if k.strip()]
    for key in keys:
        Fernet(key)  # raises ValueError for a malformed key
    return keys


def fingerprint(key: str) -> str:
    """A short name for ``key`` that does not reveal it: the first 8 hex digits of its
    SHA-256."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()[:8]


class KeyRing:
    """The configured keys, newest first: the first encrypts, any of them decrypts.

    coachapp keeps the list itself: a ``MultiFernet`` has no public way to give its keys back."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self.keys: tuple[str, ...] = tuple(keys)
        self.fernet = MultiFernet([Fernet(k) for k in self.keys])

    @property
    def fingerprints(self) -> list[str]:
        return [fingerprint(k) for k in self.keys]

    def opens(self, token: str) -> bool:
        """Whether one of the keys decrypts ``token``."""
        try:
            self.fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError, UnicodeError):
            return False
        return True


EXTENSION = "coachapp.crypto"
_ring: KeyRing | None = None


def configure(app, keys: Sequence[str]) -> KeyRing:
    """Give ``app`` its key ring (also the fallback outside any app context)."""
    global _ring
    _ring = KeyRing(keys)
    app.extensions[EXTENSION] = _ring
    return _ring


def ring() -> KeyRing:
    if has_app_context() and EXTENSION in current_app.extensions:
        return current_app.extensions[EXTENSION]
    if _ring is None:
        raise RuntimeError("encryption keys are not configured (create_app does it)")
    return _ring


def encrypt(text: str) -> str:
    return ring().fernet.encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return ring().fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError):
        log.error("a stored value could not be decrypted (wrong or missing key)")
        return UNREADABLE


def rotate_token(token: str) -> str:
    return ring().fernet.rotate(token.encode("ascii")).decode("ascii")


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token; reads and writes plain ``str`` in Python.

    Encrypted columns cannot be searched or compared in SQL (each write has a fresh IV): query
    them only for ``IS NULL``; empty text is stored as NULL by the forms.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value)


def encrypted_columns():
    """``(table, column)`` for every column of the schema stored encrypted."""
    from coachapp.models import Base

    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                yield table, column


def rotate_all(*, batch: int = 1000) -> dict[str, int]:
    """Re-encrypt every stored value with the newest key, a batch per transaction (safe to run
    while the app serves: each value is rewritten whole, only if it is still the value that was
    read, so an edit saved meanwhile is never overwritten; readers accept either key).

    Every value is read first: when one cannot be opened with the configured keys, nothing is
    rewritten (``RotationRefused`` says which)."""
    from sqlalchemy import update

    from coachapp.extensions import db

    found = unreadable_values(batch=batch)
    if found:
        raise rotation_refusal(found, ring())
    counts = {f"{table.name}.{column.name}": 0 for table, column in encrypted_columns()}
    for table, column, rows in stored_batches(batch=batch):
        name = f"{table.name}.{column.name}"
        raw = type_coerce(column, Text)
        for row_id, token in rows:
            try:
                rotated = rotate_token(token)
            except InvalidToken:
                # Written meanwhile by a server with other keys; this batch is not saved.
                db.session.rollback()
                raise rotation_refusal(
                    {name: [row_id]},
                    ring(),
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
    from coachapp.extensions import db

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


def describe(keyring: KeyRing, *, derived: bool = False) -> str:
    """The configured keys, by fingerprint (``derived``: the one derived from SECRET_KEY)."""
    if derived:
        return (
            f"ENCRYPTION_KEYS is empty, so the key derived from SECRET_KEY "
            f"({keyring.fingerprints[0]}) is used"
        )
    return "ENCRYPTION_KEYS holds " + ", ".join(keyring.fingerprints) + " (fingerprints)"


def sample_unreadable(engine: Engine, keyring: KeyRing) -> list[str] | None:
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


def check_stored_values(engine: Engine, keyring: KeyRing, *, derived: bool = False) -> None:
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
    keyring = ring()
    found: dict[str, list[int]] = {}
    for table, column, rows in stored_batches(batch=batch):
        bad = [row_id for row_id, token in rows if not keyring.opens(token)]
        if bad:
            found.setdefault(f"{table.name}.{column.name}", []).extend(bad)
    return found


def rotation_refusal(
    found: dict[str, list[int]], keyring: KeyRing, outcome: str = "Nothing was rewritten."
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
