"""Marshmallow schemas of api.md: what goes in and out, and the OpenAPI document's source."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from coachapp.models.enums import ClientStatus, DischargeReason, Role

MAX_NAME = 100


def enum_field(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


def text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


class ApiSchema(Schema):
    """Input schemas: impossible dates (before 1900, years ahead) are field errors."""

    @validates_schema
    def _dates_in_range(self, data, **kwargs):
        from datetime import date, timedelta

        for key, value in data.items():
            if isinstance(value, date) and (
                value < date(1900, 1, 1) or value > date.today() + timedelta(days=3 * 366)
            ):
                raise ValidationError("This date is out of range.", field_name=key)


def NonBlank():  # noqa: N802 - reads like the validators it sits with
    """Not empty, not only spaces; documented as a ``pattern`` in the OpenAPI document."""
    return validate.Regexp(r"^\s*\S", error="Must not be blank.")


class PageArgs(Schema):
    class Meta:
        unknown = RAISE  # an unknown query parameter is a mistake worth a 422

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


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


class ProgramSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NonBlank()])
    timezone = fields.String(load_default="UTC", validate=validate.Length(max=64))


class ProgramPage(PageSchema):
    items = fields.List(fields.Nested(ProgramSchema), required=True)


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = enum_field(Role)
    program_id = fields.Integer(allow_none=True)
    supervisor_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class ClientQueryArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=100))
    status = enum_field(ClientStatus)
    coach_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ClientSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    first_name = fields.String(required=True, validate=[validate.Length(max=MAX_NAME), NonBlank()])
    last_name = fields.String(required=True, validate=[validate.Length(max=MAX_NAME), NonBlank()])
    preferred_name = text(MAX_NAME, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = text(40, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    intake_date = fields.Date()
    status = enum_field(ClientStatus, dump_only=True)
    discharge_date = fields.Date(dump_only=True, allow_none=True)
    discharge_reason = enum_field(DischargeReason, dump_only=True, allow_none=True)
    coach_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    program_id = fields.Integer(dump_only=True)
    consent_on_file = fields.Boolean()
    consent_date = fields.Date(allow_none=True)
    okay_to_call = fields.Boolean()
    okay_to_text = fields.Boolean()
    notes = text(10_000, allow_none=True)
    version = fields.Integer(dump_only=True)


class ClientPatchSchema(ApiSchema):
    first_name = fields.String(validate=[validate.Length(max=MAX_NAME), NonBlank()])
    last_name = fields.String(validate=[validate.Length(max=MAX_NAME), NonBlank()])
    preferred_name = text(MAX_NAME, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = text(40, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    status = fields.String(
        validate=validate.OneOf([ClientStatus.ACTIVE.value, ClientStatus.INACTIVE.value]),
        metadata={"description": "active or inactive; discharge has its own endpoint"},
    )
    consent_on_file = fields.Boolean()
    consent_date = fields.Date(allow_none=True)
    okay_to_call = fields.Boolean()
    okay_to_text = fields.Boolean()
    notes = text(10_000, allow_none=True)
    version = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version you read; a stale one answers 409"},
    )


class ClientPage(PageSchema):
    items = fields.List(fields.Nested(ClientSchema), required=True)


class EnrollmentSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    intake_date = fields.Date()
    discharge_date = fields.Date(allow_none=True)
    discharge_reason = enum_field(DischargeReason, allow_none=True)


class EnrollmentList(Schema):
    items = fields.List(fields.Nested(EnrollmentSchema), required=True)


class DischargeSchema(ApiSchema):
    discharge_date = fields.Date(required=True)
    discharge_reason = enum_field(DischargeReason, required=True)
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ReenrollSchema(ApiSchema):
    intake_date = fields.Date(required=True)
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
