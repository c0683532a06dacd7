"""Report arguments and the reports' bodies (outcomes, housing and employment, breakdowns)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from coachapp.api.schemas.common import (
    ApiSchema,
)
from coachapp.limits import (
    MAX_PERIOD_NAME,
)
from coachapp.models.base import MAX_ID
from coachapp.reports.outcomes import BY_FIELDS


class ReportArgs(ApiSchema):
    """The period is ``start`` and ``end`` (inclusive), or ``period``, a named period of the
    program's funder calendar; one of the two, never both."""

    class Meta:
        unknown = RAISE

    start = fields.Date(
        metadata={"years_ahead": 1, "description": "first day; with end, unless period is given"}
    )
    end = fields.Date(
        metadata={"years_ahead": 1, "description": "last day (inclusive); with start"}
    )
    period = fields.String(
        validate=validate.Length(min=1, max=MAX_PERIOD_NAME),
        metadata={
            "description": "a named period instead of start and end: FY2026 (the fiscal year "
            "that ends in 2026, by the program's fiscal start month), FY2026Q1 (its first "
            "quarter), 2026Q1 (a calendar quarter); case and a space or hyphen before the "
            "quarter do not matter. A name that names no period is 422 with the reason.",
            "example": "FY2026Q1",
        },
    )
    program_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "required for admins; others: their own program"},
    )
    coach_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    supervisor_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class BreakdownArgs(ReportArgs):
    by = fields.String(
        required=True,
        validate=validate.OneOf(BY_FIELDS),
        metadata={"description": "the field to group clients by"},
    )


class PeriodSchema(Schema):
    start = fields.String(required=True, metadata={"format": "date"})
    end = fields.String(required=True, metadata={"format": "date"})


class ScopeSchema(Schema):
    program_id = fields.Integer(required=True)
    coach_id = fields.Integer(required=True, allow_none=True)
    supervisor_id = fields.Integer(required=True, allow_none=True)


def figures(description: str):
    return fields.Dict(keys=fields.String(), required=True, metadata={"description": description})


class OutcomeReportSchema(Schema):
    """metrics.md's figures, each group an object with exactly that group's keys."""

    period = fields.Nested(PeriodSchema, required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    clients = figures("enrolled, new_intakes, engaged, engagement_rate")
    sessions = figures("completed, attempted, minutes, per_enrolled_client")
    time_to_first_contact_days = figures("median, n")
    appointments = figures(
        "total, attended, no_show, cancelled, rescheduled, pending, no_show_rate, "
        "no_show_rate_accompanied, no_show_rate_unaccompanied, accompanied"
    )
    referrals = figures(
        "made, linked, linkage_rate, median_days_to_link, by_category.<category>"
        ".{made, linked, linkage_rate}"
    )
    retention = figures('"30", "60", "90": {eligible, retained, rate}')
    goals = figures("opened, achieved, discontinued, achievement_rate")
    recovery_capital = figures("clients_with_two_or_more, mean_change, improved, mean_latest")
    supervision = figures("coaches, coaches_supervised, coverage, minutes")
    by_coach = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={
            "description": "one row per coach: coach_id, coach_name, clients, "
            "appointments, referrals"
        },
    )
    by_month = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={"description": "one row per calendar month of the period"},
    )


class HousingEmploymentSchema(Schema):
    """Housing at intake and latest, employment gained (the glossary's definitions)."""

    period = fields.Nested(PeriodSchema, required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    figures = figures(
        "with_status, homeless_at_intake, homeless_to_permanent, homeless_to_permanent_rate, "
        "homeless_to_housed, homeless_to_housed_rate (housing.*); not_employed_at_intake, "
        "gained, gained_rate (employment.*): keys are dotted, e.g. housing.with_status"
    )
    matrix = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "intake group -> latest group -> clients (groups: homeless, "
            "institutional, temporary, permanent, other); null under the small-cell rule"
        },
    )
    suppressed = fields.Boolean(
        required=True,
        metadata={"description": "whether the small-cell rule applies (program managers, admins)"},
    )


class BreakdownSchema(Schema):
    """Every headline figure per group of one field."""

    period = fields.Nested(PeriodSchema, required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    by = fields.String(required=True)
    suppressed = fields.Boolean(
        required=True,
        metadata={
            "description": "whether the small-cell rule applies: a figure resting on fewer "
            "than small_cell clients has value, numerator and denominator null"
        },
    )
    small_cell = fields.Integer(required=True)
    groups = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={
            "description": "one per value of the field with any client: value (not_asked, "
            "declined, or the field's value; age bands under_18 ... 65_plus, unknown), label, "
            "figures: {figure key: {value, numerator, denominator, suppressed}}"
        },
    )
