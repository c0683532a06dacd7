"""Stable pseudonyms for clients in de-identified rows (drill-down for program managers and
admins, the per-client export): ``P-`` and the first 10 hex digits of
HMAC-SHA256(SECRET_KEY, "client:<id>").

The same client gets the same pseudonym in every list and export, so rows can be compared
across reports, but the pseudonym cannot be turned back into an id without the key. Rotating
``SECRET_KEY`` changes every pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def pseudonym(client_id: int, key: str | bytes | None = None) -> str:
    secret = key if key is not None else current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    digest = hmac.new(secret, f"client:{client_id}".encode(), hashlib.sha256).hexdigest()
    return "P-" + digest[:10]


def pseudonymizer():
    """``pseudonym`` with the key read once (for streaming many rows)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return lambda client_id: pseudonym(client_id, secret)
