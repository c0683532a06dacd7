"""Logging: one JSON line per request (method, path template, status, duration, user id,
request id), never names, note text or tokens; the request id is echoed in a response header.
An error is logged as one line that keeps its cause (``error_summary``)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy.exc import StatementError

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("coachapp.request")
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
_QUOTED = re.compile(r'"[^"]*"')


def error_summary(error: BaseException) -> str:
    """One line that says what went wrong: the exception's class and the first line of its
    message. For a database error, the driver's exception and message ("sqlite3.OperationalError:
    database or disk is full", "psycopg.OperationalError: connection failed: ..."), where
    SQLAlchemy's own last line is the same link for every cause. Never the SQL statement, its
    parameters, or PostgreSQL's DETAIL and CONTEXT lines: they carry the values written."""
    if isinstance(error, StatementError) and error.orig is not None:
        error = error.orig
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    diag = getattr(error, "diag", None)  # psycopg: the server's fields, the primary one alone
    message = getattr(diag, "message_primary", None)
    if message and str(getattr(diag, "sqlstate", "") or "").startswith("22"):
        # A data exception quotes the value it could not take ('invalid input syntax ...: "x"').
        message = _QUOTED.sub('"..."', message)
    if not message:
        lines = str(error).strip().splitlines()
        message = lines[0] if lines else ""
    message = _BACKGROUND.sub("", message).strip()
    return f"{name}: {message}" if message else name


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = error_summary(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False)


def configure(app: Flask) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    root = logging.getLogger("coachapp")
    root.setLevel(level)
    if app.config.get("LOG_JSON") and not any(
        isinstance(h.formatter, JsonFormatter) for h in root.handlers
    ):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.propagate = False

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        user_id = current_user.id if current_user and current_user.is_authenticated else None
        request_log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": request.method,
                    # The rule, not the URL: "/clients/<int:client_id>", never a query string.
                    "path": request.url_rule.rule if request.url_rule else "<unmatched>",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                    if started
                    else None,
                    "user_id": user_id,
                }
            },
        )
        return response
