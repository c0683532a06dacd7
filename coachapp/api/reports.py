"""``GET /reports/outcomes``: metrics.md's report for a period and a scope within the user's
reach (``access.report_scope``; outside it: 404), exactly as ``metrics.outcome_report``
computes it for the report page, and stored as for the page (``reports.store``)."""

from __future__ import annotations

from flask import abort

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import refuse
from coachapp.api.schemas import OutcomeReportSchema, ReportArgs
from coachapp.extensions import db
from coachapp.models.enums import Role
from coachapp.reports import store
from coachapp.reports.forms import period_problem
from coachapp.reports.metrics import Period


@blp.route("/reports/outcomes", methods=["GET"])
@token_required(Role.COACH, Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.ADMIN)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, OutcomeReportSchema)
def outcomes(args):
    """The outcome report of metrics.md for ``[start, end]`` (inclusive): a coach's own
    caseload, a supervisor's team (or one of its coaches), a program manager's program (or one
    team or coach of it), any program for an admin (``program_id`` required). A scope outside
    the user's reach answers 404."""
    user = api_user()
    start, end = args["start"], args["end"]
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
    report = store.outcome_report(scope, Period(start, end))
    db.session.commit()  # a report computed now is stored
    return report
