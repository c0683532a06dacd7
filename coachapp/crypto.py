"""Narrative text encrypted at rest (security.md): Fernet tokens under a MultiFernet.

Keys come from ``ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first): new text is
encrypted with the first, any listed key decrypts, and ``flask keys rotate`` re-encrypts every
stored value with the first. Without ``ENCRYPTION_KEYS`` (development, tests) a key is derived
from ``SECRET_KEY``; production refuses to start without it.

The key ring belongs to the app (``create_app`` sets it); code running inside an app context
uses that app's ring, so test apps with other keys never mix.
"""

from __future__ import annotations

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, has_app_context
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

log = logging.getLogger("coachapp.crypto")
UNREADABLE = "[This text cannot be decrypted with the configured keys.]"

_ring: MultiFernet | None = None


def derived_key(secret: str) -> str:
    """A Fernet key derived from ``secret`` (development and tests only)."""
    digest = hashlib.sha256(("coachapp-encryption:" + secret).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def parse_keys(value: str) -> list[str]:
    keys = [k.strip() for k in value.split(",") if k.strip()]
    for key in keys:
        Fernet(key)  # raises ValueError for a malformed key
    return keys


EXTENSION = "coachapp.crypto"


def configure(app, keys: list[str]) -> None:
    """Give ``app`` its key ring (also the fallback outside any app context)."""
    global _ring
    if not keys:
        raise ValueError("at least one encryption key is needed")
    _ring = MultiFernet([Fernet(k) for k in keys])
    app.extensions[EXTENSION] = _ring


def ring() -> MultiFernet:
    if has_app_context() and EXTENSION in current_app.extensions:
        return current_app.extensions[EXTENSION]
    if _ring is None:
        raise RuntimeError("encryption keys are not configured (create_app does it)")
    return _ring


def encrypt(text: str) -> str:
    return ring().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return ring().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError):
        log.error("a stored value could not be decrypted (wrong or missing key)")
        return UNREADABLE


def rotate_token(token: str) -> str:
    return ring().rotate(token.encode("ascii")).decode("ascii")


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
    read, so an edit saved meanwhile is never overwritten; readers accept either key)."""
    from sqlalchemy import select, type_coerce, update

    from coachapp.extensions import db

    counts: dict[str, int] = {}
    for table, column in encrypted_columns():
        raw = type_coerce(column, Text)
        pk = table.c.id
        last_id, done = 0, 0
        while True:
            rows = db.session.execute(
                select(pk, raw).where(pk > last_id, column.is_not(None)).order_by(pk).limit(batch)
            ).all()
            if not rows:
                break
            for row_id, token in rows:
                db.session.execute(
                    update(table)
                    .where(pk == row_id, raw == token)
                    .values({column.name: type_coerce(rotate_token(token), Text)})
                )
            db.session.commit()
            done += len(rows)
            last_id = rows[-1][0]
        counts[f"{table.name}.{column.name}"] = done
    return counts
