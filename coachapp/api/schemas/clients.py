"""Clients: the list's query, the client, its patch, enrollments, discharge and re-enrollment."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from coachapp.api.schemas.common import (
    ApiSchema,
    NonBlank,
    PageArgs,
    PageSchema,
    enum_field,
    text,
)
from coachapp.limits import (
    ICD10_PATTERN,
    MAX_EMAIL,
    MAX_PERSON_NAME,
    MAX_PHONE,
    MAX_SEARCH,
    MAX_TEXT,
    MEMBER_ID_MAX,
    PAYER_MAX,
)
from coachapp.models.base import MAX_ID
from coachapp.models.enums import (
    ClientStatus,
    DischargeReason,
)


class ClientQueryArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=MAX_SEARCH))
    status = enum_field(ClientStatus)
    coach_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class ClientSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    first_name = fields.String(
        required=True, validate=[validate.Length(max=MAX_PERSON_NAME), NonBlank()]
    )
    last_name = fields.String(
        required=True, validate=[validate.Length(max=MAX_PERSON_NAME), NonBlank()]
    )
    preferred_name = text(MAX_PERSON_NAME, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = text(MAX_PHONE, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=MAX_EMAIL))
    intake_date = fields.Date()
    status = enum_field(ClientStatus, dump_only=True)
    discharge_date = fields.Date(dump_only=True, allow_none=True)
    discharge_reason = enum_field(DischargeReason, dump_only=True, allow_none=True)
    coach_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    program_id = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the coach's program: may be given on create, any other is 422"},
    )
    consent_on_file = fields.Boolean()
    consent_date = fields.Date(allow_none=True)
    okay_to_call = fields.Boolean()
    okay_to_text = fields.Boolean()
    notes = text(MAX_TEXT, allow_none=True)
    payer = text(PAYER_MAX, allow_none=True)
    member_id = text(
        MEMBER_ID_MAX, allow_none=True, metadata={"description": "the payer's id (encrypted)"}
    )
    diagnosis_code = fields.String(
        allow_none=True,
        validate=validate.Regexp(ICD10_PATTERN, error="An ICD-10 code looks like F11.20."),
        metadata={"description": "ICD-10, optional, e.g. F11.20"},
    )
    version = fields.Integer(dump_only=True)


class ClientPatchSchema(ApiSchema):
    SHOWS = ClientSchema

    first_name = fields.String(validate=[validate.Length(max=MAX_PERSON_NAME), NonBlank()])
    last_name = fields.String(validate=[validate.Length(max=MAX_PERSON_NAME), NonBlank()])
    preferred_name = text(MAX_PERSON_NAME, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = text(MAX_PHONE, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=MAX_EMAIL))
    status = fields.String(
        validate=validate.OneOf([ClientStatus.ACTIVE.value, ClientStatus.INACTIVE.value]),
        metadata={"description": "active or inactive; discharge has its own endpoint"},
    )
    consent_on_file = fields.Boolean()
    consent_date = fields.Date(allow_none=True)
    okay_to_call = fields.Boolean()
    okay_to_text = fields.Boolean()
    notes = text(MAX_TEXT, allow_none=True)
    payer = text(PAYER_MAX, allow_none=True)
    member_id = text(
        MEMBER_ID_MAX, allow_none=True, metadata={"description": "the payer's id (encrypted)"}
    )
    diagnosis_code = fields.String(
        allow_none=True,
        validate=validate.Regexp(ICD10_PATTERN, error="An ICD-10 code looks like F11.20."),
        metadata={"description": "ICD-10, optional, e.g. F11.20"},
    )
    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
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


class EnrollmentPage(PageSchema):
    items = fields.List(fields.Nested(EnrollmentSchema), required=True)


class DischargeSchema(ApiSchema):
    discharge_date = fields.Date(required=True)
    discharge_reason = enum_field(DischargeReason, required=True)
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class ReenrollSchema(ApiSchema):
    intake_date = fields.Date(required=True)
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
