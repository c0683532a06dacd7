"""Supervision notes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from coachapp.api.schemas.common import (
    ApiSchema,
    PageSchema,
    enum_field,
    happened_on,
    record_id,
    text,
    version_field,
)
from coachapp.limits import (
    MAX_MINUTES,
    MAX_NOTE_CLIENTS,
    MAX_NOTE_COACHES,
    MAX_TEXT,
    MAX_TOPICS,
    MIN_MINUTES,
)
from coachapp.models.enums import (
    SupervisionFormat,
)


class SupervisionNoteSchema(Schema):
    id = fields.Integer()
    supervisor_id = fields.Integer()
    coach_ids = fields.List(fields.Integer())
    date = fields.Date()
    duration_minutes = fields.Integer()
    format = enum_field(SupervisionFormat)
    topics = fields.String(allow_none=True)
    client_ids = fields.List(
        fields.Integer(),
        metadata={"description": "the clients discussed that the reader may open"},
    )
    note = fields.String(allow_none=True)
    action_items = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "when the reading coach acknowledged it (null otherwise)"},
    )


class SupervisionNotePage(PageSchema):
    items = fields.List(fields.Nested(SupervisionNoteSchema), required=True)


class SupervisionNoteFields(ApiSchema):
    SHOWS = SupervisionNoteSchema

    date = happened_on()
    # The range is the services' rule (check_note), refused there with the pages' message;
    # the document states it.
    duration_minutes = fields.Integer(
        strict=True, metadata={"minimum": MIN_MINUTES, "maximum": MAX_MINUTES}
    )
    format = enum_field(
        SupervisionFormat,
        metadata={"description": "individual names exactly one coach; group two or more"},
    )
    coach_ids = fields.List(
        record_id(),
        validate=validate.Length(max=MAX_NOTE_COACHES),
        metadata={"description": "active coaches you supervise"},
    )
    client_ids = fields.List(
        record_id(),
        validate=validate.Length(max=MAX_NOTE_CLIENTS),
        metadata={"description": "clients discussed, among the ones you may open"},
    )
    topics = text(MAX_TOPICS, allow_none=True)
    note = text(MAX_TEXT, allow_none=True)
    action_items = text(MAX_TEXT, allow_none=True)


class SupervisionNotePatchSchema(SupervisionNoteFields):
    version = version_field()


class SupervisionNoteCreateSchema(SupervisionNoteFields):
    duration_minutes = fields.Integer(
        strict=True, required=True, metadata={"minimum": MIN_MINUTES, "maximum": MAX_MINUTES}
    )
    format = enum_field(
        SupervisionFormat,
        required=True,
        metadata={"description": "individual names exactly one coach; group two or more"},
    )
    coach_ids = fields.List(
        record_id(),
        required=True,
        validate=validate.Length(max=MAX_NOTE_COACHES),
        metadata={"description": "active coaches you supervise"},
    )
