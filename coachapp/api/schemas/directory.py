"""The resource directory."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from coachapp.api.schemas.common import (
    ApiSchema,
    NonBlank,
    PageArgs,
    PageSchema,
    enum_field,
    text,
)
from coachapp.limits import (
    MAX_EMAIL,
    MAX_LINE,
    MAX_PHONE,
    MAX_RESOURCE_ADDRESS,
    MAX_SEARCH,
    MAX_TEXT,
    MAX_URL,
)
from coachapp.models.enums import (
    ResourceCategory,
)
from coachapp.resources.forms import is_http_url


def _http_url(value: str) -> bool:
    if not is_http_url(value):
        raise ValidationError("Give a web address starting with https:// or http://.")
    return True


class ResourceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    category = enum_field(ResourceCategory)
    organization = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    active = fields.Boolean()


class ResourcePage(PageSchema):
    items = fields.List(fields.Nested(ResourceSchema), required=True)


class ResourceQueryArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=MAX_SEARCH))
    category = enum_field(ResourceCategory)
    active = fields.Boolean()


class ResourcePatchSchema(ApiSchema):
    SHOWS = ResourceSchema

    name = fields.String(validate=[validate.Length(max=MAX_LINE), NonBlank()])
    category = enum_field(ResourceCategory)
    organization = fields.String(
        allow_none=True,
        validate=[validate.Length(max=MAX_LINE), NonBlank()],
        metadata={"description": "the organization's name; a new name adds the organization"},
    )
    phone = text(MAX_PHONE, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=MAX_EMAIL))
    website = fields.String(allow_none=True, validate=[validate.Length(max=MAX_URL), _http_url])
    address = text(MAX_RESOURCE_ADDRESS, allow_none=True)
    description = text(MAX_TEXT, allow_none=True)
    active = fields.Boolean()


class ResourceCreateSchema(ResourcePatchSchema):
    name = fields.String(required=True, validate=[validate.Length(max=MAX_LINE), NonBlank()])
    category = enum_field(ResourceCategory, required=True)
