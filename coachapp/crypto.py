"""Narrative text encrypted at rest (security.md): Fernet tokens under a MultiFernet.

Keys come from ``ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first): new text is
encrypted with the first, any listed key decrypts, and ``flask keys rotate`` re-encrypts every
stored value with the first (``coachapp.keys``, which reads the schema: this module sits below
the models, which use its column type). Without ``ENCRYPTION_KEYS`` (development, tests) a key
is derived from ``SECRET_KEY``; production refuses to start without it.

The key ring belongs to the app (``create_app`` sets it); code running inside an app context
uses that app's ring, so test apps with other keys never mix. Keys are named in messages by
their fingerprint, never in full.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, has_app_context
from sqlalchemy import Text
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
