"""JSON API v1 (../shared/spec/api.md): bearer tokens, the same services and access rule as
the pages, and an OpenAPI 3 document at /api/v1/openapi.json generated from the schemas."""

from __future__ import annotations

from flask import Flask, current_app
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from coachapp import access
from coachapp.api.auth import rate_limit_key
from coachapp.api.schemas import ErrorSchema
from coachapp.extensions import csrf, limiter
from coachapp.main.errors import wants_json

QUERY_LOCATIONS = ("query", "querystring")


def _wrong_type(schema, messages: dict) -> bool:
    """Whether a parameter in ``messages`` ({name: [message...]}) failed on its type (marshmallow
    reports that with the field's ``invalid`` message), not on a rule of its value."""
    by_name = {field.data_key or name: field for name, field in schema.fields.items()}
    for name, found in messages.items():
        field = by_name.get(name)
        invalid = field.error_messages.get("invalid") if field is not None else None
        if invalid and invalid in (found if isinstance(found, list) else [found]):
            return True
    return False


class ApiArgumentsParser(FlaskParser):
    """The query strings of every endpoint, read the same way (api.md, "Errors"): a parameter
    of the wrong type (``page=abc``) answers 400; an unknown parameter, or a value a rule
    refuses (``per_page=500``), 422 naming it. Both in api.md's error shape."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        **dict.fromkeys(QUERY_LOCATIONS, RAISE),
    }

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages if isinstance(error.messages, dict) else {}
        for location in QUERY_LOCATIONS:
            found = messages.get(location)
            if isinstance(found, dict) and _wrong_type(schema, found):
                error_status_code = 400
        super().handle_error(
            error, req, schema, error_status_code=error_status_code, error_headers=error_headers
        )


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ApiArgumentsParser()


blp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="coachapp JSON API v1")
# Per token (or per address without one); storage shared through Redis when configured.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(blp)


class CoachappApi(Api):
    """flask-smorest, but errors stay with coachapp's one handler (api.md's error shape for
    /api, HTML pages elsewhere)."""

    def _register_error_handlers(self):
        return None

    ERROR_SCHEMA = ErrorSchema  # api.md's {"error": {code, message, fields}}


def register_api(app: Flask) -> None:
    # The route modules import ``blp`` from this package: they load once it is defined.
    from coachapp.api import (  # noqa: F401 - routes
        appointments,
        assessments,
        assignments,
        billing,
        clients,
        consents,
        disclosures,
        followups,
        goals,
        me,
        merges,
        plans,
        profiles,
        referrals,
        reports,
        resources,
        sessions,
        supervision,
        users,
    )

    app.config.setdefault("API_TITLE", "coachapp")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = CoachappApi(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "Personal token"}
                }
            },
            "security": [{"bearer": []}],
        },
    )
    csrf.exempt(blp)  # bearer tokens only; the session cookie is never accepted
    api.register_blueprint(blp)
    name = "api-docs.openapi_json"
    serve_document = app.view_functions[name]

    @access.public
    def openapi_json():
        return serve_document()

    app.view_functions[name] = openapi_json

    @app.after_request
    def no_store(response):
        """api.md: every API response carries ``Cache-Control: no-store`` (health records:
        no proxy or browser keeps them): the answers of the views, of the error handlers (401,
        404, 422, 429...) and the OpenAPI document alike. An app hook keyed on the path, not
        the blueprint's: a path that matches no route has no blueprint."""
        if wants_json():
            response.headers["Cache-Control"] = "no-store"
        return response
