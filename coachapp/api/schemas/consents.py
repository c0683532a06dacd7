"""Consents (42 CFR Part 2) and the summary a consent permits."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from coachapp.api.schemas.common import (
    TODAY,
    ApiSchema,
    NonBlank,
    PageSchema,
    enum_field,
    happened_on,
)
from coachapp.limits import MAX_LINE
from coachapp.models.enums import ConsentCategory, ConsentType

MAX_CONSENT_TEXT = 2000
CATEGORY_VALUES = [c.value for c in ConsentCategory]


def known_categories(values: list[str]) -> None:
    unknown = sorted({v for v in values if v not in CATEGORY_VALUES})
    if unknown:
        raise ValidationError(
            "Not a consent category: "
            + ", ".join(unknown)[:200]
            + ". Choose from: "
            + ", ".join(CATEGORY_VALUES)
            + "."
        )


class ConsentSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    consent_type = enum_field(ConsentType)
    recipient = fields.String()
    purpose = fields.String()
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORY_VALUES)))
    other = fields.String(metadata={"description": "anything else, in the client's words"})
    signed_on = fields.Date()
    expires_on = fields.Date(allow_none=True)
    revoked_on = fields.Date(allow_none=True)
    statements_version = fields.String(
        allow_none=True,
        metadata={"description": "TPO: the wording of the required statements the client got"},
    )


class ConsentPage(PageSchema):
    items = fields.List(fields.Nested(ConsentSchema), required=True)


class ConsentCreateSchema(ApiSchema):
    SHOWS = ConsentSchema

    consent_type = enum_field(ConsentType, load_default=ConsentType.SPECIFIC.value)
    recipient = fields.String(
        required=True, validate=[validate.Length(min=1, max=MAX_LINE), NonBlank()]
    )
    purpose = fields.String(
        required=True, validate=[validate.Length(min=1, max=MAX_CONSENT_TEXT), NonBlank()]
    )
    categories = fields.List(
        fields.String(validate=validate.Length(max=40)),
        load_default=list,
        validate=[validate.Length(max=len(CATEGORY_VALUES) * 2), known_categories],
        metadata={"description": "of: " + ", ".join(CATEGORY_VALUES)},
    )
    other = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_CONSENT_TEXT),
        metadata={"description": "anything else (free text); at least one category or this"},
    )
    signed_on = happened_on()
    expires_on = fields.Date(allow_none=True, metadata={"years_ahead": 10})
    statements_given = fields.Boolean(
        load_default=False,
        metadata={"description": "TPO: the client was given the required statements (needed)"},
    )


class ConsentRevokeSchema(ApiSchema):
    # Required, but asked after the consent is reached (outside the rule: 404 first).
    revoked_on = fields.Date(
        load_default=None, metadata={"description": "required; never in the future"}
    )


class SummaryClientSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = fields.Date(allow_none=True)


class AttendanceSchema(Schema):
    count = fields.Integer()
    first = fields.Date(allow_none=True)
    last = fields.Date(allow_none=True)
    dates = fields.List(fields.Date())


class SummaryEpisodeSchema(Schema):
    intake_date = fields.Date()
    discharge_date = fields.Date(allow_none=True)
    discharge_reason = fields.String(allow_none=True)


class SummaryGoalSchema(Schema):
    domain = fields.String()
    description = fields.String()
    status = fields.String()
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)


class SummaryAppointmentSchema(Schema):
    scheduled_at = fields.DateTime(metadata={"description": "program wall-clock time"})
    kind = fields.String()
    outcome = fields.String()


class SummaryReferralSchema(Schema):
    referred_on = fields.Date()
    category = fields.String()
    status = fields.String()


class SummaryAssessmentSchema(Schema):
    administered_on = fields.Date()
    total = fields.Integer()


class SummaryNoteSchema(Schema):
    date = fields.Date()
    note = fields.String()


class ConsentSummarySchema(Schema):
    """Only the categories the consent names are present; each one given out is a disclosure."""

    consent = fields.Nested(ConsentSchema)
    prepared_on = fields.Date(metadata={"description": TODAY})
    client = fields.Nested(SummaryClientSchema)
    attendance = fields.Nested(AttendanceSchema)
    enrollment = fields.List(fields.Nested(SummaryEpisodeSchema))
    goals = fields.List(fields.Nested(SummaryGoalSchema))
    appointments = fields.List(fields.Nested(SummaryAppointmentSchema))
    referrals = fields.List(fields.Nested(SummaryReferralSchema))
    assessments = fields.List(fields.Nested(SummaryAssessmentSchema))
    notes = fields.List(fields.Nested(SummaryNoteSchema))
    statements = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "TPO: the required statements of the version given"},
    )
    notice = fields.String(metadata={"description": "the 42 CFR 2.32 notice to the recipient"})
