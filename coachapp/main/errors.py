"""Error pages (HTML) and JSON errors for /api: never a stack trace, never a 500 for bad input;
503 with ``Retry-After`` while the database is unavailable."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError

from coachapp.extensions import db, login_manager

log = logging.getLogger("coachapp.errors")

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "There is nothing here, or it is not yours to see.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing was saved.",
    503: "The database is not answering just now. Nothing was saved; please try again shortly.",
}
# The database is down, full, read-only, locked or out of connections: worth a retry, not a bug.
DATABASE_UNAVAILABLE = (OperationalError, DisconnectionError, PoolTimeoutError)
RETRY_AFTER_SECONDS = "30"


def wants_json() -> bool:
    return request.path.startswith("/api/")


API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
API_MESSAGES = {
    401: "A valid bearer token is needed.",
    409: "Someone else changed this record since you read it; read it again.",
    422: "Some fields are not valid.",
}


def _field_errors(error: HTTPException | None) -> dict | None:
    """Field messages from webargs (``data.messages``, by location) or ``abort(422, {...})``."""
    if error is None:
        return None
    messages = (getattr(error, "data", None) or {}).get("messages")
    if isinstance(messages, dict):
        flat: dict = {}
        for value in messages.values():  # {"json": {...}, "query": {...}}
            if isinstance(value, dict):
                flat.update(value)
        return {k: v if isinstance(v, list) else [str(v)] for k, v in flat.items()} or None
    if isinstance(error.description, dict):
        return dict(error.description)
    return None


def _own_conflict(status: int, error: HTTPException | None) -> str | None:
    """A 409 that says why in its own words (``abort(409, description="...")``: a signed note
    is read-only), rather than the stale-version message every other 409 means."""
    if status != 409 or error is None or not isinstance(error.description, str):
        return None
    return error.description if error.description != Conflict.description else None


def _render(status: int, message: str | None = None, error: HTTPException | None = None):
    if wants_json():
        body = {
            "code": API_CODES.get(status, "error"),
            "message": _own_conflict(status, error)
            or API_MESSAGES.get(status)
            or MESSAGES.get(status, "Request failed."),
        }
        fields = _field_errors(error)
        if fields:
            body["fields"] = fields
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return jsonify({"error": body}), status, headers
    message = message or MESSAGES.get(status, "The request could not be completed.")
    return render_template("errors/error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return _render(400, "The form expired or was sent from elsewhere. Please try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        body, status, *rest = _render(error.code or 500, error=error)
        headers = dict(rest[0]) if rest else {}
        # Keep what the exception says about itself (405's Allow, for one); not its body's type.
        for name, value in error.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                headers.setdefault(name, value)
        if error.code == 429:
            retry = error.response.headers.get("Retry-After") if error.response else None
            headers["Retry-After"] = retry or "60"
        return body, status, headers

    def database_unavailable(error: SQLAlchemyError):
        # The connection may be gone too; the session is discarded at the end of the request.
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        log.error("database unavailable on %s %s", request.method, request.url_rule, exc_info=error)
        if "_login_user" not in g:
            # The signed-in user could not be loaded (that is the first query of a request):
            # answer as to a visitor, so that neither the page nor the response hooks ask the
            # database again. flask-login keeps the request's user in g._login_user.
            g._login_user = login_manager.anonymous_user()
        body, status, *_ = _render(503)
        return body, status, {"Retry-After": RETRY_AFTER_SECONDS}

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, database_unavailable)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.url_rule)
        return _render(InternalServerError.code)
