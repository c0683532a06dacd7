"""A client's records: sessions, appointments, referrals, goals and BARC-10 check-ins.
Lengths and ranges come from coachapp.limits, as the forms' and the services' do."""

from __future__ import annotations

import re
from datetime import time

from marshmallow import Schema, ValidationError, fields, validate

from coachapp.api.schemas.common import (
    ApiSchema,
    NonBlank,
    PageSchema,
    enum_field,
    happened_on,
    record_id,
    text,
    version_field,
)
from coachapp.limits import (
    MAX_ADDENDUM_REASON,
    MAX_GOAL_DESCRIPTION,
    MAX_GROUP_SIZE,
    MAX_LOCATION,
    MAX_MINUTES,
    MAX_NEXT_STEPS,
    MAX_SESSION_GOALS,
    MAX_TEXT,
    MIN_MINUTES,
)
from coachapp.models.enums import (
    AppointmentKind,
    AppointmentOutcome,
    GoalDomain,
    GoalStatus,
    Modality,
    ReferralStatus,
    ResourceCategory,
    SessionKind,
    SessionOutcome,
)

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ClockTime(fields.Field):
    """A time of day as ``HH:MM`` (24-hour), in and out; anything else is a field error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            type="string", pattern=HHMM.pattern, example="14:30"
        )
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%H:%M") if value is not None else None

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not HHMM.match(value):
            raise ValidationError("Give the time as HH:MM (24-hour), e.g. 14:30.")
        return time(int(value[:2]), int(value[3:]))


class AddendumSchema(Schema):
    text = fields.String()
    reason = fields.String()
    at = fields.DateTime(metadata={"description": "when it was added (UTC)"})
    by = fields.Integer(metadata={"description": "the id of the user who added it"})


class SessionSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    coach_id = fields.Integer()
    date = fields.Date()
    duration_minutes = fields.Integer()
    modality = enum_field(Modality)
    kind = enum_field(SessionKind)
    outcome = enum_field(SessionOutcome)
    goal_ids = fields.List(fields.Integer())
    note = fields.String(allow_none=True)
    next_steps = fields.String(allow_none=True)
    start_time = ClockTime(allow_none=True)
    end_time = ClockTime(allow_none=True)
    place_of_service = fields.String(allow_none=True)
    billable = fields.Boolean()
    group_size = fields.Integer(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    cosigned_at = fields.DateTime(allow_none=True)
    addenda = fields.List(fields.Nested(AddendumSchema))
    version = fields.Integer()


class SessionPage(PageSchema):
    items = fields.List(fields.Nested(SessionSchema), required=True)


BILLABLE_HELP = (
    "a billable session needs start_time, end_time and place_of_service (and group_size for "
    "a group session), and a completed outcome"
)


class SessionFields(ApiSchema):
    """What a session's body may set (the rules of their values are the services')."""

    SHOWS = SessionSchema

    date = happened_on()
    # The range is the services' rule (check_session), refused there with the pages' message;
    # the document states it.
    duration_minutes = fields.Integer(
        strict=True,
        metadata={
            "minimum": MIN_MINUTES,
            "maximum": MAX_MINUTES,
            "description": "needed unless start_time and end_time are both given; then it is "
            "computed from them (and any value sent is ignored)",
        },
    )
    modality = enum_field(Modality)
    kind = enum_field(SessionKind)
    outcome = enum_field(
        SessionOutcome, metadata={"description": "attempted: the client could not be reached"}
    )
    goal_ids = fields.List(
        record_id(),
        validate=validate.Length(max=MAX_SESSION_GOALS),
        metadata={"description": "the client's own goals this session addressed"},
    )
    note = text(MAX_TEXT, allow_none=True)
    next_steps = text(MAX_NEXT_STEPS, allow_none=True)
    start_time = ClockTime(allow_none=True, metadata={"description": "HH:MM, program's clock"})
    end_time = ClockTime(
        allow_none=True, metadata={"description": "HH:MM, after start_time on the same day"}
    )
    place_of_service = fields.String(
        allow_none=True,
        validate=validate.Length(max=2),
        metadata={"description": "a CMS two-digit place-of-service code (02, 10, 11, 12, ...)"},
    )
    billable = fields.Boolean(metadata={"description": BILLABLE_HELP})
    group_size = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"minimum": 2, "maximum": MAX_GROUP_SIZE, "description": "group sessions only"},
    )


class SessionPatchSchema(SessionFields):
    version = version_field()


class SignSchema(ApiSchema):
    """Signing and co-signing take no fields (the signer is the token's user, the moment now);
    any field sent is refused."""


class AddendumCreateSchema(ApiSchema):
    text = fields.String(required=True, validate=[validate.Length(max=MAX_TEXT), NonBlank()])
    reason = fields.String(
        required=True, validate=[validate.Length(max=MAX_ADDENDUM_REASON), NonBlank()]
    )


class SessionCreateSchema(SessionFields):
    modality = enum_field(Modality, required=True)
    kind = enum_field(SessionKind, required=True)
    outcome = enum_field(
        SessionOutcome,
        required=True,
        metadata={"description": "attempted: the client could not be reached"},
    )
    goal_ids = fields.List(
        record_id(),
        load_default=list,
        validate=validate.Length(max=MAX_SESSION_GOALS),
        metadata={"description": "the client's own goals this session addressed"},
    )
    note = text(MAX_TEXT, allow_none=True)
    next_steps = text(MAX_NEXT_STEPS, allow_none=True)


class WallClock(fields.Field):
    """A naive datetime out: the wall clock of the program's time zone, as api.md writes it
    (``2026-03-02T14:30:00``). Not an RFC 3339 ``date-time`` (no offset), so documented by a
    pattern."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            type="string",
            pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
            example="2026-03-02T14:30:00",
        )
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


class AppointmentSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    scheduled_at = WallClock(
        metadata={"description": "wall-clock time in the program's time zone (naive)"}
    )
    kind = enum_field(AppointmentKind)
    location = fields.String(allow_none=True)
    resource_id = fields.Integer(allow_none=True)
    accompaniment_planned = fields.Boolean()
    outcome = enum_field(AppointmentOutcome)
    coach_accompanied = fields.Boolean(allow_none=True)
    notes = fields.String(allow_none=True)
    version = fields.Integer()


class AppointmentPage(PageSchema):
    items = fields.List(fields.Nested(AppointmentSchema), required=True)


OUTCOME_HELP = (
    "attended, no_show (once its time has come), cancelled or rescheduled; "
    "coach_accompanied (true/false) is needed with attended"
)


class AppointmentFields(ApiSchema):
    SHOWS = AppointmentSchema

    scheduled_at = fields.DateTime(
        metadata={
            "description": "naive: the program's wall clock; with an offset: converted to it. "
            "May be in the future."
        }
    )
    kind = enum_field(AppointmentKind)
    location = text(MAX_LOCATION, allow_none=True)
    resource_id = record_id(allow_none=True)
    accompaniment_planned = fields.Boolean()
    outcome = enum_field(AppointmentOutcome, metadata={"description": OUTCOME_HELP})
    coach_accompanied = fields.Boolean(allow_none=True)
    notes = text(MAX_TEXT, allow_none=True)


class AppointmentPatchSchema(AppointmentFields):
    version = version_field()


class AppointmentCreateSchema(AppointmentFields):
    scheduled_at = fields.DateTime(
        required=True,
        metadata={
            "description": "naive: the program's wall clock; with an offset: converted to it. "
            "May be in the future."
        },
    )
    kind = enum_field(AppointmentKind, required=True)


class HistorySchema(Schema):
    status = enum_field(ReferralStatus)
    on = fields.Date()


class ReferralSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    resource_id = fields.Integer()
    category = enum_field(ResourceCategory, metadata={"description": "the resource's; read-only"})
    referred_on = fields.Date()
    status = enum_field(ReferralStatus)
    connected_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistorySchema))
    version = fields.Integer()


class ReferralPage(PageSchema):
    items = fields.List(fields.Nested(ReferralSchema), required=True)


class ReferralFields(ApiSchema):
    SHOWS = ReferralSchema

    status = enum_field(
        ReferralStatus,
        metadata={
            "description": "connected needs connected_on; declined and not_connected take "
            "closed_on (default: today); every change joins the history"
        },
    )
    connected_on = happened_on(allow_none=True)
    closed_on = happened_on(allow_none=True)
    notes = text(MAX_TEXT, allow_none=True)


class ReferralPatchSchema(ReferralFields):
    version = version_field()


class ReferralCreateSchema(ReferralFields):
    resource_id = record_id(required=True)
    referred_on = happened_on()


class GoalSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    domain = enum_field(GoalDomain)
    description = fields.String()
    target_date = fields.Date(allow_none=True)
    status = enum_field(GoalStatus)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class GoalPage(PageSchema):
    items = fields.List(fields.Nested(GoalSchema), required=True)


class GoalFields(ApiSchema):
    SHOWS = GoalSchema

    domain = enum_field(GoalDomain)
    description = fields.String(validate=[validate.Length(max=MAX_GOAL_DESCRIPTION), NonBlank()])
    target_date = fields.Date(allow_none=True, metadata={"years_ahead": 10})
    opened_on = happened_on()
    status = enum_field(
        GoalStatus,
        metadata={"description": "achieved and discontinued take closed_on (default: today)"},
    )
    closed_on = happened_on(allow_none=True)


class GoalPatchSchema(GoalFields):
    version = version_field()


class GoalCreateSchema(GoalFields):
    domain = enum_field(GoalDomain, required=True)
    description = fields.String(
        required=True, validate=[validate.Length(max=MAX_GOAL_DESCRIPTION), NonBlank()]
    )


class AssessmentSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    administered_on = fields.Date()
    items = fields.List(fields.Integer())
    total = fields.Integer()


class AssessmentPage(PageSchema):
    items = fields.List(fields.Nested(AssessmentSchema), required=True)


class AssessmentCreateSchema(ApiSchema):
    SHOWS = AssessmentSchema

    administered_on = happened_on()
    # Ten answers from 1 to 6 is the services' rule (check_assessment), refused there with the
    # pages' messages; the document states it.
    items = fields.List(
        fields.Integer(strict=True, metadata={"minimum": 1, "maximum": 6}),
        required=True,
        metadata={
            "minItems": 10,
            "maxItems": 10,
            "description": "the ten BARC-10 answers in the statements' order, each 1 "
            "(strongly disagree) to 6 (strongly agree); the total is computed",
        },
    )
