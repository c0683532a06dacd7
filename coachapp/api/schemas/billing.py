"""Billing settings of a program and the monthly claims worksheet (api.md, issue 22)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from coachapp.api.schemas.common import ApiSchema, NonBlank
from coachapp.limits import MAX_UNITS, PAYER_MAX

MODIFIER = validate.Regexp(r"^[A-Z0-9]{2}$", error="A modifier is two letters or digits.")
CAP = validate.Range(min=1, max=MAX_UNITS)


class BillingSettingSchema(ApiSchema):
    """One version of a program's billing settings, in force from ``effective_from`` until the
    next version. A unit needs ``first_unit_minutes`` when it is the first, and each further
    unit ``next_unit_minutes`` past the last whole unit (8/8 with 15-minute units: 8-22 min = 1,
    23-37 = 2, 38-52 = 3)."""

    effective_from = fields.Date(required=True)
    payer = fields.String(required=True, validate=[validate.Length(max=PAYER_MAX), NonBlank()])
    code = fields.String(
        load_default="H0038",
        validate=validate.Regexp(r"^[A-Z][0-9]{4}$", error="A HCPCS code, e.g. H0038."),
    )
    group_modifier = fields.String(allow_none=True, load_default=None, validate=MODIFIER)
    telehealth_modifier = fields.String(allow_none=True, load_default=None, validate=MODIFIER)
    unit_minutes = fields.Integer(load_default=15, validate=validate.Range(min=1, max=240))
    first_unit_minutes = fields.Integer(load_default=8, validate=validate.Range(min=1, max=240))
    next_unit_minutes = fields.Integer(load_default=8, validate=validate.Range(min=1, max=240))
    daily_cap_units = fields.Integer(allow_none=True, load_default=None, validate=CAP)
    monthly_cap_units = fields.Integer(allow_none=True, load_default=None, validate=CAP)
    cosign_required = fields.Boolean(
        load_default=False,
        metadata={"description": "a supervisor's co-signature is needed before billing"},
    )


class BillingSettingsSchema(Schema):
    """The version in force today (null when none) and every version, oldest first."""

    program_id = fields.Integer()
    current = fields.Nested(BillingSettingSchema, allow_none=True)
    history = fields.List(fields.Nested(BillingSettingSchema))


class WorksheetArgs(Schema):
    class Meta:
        unknown = RAISE

    month = fields.String(
        validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="A month as YYYY-MM."),
        metadata={"description": "YYYY-MM; the month before this one when left out"},
    )
    program_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "admins: the program (default the first by name)"},
    )


class WorksheetLineSchema(Schema):
    client_code = fields.String()
    member_id = fields.String()
    date_of_service = fields.Date()
    code = fields.String()
    modifiers = fields.List(fields.String())
    units = fields.Integer()
    place_of_service = fields.String()
    coach_id = fields.Integer(metadata={"description": "the rendering coach"})
    session_id = fields.Integer()


class NotBillableSchema(Schema):
    session_id = fields.Integer()
    reason = fields.String(
        metadata={
            "description": "unsigned, no plan, plan not signed, goal not on the plan, missing "
            "times or place of service, co-signature required but missing, no billing settings "
            "in force, missing member id, no consent to disclose to the payer (no TPO consent "
            "of the client in force on the day the worksheet is made), not a completed "
            "session, too short for a unit, over the daily cap, over the monthly cap"
        }
    )


class WorksheetSchema(Schema):
    program_id = fields.Integer()
    month = fields.String()
    lines = fields.List(fields.Nested(WorksheetLineSchema))
    not_billable = fields.List(fields.Nested(NotBillableSchema))
