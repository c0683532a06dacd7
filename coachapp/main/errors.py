"""Error pages (HTML) and JSON errors for /api: never a stack trace, never a 500 for bad input."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from coachapp.extensions import db

log = logging.getLogger("coachapp.errors")

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "There is nothing here, or it is not yours to see.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing was saved.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, "The request could not be completed.")
    if wants_json():
        body = {"error": {"code": str(status), "message": message}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return _render(400, "The form expired or was sent from elsewhere. Please try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        response = _render(error.code or 500)
        if error.code == 429 and error.response is not None:
            retry = error.response.headers.get("Retry-After")
            if retry:
                body, status = response
                return body, status, {"Retry-After": retry}
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.url_rule)
        return _render(InternalServerError.code)
