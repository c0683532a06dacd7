"""The accounting of disclosures of a client (api.md, issue 23)."""

from marshmallow import Schema, fields

from coachapp.api.schemas.common import PageSchema, enum_field
from coachapp.models.enums import DisclosureKind


class DisclosureSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    disclosed_at = fields.DateTime(metadata={"description": "when it was disclosed (UTC)"})
    kind = enum_field(DisclosureKind)
    recipient = fields.String()
    purpose = fields.String()
    what = fields.String(metadata={"description": "what was disclosed, in words"})
    consent_id = fields.Integer(
        allow_none=True, metadata={"description": "the consent it was made under, if any"}
    )


class DisclosurePage(PageSchema):
    items = fields.List(fields.Nested(DisclosureSchema), required=True)
