"""The client profile for funders: demographics, and housing and employment history."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from coachapp.api.schemas.common import (
    TODAY,
    ApiSchema,
    PageArgs,
    PageSchema,
    enum_field,
)
from coachapp.models.base import MAX_ID
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS, STATUS_VALUES

DEMOGRAPHICS = DEMOGRAPHIC_FIELDS
STATUS_VALUE_NAMES = tuple(
    dict.fromkeys(m.value for enum_cls in STATUS_VALUES.values() for m in enum_cls)
)
NOT_ASKED = "null: not asked yet; declined: asked, not answered"


class StatusAtSchema(Schema):
    status = fields.String()
    as_of = fields.Date()


class ProfileSchema(Schema):
    client_id = fields.Integer()
    gender_identity = enum_field(DEMOGRAPHICS["gender_identity"], allow_none=True)
    race_ethnicity = enum_field(DEMOGRAPHICS["race_ethnicity"], allow_none=True)
    veteran_status = enum_field(DEMOGRAPHICS["veteran_status"], allow_none=True)
    primary_substance = enum_field(DEMOGRAPHICS["primary_substance"], allow_none=True)
    insurance = enum_field(DEMOGRAPHICS["insurance"], allow_none=True)
    referral_source = enum_field(DEMOGRAPHICS["referral_source"], allow_none=True)
    age_band = fields.String(
        allow_none=True,
        metadata={"description": "from the date of birth at the latest intake; not stored"},
    )
    housing_now = fields.Nested(StatusAtSchema, allow_none=True)
    housing_at_intake = fields.Nested(
        StatusAtSchema,
        allow_none=True,
        metadata={
            "description": "the latest status dated on or before the latest intake, else the "
            "earliest within 30 days after it"
        },
    )
    employment_now = fields.Nested(StatusAtSchema, allow_none=True)
    employment_at_intake = fields.Nested(StatusAtSchema, allow_none=True)
    version = fields.Integer(metadata={"description": "0 until the profile is first saved"})


class ProfilePatchSchema(ApiSchema):
    SHOWS = ProfileSchema

    gender_identity = enum_field(
        DEMOGRAPHICS["gender_identity"], allow_none=True, metadata={"description": NOT_ASKED}
    )
    race_ethnicity = enum_field(
        DEMOGRAPHICS["race_ethnicity"], allow_none=True, metadata={"description": NOT_ASKED}
    )
    veteran_status = enum_field(
        DEMOGRAPHICS["veteran_status"], allow_none=True, metadata={"description": NOT_ASKED}
    )
    primary_substance = enum_field(
        DEMOGRAPHICS["primary_substance"], allow_none=True, metadata={"description": NOT_ASKED}
    )
    insurance = enum_field(
        DEMOGRAPHICS["insurance"], allow_none=True, metadata={"description": NOT_ASKED}
    )
    referral_source = enum_field(
        DEMOGRAPHICS["referral_source"], allow_none=True, metadata={"description": NOT_ASKED}
    )
    version = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={
            "description": "the version you read (0: no profile yet); a stale one answers 409"
        },
    )


class StatusRecordSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["housing", "employment"]))
    status = fields.String()
    as_of = fields.Date()


class StatusRecordPage(PageSchema):
    items = fields.List(fields.Nested(StatusRecordSchema), required=True)


class StatusQueryArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(["housing", "employment"]))


class StatusCreateSchema(ApiSchema):
    SHOWS = StatusRecordSchema

    kind = fields.String(required=True, validate=validate.OneOf(["housing", "employment"]))
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUS_VALUE_NAMES),
        metadata={
            "description": "housing: an HMIS living situation; employment: an employment "
            "status; not the status already in force on as_of"
        },
    )
    as_of = fields.Date(
        metadata={
            "description": f"{TODAY}; never in the future nor before the client's first intake"
        }
    )
