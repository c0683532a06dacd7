"""``GET /reports/outcomes``: metrics.md's report for a period and a scope within the user's
reach (``access.report_scope``; outside it: 404), exactly as ``metrics.outcome_report``
computes it for the report page, and stored as for the page (``reports.store``).

The funder figures (issue 19) have endpoints of their own, so the report keeps exactly its
keys: ``GET /reports/outcomes/housing-employment`` and ``GET /reports/outcomes/breakdowns?by=``,
with the same arguments and the same access. Program managers and admins get them under the
small-cell rule (a figure resting on fewer than 11 clients is null); coaches and supervisors,
who see these clients by name, get them whole.

Every report endpoint takes the period as ``start`` and ``end``, or ``period`` (``FY2026Q1``,
``FY2026``, ``2026Q1``: the program's funder calendar, as on the report page)."""

from __future__ import annotations

from flask import abort

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import refuse
from coachapp.api.schemas import (
    BreakdownArgs,
    BreakdownSchema,
    HousingEmploymentSchema,
    OutcomeReportSchema,
    ReportArgs,
)
from coachapp.extensions import db
from coachapp.models import Program
from coachapp.models.enums import Role
from coachapp.reports import drilldown, periods, store
from coachapp.reports import outcomes as funder
from coachapp.reports.forms import period_problem
from coachapp.reports.metrics import Period, Scope

REPORT_ROLES = (Role.COACH, Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.ADMIN)


def scope_and_period(args) -> tuple[Scope, Period]:
    """The scope (404 outside the user's reach) and the period (422 with the reason)."""
    user = api_user()
    start, end, named = args.get("start"), args.get("end"), args.get("period")
    if named is not None and (start is not None or end is not None):
        refuse("period", "Give either a named period or start and end, not both.")
    if named is None:
        if start is None or end is None:
            field = "start" if start is None else "end"
            refuse(field, "Give start and end, or a named period such as period=FY2026Q1.")
        problem = period_problem(start, end)  # the report page's rule
        if problem:
            refuse("end", problem)
    if user.role == Role.ADMIN and args.get("program_id") is None:
        refuse("program_id", "Give the program to report on.")
    try:
        scope = access.report_scope(
            user,
            program_id=args.get("program_id"),
            coach_id=args.get("coach_id"),
            supervisor_id=args.get("supervisor_id"),
        )
    except access.ScopeError:
        abort(404)
    if named is None:
        return scope, Period(start, end)
    program = db.session.get(Program, scope.program_id)
    fiscal_start = program.fiscal_year_start_month if program else 1
    try:
        return scope, periods.parse(named, fiscal_start).period
    except periods.PeriodNameError as exc:
        refuse("period", str(exc))
        raise  # refuse aborts; for type checkers


def _head(scope: Scope, period: Period) -> dict:
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": scope.as_dict(),
    }


@blp.route("/reports/outcomes", methods=["GET"])
@token_required(*REPORT_ROLES)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, OutcomeReportSchema)
def outcomes(args):
    """The outcome report of metrics.md for ``[start, end]`` (inclusive) or a named
    ``period``: a coach's own caseload, a supervisor's team (or one of its coaches), a program
    manager's program (or one team or coach of it), any program for an admin (``program_id``
    required). A scope outside the user's reach answers 404."""
    scope, period = scope_and_period(args)
    report = store.outcome_report(scope, period)
    db.session.commit()  # a report computed now is stored
    return report


def _funder_shown(scope: Scope, period: Period) -> dict:
    stored = store.funder_report(scope, period)
    db.session.commit()  # figures computed now are stored
    return funder.shown(stored, suppress=not drilldown.shows_names(api_user()))


@blp.route("/reports/outcomes/housing-employment", methods=["GET"])
@token_required(*REPORT_ROLES)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, HousingEmploymentSchema)
def housing_employment(args):
    """Housing at intake against the latest housing (clients enrolled in the period), the
    share of clients homeless at intake who moved to permanent housing (and to any housing),
    and the share of clients not employed at intake who are employed at the latest; each with
    its numerator and denominator. Same scope and access as ``/reports/outcomes``."""
    scope, period = scope_and_period(args)
    seen = _funder_shown(scope, period)
    he = seen["housing_employment"]
    matrix = {
        row: {col: (None if n == funder.SUPPRESSED else n) for col, n in cols.items()}
        for row, cols in he["matrix"].items()
    }
    return {
        **_head(scope, period),
        "figures": he["figures"],
        "matrix": matrix,
        "suppressed": seen["suppressed"],
    }


@blp.route("/reports/outcomes/breakdowns", methods=["GET"])
@token_required(*REPORT_ROLES)
@blp.arguments(BreakdownArgs, location="query")
@blp.response(200, BreakdownSchema)
def outcome_breakdowns(args):
    """Every headline figure of the report (medians, referral categories and supervision
    aside) for each group of one field (``by``): gender_identity, race_ethnicity,
    veteran_status, primary_substance, insurance, referral_source, or age_band (at the
    episode's intake). "not_asked" and "declined" are groups of their own; a field's groups add
    up to the report's figure. Same scope and access as ``/reports/outcomes``."""
    scope, period = scope_and_period(args)
    seen = _funder_shown(scope, period)
    groups = []
    for group in seen["breakdowns"][args["by"]]:
        cells = {}
        for key, cell in group["figures"].items():
            value = None if cell["value"] == funder.SUPPRESSED else cell["value"]
            cells[key] = {
                "value": value,
                "numerator": cell["numerator"],
                "denominator": cell["denominator"],
                "suppressed": cell["suppressed"],
            }
        groups.append({"value": group["value"], "label": group["label"], "figures": cells})
    return {
        **_head(scope, period),
        "by": args["by"],
        "suppressed": seen["suppressed"],
        "small_cell": funder.SMALL_CELL,
        "groups": groups,
    }
