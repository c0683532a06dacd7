"""SUPRT follow-up interviews in the API: each episode's schedule with its states, recording an
interview as done, and the follow-up rates of a report (``GET /reports/followups``, apart from
``/reports/outcomes``, whose keys api.md fixes)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from coachapp import timeutil
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import audit_read, committing, refuse, scoped_client, today
from coachapp.api.idempotency import idempotent
from coachapp.api.reports import scope_and_period
from coachapp.api.schemas import (
    ApiSchema,
    NoArgs,
    PeriodSchema,
    ReportArgs,
    ScopeSchema,
    enum_field,
    happened_on,
)
from coachapp.extensions import db
from coachapp.followups import queries, services
from coachapp.followups.schedule import State, window_for
from coachapp.models import Enrollment, FollowUpInterview, Program
from coachapp.models.base import MAX_ID
from coachapp.models.enums import InterviewKind, Role
from coachapp.reports import store

# --- Schemas --------------------------------------------------------------------------------


class InterviewSchema(Schema):
    kind = enum_field(InterviewKind)
    opens = fields.Date(allow_none=True, metadata={"description": "first day of the window"})
    closes = fields.Date(allow_none=True, metadata={"description": "last day of the window"})
    target = fields.Date(allow_none=True, metadata={"description": "six-month target date"})
    state = enum_field(
        State,
        metadata={
            "description": "upcoming, open, done (inside the window), done_early / done_late "
            "(recorded outside the window: not counted as done), missed, not_due (a six-month "
            "interview replaced by the closeout, a closeout of an open episode)"
        },
    )
    done_on = fields.Date(allow_none=True)
    days_left = fields.Integer(allow_none=True, metadata={"description": "open: days left"})
    record_id = fields.Integer(allow_none=True)


class EpisodeScheduleSchema(Schema):
    enrollment_id = fields.Integer()
    intake_date = fields.Date()
    discharge_date = fields.Date(allow_none=True)
    interviews = fields.List(fields.Nested(InterviewSchema))


class ScheduleListSchema(Schema):
    items = fields.List(
        fields.Nested(EpisodeScheduleSchema),
        required=True,
        metadata={"description": "every episode, newest first"},
    )


class FollowUpRecordSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    enrollment_id = fields.Integer()
    kind = enum_field(InterviewKind)
    done_on = fields.Date()
    in_window = fields.Boolean(
        metadata={"description": "false: recorded, but it does not count as done"}
    )
    note = fields.String(allow_none=True)


class FollowUpCreateSchema(ApiSchema):
    SHOWS = FollowUpRecordSchema

    enrollment_id = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the episode; defaults to the client's latest"},
    )
    kind = enum_field(InterviewKind, required=True)
    done_on = happened_on()


class RateSchema(Schema):
    due = fields.Integer(required=True)
    done = fields.Integer(required=True)
    outside_window = fields.Integer(required=True)
    not_done = fields.Integer(required=True)
    rate = fields.Float(required=True, allow_none=True)


class FollowUpReportSchema(Schema):
    """coachapp/reports/metrics.md, "Follow-up interviews (SUPRT)": per kind, interviews due
    whose window closed in the period (and before today), done inside the window, recorded
    outside it, not done, and ``rate = done / due``."""

    period = fields.Nested(PeriodSchema, required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    baseline = fields.Nested(RateSchema, required=True)
    six_month = fields.Nested(
        RateSchema, required=True, metadata={"description": "the SUPRT follow-up rate"}
    )
    closeout = fields.Nested(RateSchema, required=True)
    target = fields.Float(required=True, metadata={"description": "0.8 (SAMHSA's 80%)"})


# --- Routes ---------------------------------------------------------------------------------


def _interview_out(interview) -> dict:
    window = interview.window
    return {
        "kind": interview.kind,
        "opens": window.opens if window else None,
        "closes": window.closes if window else None,
        "target": window.target if window else None,
        "state": interview.state.value,
        "done_on": interview.done_on,
        "days_left": interview.days_left,
        "record_id": interview.record_id,
    }


@blp.route("/clients/<int:client_id>/followups", methods=["GET"])
@token_required()
@blp.arguments(NoArgs, location="query")
@blp.response(200, ScheduleListSchema)
def list_followups(_args, client_id: int):
    """The SUPRT interview schedule of each of the client's episodes (newest first): windows
    (inclusive), states as of the program's today, what was recorded."""
    client = scoped_client(client_id)
    audit_read(client, "follow_up_interview")
    return {
        "items": [
            {
                "enrollment_id": item.enrollment.id,
                "intake_date": item.enrollment.intake_date,
                "discharge_date": item.enrollment.discharge_date,
                "interviews": [_interview_out(i) for i in item.interviews],
            }
            for item in queries.episode_schedules(client, api_user())
        ]
    }


@blp.route("/clients/<int:client_id>/followups", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(FollowUpCreateSchema)
@blp.response(201, FollowUpRecordSchema)
def create_followup(data, client_id: int):
    """Record an interview of one of the client's episodes as done. ``done_on`` defaults to
    today and is never in the future nor before the intake; a date outside the window is
    accepted (``in_window`` false, with a ``note``): it will not count as done. A kind that is
    not due, or already recorded, answers 422."""
    client = scoped_client(client_id)
    episode = (
        db.session.get(Enrollment, data["enrollment_id"])
        if "enrollment_id" in data
        else client.latest_enrollment
    )
    if episode is None or episode.client_id != client.id:
        refuse("enrollment_id", "Not an episode of this client.")
    done_on = data.get("done_on") or today(client.program)
    window = window_for(data["kind"], episode.intake_date, episode.discharge_date)
    with committing():
        row: FollowUpInterview = services.record_interview(
            client, episode, data["kind"], done_on, actor=api_user()
        )
        out = {
            "id": row.id,
            "client_id": row.client_id,
            "enrollment_id": row.enrollment_id,
            "kind": row.kind,
            "done_on": row.done_on,
            "in_window": window is not None and window.contains(row.done_on),
            "note": services.outside_window_note(window, row.done_on),
        }
    return out


@blp.route("/reports/followups", methods=["GET"])
@token_required(Role.COACH, Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.ADMIN)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, FollowUpReportSchema)
def followups_report(args):
    """The SUPRT follow-up rates (baseline, six-month, closeout) with their counts for
    ``[start, end]``: the same scopes and access as ``/reports/outcomes`` (outside the user's
    reach: 404)."""
    scope, period = scope_and_period(args)
    program = db.session.get(Program, scope.program_id)
    figures = store.followup_report(scope, period, today=timeutil.local_today(program))
    db.session.commit()  # figures computed now are stored
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": scope.as_dict(),
        **figures,
    }
