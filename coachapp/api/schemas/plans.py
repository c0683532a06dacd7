"""Recovery plans (api.md): a version's content out, a draft's content in, a signature.

``version`` is the plan's number (1, 2, ...), as api.md names it; the optimistic lock of a
draft travels in the ``ETag`` / ``If-Match`` headers instead."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from coachapp.api.schemas.common import ApiSchema, PageSchema, enum_field, record_id, text
from coachapp.limits import (
    MAX_PLAN_GOALS,
    MAX_PLAN_STEP,
    MAX_PLAN_STEPS,
    MAX_PLAN_WHO,
    MAX_SIGNATURE_BYTES,
    MAX_SIGNATURE_NAME,
    MAX_TEXT,
)
from coachapp.models.enums import PlanStatus


class PlanStepSchema(ApiSchema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PLAN_STEP))
    who = text(MAX_PLAN_WHO, allow_none=True)
    due_on = fields.Date(allow_none=True, metadata={"years_ahead": 10})


class PlanSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    version = fields.Integer(metadata={"description": "the plan's number: 1, 2, ..."})
    strengths = fields.String(allow_none=True)
    barriers = fields.String(allow_none=True)
    goal_ids = fields.List(fields.Integer())
    steps = fields.List(fields.Nested(PlanStepSchema))
    supports = fields.String(allow_none=True)
    review_on = fields.Date(allow_none=True)
    signed_by_client_at = fields.DateTime(allow_none=True)
    signed_by_coach_at = fields.DateTime(allow_none=True)
    status = enum_field(PlanStatus)


class PlanPage(PageSchema):
    items = fields.List(fields.Nested(PlanSchema), required=True)


class PlanFields(ApiSchema):
    """A draft's content; on create, content set on the new version (version N+1 starts as a
    copy of N)."""

    SHOWS = PlanSchema

    strengths = text(MAX_TEXT, allow_none=True)
    barriers = text(MAX_TEXT, allow_none=True)
    supports = text(MAX_TEXT, allow_none=True)
    review_on = fields.Date(allow_none=True, metadata={"years_ahead": 10})
    goal_ids = fields.List(
        record_id(),
        validate=validate.Length(max=MAX_PLAN_GOALS),
        metadata={"description": "goals of this client"},
    )
    steps = fields.List(
        fields.Nested(PlanStepSchema),
        validate=validate.Length(max=MAX_PLAN_STEPS),
        metadata={"description": "the whole list of action steps (replaces the draft's)"},
    )


class PlanSignSchema(ApiSchema):
    # Not "required" here: a missing signer is the services' 422, answered only once the plan
    # is reached (outside the rule it is 404, whatever the body).
    signer = fields.String(
        load_default=None,
        validate=validate.OneOf(["client", "coach"]),
        metadata={"description": "client or coach (required)"},
    )
    typed_name = text(MAX_SIGNATURE_NAME, allow_none=True)
    image = fields.String(
        allow_none=True,
        validate=validate.Length(max=(MAX_SIGNATURE_BYTES * 4) // 3 + 100),
        metadata={"description": "a drawn signature: data:image/png;base64,... (at most 200 KB)"},
    )
    attested = fields.Boolean(
        load_default=False,
        metadata={
            "description": "required true with typed_name: the signer attests it is their signature"
        },
    )
