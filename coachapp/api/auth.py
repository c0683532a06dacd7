"""Bearer-token authentication for the API: each token acts with exactly its user's rights."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, request

from coachapp.auth.tokens import user_for_token
from coachapp.extensions import db
from coachapp.models import User

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_user() -> User | None:
    """The active user whose live token the request carries, or None; looked up once per
    request (the rate-limit key and ``token_required`` both ask)."""
    # Kept on g with the request it answers: g outlives a request when the app context was
    # pushed by someone else (a test, a script), and the next request must look again.
    current = request._get_current_object()  # type: ignore[attr-defined]
    found = g.get("_token_user")
    if found is None or found[0] is not current:
        token = bearer_token()
        found = g._token_user = (current, user_for_token(token) if token else None)
    return found[1]


def rate_limit_key() -> str:
    """Rate limits count per live token (hashed), else per address: a made-up or revoked token
    gets no bucket of its own, so inventing tokens does not escape the limit."""
    if token_user() is not None:
        token = bearer_token() or ""
        return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]
    return "ip:" + (request.remote_addr or "unknown")


def api_user() -> User:
    return g.api_user


def token_required(*roles: str) -> Callable[[F], F]:
    """The request must carry a live token of an active user (401 otherwise); with ``roles``,
    other roles get 403. Declares the route's access rule for the url_map test."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = token_user()
            if user is None:
                abort(401)
            db.session.commit()  # last_used_at
            if roles and user.role not in roles:
                abort(403)
            g.api_user = user
            return view(*args, **kwargs)

        wrapper.access_rule = "api:" + (",".join(roles) if roles else "any")  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
