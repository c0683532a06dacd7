"""Programs, the signed-in user and staff accounts (admin)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from coachapp.api.schemas.common import (
    ApiSchema,
    NonBlank,
    PageSchema,
    enum_field,
    record_id,
)
from coachapp.limits import (
    CREDENTIAL_MAX,
    MAX_EMAIL,
    MAX_LINE,
    MAX_PASSWORD_INPUT,
    MAX_TIMEZONE,
)
from coachapp.models.enums import (
    Role,
)


def break_glass_minutes(**kwargs):
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=15, max=1440),
        metadata={"description": "how long a break-the-glass access stays open: 15 to 1440"},
        **kwargs,
    )


class ProgramSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=MAX_LINE), NonBlank()])
    timezone = fields.String(load_default="UTC", validate=validate.Length(max=MAX_TIMEZONE))
    break_glass_minutes = break_glass_minutes(load_default=120)


class ProgramPatchSchema(ApiSchema):
    SHOWS = ProgramSchema

    name = fields.String(validate=[validate.Length(min=1, max=MAX_LINE), NonBlank()])
    timezone = fields.String(validate=validate.Length(min=1, max=MAX_TIMEZONE))
    break_glass_minutes = break_glass_minutes()


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


class UserSchema(MeSchema):
    """A staff account as api.md shows it."""

    credential = fields.String(allow_none=True)


class UserPage(PageSchema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class UserPatchSchema(ApiSchema):
    SHOWS = UserSchema

    name = fields.String(validate=[validate.Length(max=MAX_LINE), NonBlank()])
    role = enum_field(Role)
    program_id = record_id(allow_none=True)
    supervisor_id = record_id(
        allow_none=True, metadata={"description": "coaches only: a supervisor of their program"}
    )
    active = fields.Boolean(
        metadata={"description": "false deactivates: sessions end, tokens are revoked"}
    )
    credential = fields.String(
        allow_none=True,
        validate=validate.Length(max=CREDENTIAL_MAX),
        metadata={"description": "the credential notes are signed with, e.g. CPRS (optional)"},
    )


class UserCreateSchema(UserPatchSchema):
    email = fields.Email(required=True, validate=validate.Length(max=MAX_EMAIL))
    name = fields.String(required=True, validate=[validate.Length(max=MAX_LINE), NonBlank()])
    role = enum_field(Role, required=True)
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=MAX_PASSWORD_INPUT),
        metadata={"description": "at least 12 characters; common passwords are refused"},
    )
