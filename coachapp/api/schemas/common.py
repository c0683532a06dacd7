"""What every API schema shares: the input base (``ApiSchema``), paging, errors, and the
field helpers (enums, text, ids, versions, dates that happened)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from coachapp.limits import (
    MAX_PAGE,
    MAX_PER_PAGE,
)
from coachapp.models.base import MAX_ID

READ_ONLY = "Read-only field."


def enum_field(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


def text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


class ApiSchema(Schema):
    """Input schemas: impossible dates (before 1900, years ahead: 3, or a field's
    ``metadata["years_ahead"]``) are field errors, and so is text with a NUL character (which
    PostgreSQL cannot store and nobody types).

    A field the resource shows but this body cannot set (``SHOWS``' fields, or the schema's own
    ``dump_only`` ones, that it does not load) is read-only (api.md): sent, it answers
    "Read-only field." instead of marshmallow's "Unknown field.", so a client that sends back
    what it read learns what to drop."""

    #: The resource this body creates or changes, as the API shows it (its output schema);
    #: None: the schema itself (its ``dump_only`` fields), or an action's body.
    SHOWS: ClassVar[type[Schema] | None] = None

    @classmethod
    def read_only_fields(cls) -> frozenset[str]:
        found = cls.__dict__.get("_read_only")
        if found is None:
            shown = (cls.SHOWS or cls)().dump_fields
            settable = cls().load_fields
            found = frozenset(
                {field.data_key or name for name, field in shown.items()}
                - {field.data_key or name for name, field in settable.items()}
            )
            cls._read_only = found
        return found

    def load(self, data, *, many=None, partial=None, unknown=None):
        try:
            return super().load(data, many=many, partial=partial, unknown=unknown)
        except ValidationError as error:
            read_only = self.read_only_fields()
            if not read_only or not isinstance(error.messages, dict):
                raise
            unknown_field = [self.error_messages["unknown"]]
            messages = {
                key: [READ_ONLY] if key in read_only and found == unknown_field else found
                for key, found in error.messages.items()
            }
            raise ValidationError(messages, data=error.data, valid_data=error.valid_data) from None

    @validates_schema
    def _dates_in_range(self, data, **kwargs):
        for key, value in data.items():
            if isinstance(value, datetime):
                value = value.date()
            if not isinstance(value, date):
                continue
            field = self.fields.get(key)
            years = field.metadata.get("years_ahead", 3) if field is not None else 3
            if value < date(1900, 1, 1) or value > date.today() + timedelta(days=years * 366):
                raise ValidationError("This date is out of range.", field_name=key)

    @validates_schema
    def _no_nul(self, data, **kwargs):
        for key, value in data.items():
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValidationError(
                    "This text contains a character that cannot be stored.", field_name=key
                )


def NonBlank():  # noqa: N802 - reads like the validators it sits with
    """Not empty, not only spaces; documented as a ``pattern`` in the OpenAPI document."""
    return validate.Regexp(r"^\s*\S", error="Must not be blank.")


class PageArgs(Schema):
    class Meta:
        unknown = RAISE  # an unknown query parameter is a mistake worth a 422

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class NoArgs(Schema):
    """An endpoint without query parameters: any one given is refused (422), as everywhere."""

    class Meta:
        unknown = RAISE


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


def record_id(**kwargs):
    """A database id in a JSON body: an integer (not a string), within the column's range."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def version_field():
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the version you read; a stale one answers 409"},
    )


TODAY = "the program's today when left out"


def happened_on(**kwargs):
    """A date something happened: defaults to the program's today, never in the future."""
    return fields.Date(metadata={"description": f"{TODAY}; never in the future"}, **kwargs)
