"""``Idempotency-Key`` on POST (api.md): a client whose connection dropped after the commit
sends the request again with the same key and gets the first answer; nothing is created twice.

How: the key's row (``IdempotencyKey``) is inserted before the view runs, in the same
transaction as the view's change, and saved by the request's one commit together with the
answer. ``committing()`` only flushes inside such a request (``commit``), so the change, the key
and the answer are committed together or not at all: a refused request (4xx) leaves no key
behind and may be sent again. Two requests with the same key at once: the second's insert
meets the unique (user, key) — PostgreSQL makes it wait for the first's commit — and it rolls
back and answers with the first's stored response.

A key is the user's own (another user's same key is another key), for 24 hours; the answer,
which may hold decrypted notes, is stored encrypted."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, request
from flask_smorest import Blueprint as SmorestBlueprint
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from coachapp.api.auth import api_user
from coachapp.extensions import db
from coachapp.models import IdempotencyKey
from coachapp.models.base import utcnow

log = logging.getLogger("coachapp.api")

F = TypeVar("F", bound=Callable[..., Any])

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: a UUID, a ULID, a counter...
_DEFERRED = "idempotency_deferred"  # g: this request's commit waits for its answer

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Any unique string (a UUID) of 1 to 255 visible ASCII characters. Sent again with the "
        "same request within 24 hours, the first response is returned (with the header "
        f"`{REPLAYED}: true`) and nothing is created twice; with another request, 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def commit() -> None:
    """The commit of ``committing()``. In a request with an idempotency key it is the key's
    (after the answer is made): here the changes are only flushed, and everything loaded is
    expired as a commit would, so the answer reads what the database holds."""
    if g.get(_DEFERRED):
        db.session.flush()
        db.session.expire_all()
    else:
        db.session.commit()


def _refuse(message: str):
    abort(422, description={HEADER: [message]})


def _digest(text: str | bytes) -> str:
    return hashlib.sha256(text if isinstance(text, bytes) else text.encode("utf-8")).hexdigest()


def _request_digest() -> str:
    """The request as the key promises it: method, path and body (JSON compared by value, not
    by spacing or key order)."""
    body = request.get_json(silent=True)
    if body is not None:
        content = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    else:
        content = request.get_data(cache=True)
    head = f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n"
    return _digest(head.encode("utf-8") + content)


def _stored(user_id: int, key_digest: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key_digest == key_digest,
            IdempotencyKey.created_at >= utcnow() - KEEP,
        )
    )


def _replay(row: IdempotencyKey, request_digest: str):
    if row.request_digest != request_digest:
        _refuse("This key was used for another request; use a new key for a new request.")
    log.info("idempotent replay user=%s key=%s", row.user_id, row.id)
    response = current_app.response_class(
        row.response_body, status=row.status_code, mimetype="application/json"
    )
    response.headers[REPLAYED] = "true"
    return response


def idempotent(view: F) -> F:
    """A POST view that takes ``Idempotency-Key`` (under ``token_required``: the key is the
    token's user's). Documented as a header parameter of the operation."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not KEY.fullmatch(key):
            _refuse("Give 1 to 255 visible ASCII characters (a UUID, for one).")
        user_id = api_user().id
        key_digest, request_digest = _digest(key), _request_digest()
        found = _stored(user_id, key_digest)
        if found is not None:
            return _replay(found, request_digest)
        # Keys past 24 hours are forgotten (the user's own: no other user's rows are locked).
        db.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < utcnow() - KEEP
            )
        )
        row = IdempotencyKey(user_id=user_id, key_digest=key_digest, request_digest=request_digest)
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            # The same key, committed by a request that ran at the same time: its answer.
            db.session.rollback()
            found = _stored(user_id, key_digest)
            if found is None:
                abort(409)
            return _replay(found, request_digest)
        g.setdefault(_DEFERRED, True)
        try:
            response = view(*args, **kwargs)
        finally:
            g.pop(_DEFERRED, None)
        if 200 <= response.status_code < 300:
            row.status_code = response.status_code
            row.response_body = response.get_data(as_text=True)
        else:
            db.session.delete(row)  # nothing to replay: the key stays free
        db.session.commit()
        return response

    return SmorestBlueprint.doc(parameters=[PARAMETER])(wrapper)  # type: ignore[return-value]
