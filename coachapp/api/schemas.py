"""Marshmallow schemas of api.md: what goes in and out, and the OpenAPI document's source."""

from __future__ import annotations

from typing import ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from coachapp.models.base import MAX_ID
from coachapp.models.enums import (
    AppointmentKind,
    AppointmentOutcome,
    ClientStatus,
    DischargeReason,
    GoalDomain,
    GoalStatus,
    Modality,
    ReferralStatus,
    ResourceCategory,
    Role,
    SessionKind,
    SessionOutcome,
    SupervisionFormat,
)
from coachapp.reports.outcomes import BY_FIELDS

MAX_NAME = 100
READ_ONLY = "Read-only field."


def enum_field(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


def text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


class ApiSchema(Schema):
    """Input schemas: impossible dates (before 1900, years ahead: 3, or a field's
    ``metadata["years_ahead"]``) are field errors, and so is text with a NUL character (which
    PostgreSQL cannot store and nobody types).

    A field the resource shows but this body cannot set (``SHOWS``' fields, or the schema's own
    ``dump_only`` ones, that it does not load) is read-only (api.md): sent, it answers
    "Read-only field." instead of marshmallow's "Unknown field.", so a client that sends back
    what it read learns what to drop."""

    #: The resource this body creates or changes, as the API shows it (its output schema);
    #: None: the schema itself (its ``dump_only`` fields), or an action's body.
    SHOWS: ClassVar[type[Schema] | None] = None

    @classmethod
    def read_only_fields(cls) -> frozenset[str]:
        found = cls.__dict__.get("_read_only")
        if found is None:
            shown = (cls.SHOWS or cls)().dump_fields
            settable = cls().load_fields
            found = frozenset(
                {field.data_key or name for name, field in shown.items()}
                - {field.data_key or name for name, field in settable.items()}
            )
            cls._read_only = found
        return found

    def load(self, data, *, many=None, partial=None, unknown=None):
        try:
            return super().load(data, many=many, partial=partial, unknown=unknown)
        except ValidationError as error:
            read_only = self.read_only_fields()
            if not read_only or not isinstance(error.messages, dict):
                raise
            unknown_field = [self.error_messages["unknown"]]
            messages = {
                key: [READ_ONLY] if key in read_only and found == unknown_field else found
                for key, found in error.messages.items()
            }
            raise ValidationError(messages, data=error.data, valid_data=error.valid_data) from None

    @validates_schema
    def _dates_in_range(self, data, **kwargs):
        from datetime import date, datetime, timedelta

        for key, value in data.items():
            if isinstance(value, datetime):
                value = value.date()
            if not isinstance(value, date):
                continue
            field = self.fields.get(key)
            years = field.metadata.get("years_ahead", 3) if field is not None else 3
            if value < date(1900, 1, 1) or value > date.today() + timedelta(days=years * 366):
                raise ValidationError("This date is out of range.", field_name=key)

    @validates_schema
    def _no_nul(self, data, **kwargs):
        for key, value in data.items():
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValidationError(
                    "This text contains a character that cannot be stored.", field_name=key
                )


def NonBlank():  # noqa: N802 - reads like the validators it sits with
    """Not empty, not only spaces; documented as a ``pattern`` in the OpenAPI document."""
    return validate.Regexp(r"^\s*\S", error="Must not be blank.")


class PageArgs(Schema):
    class Meta:
        unknown = RAISE  # an unknown query parameter is a mistake worth a 422

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NoArgs(Schema):
    """An endpoint without query parameters: any one given is refused (422), as everywhere."""

    class Meta:
        unknown = RAISE


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class ProgramSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NonBlank()])
    timezone = fields.String(load_default="UTC", validate=validate.Length(max=64))


class ProgramPage(PageSchema):
    items = fields.List(fields.Nested(ProgramSchema), required=True)


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = enum_field(Role)
    program_id = fields.Integer(allow_none=True)
    supervisor_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class ClientQueryArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=100))
    status = enum_field(ClientStatus)
    coach_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ClientSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    first_name = fields.String(required=True, validate=[validate.Length(max=MAX_NAME), NonBlank()])
    last_name = fields.String(required=True, validate=[validate.Length(max=MAX_NAME), NonBlank()])
    preferred_name = text(MAX_NAME, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = text(40, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    intake_date = fields.Date()
    status = enum_field(ClientStatus, dump_only=True)
    discharge_date = fields.Date(dump_only=True, allow_none=True)
    discharge_reason = enum_field(DischargeReason, dump_only=True, allow_none=True)
    coach_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    program_id = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the coach's program: may be given on create, any other is 422"},
    )
    consent_on_file = fields.Boolean()
    consent_date = fields.Date(allow_none=True)
    okay_to_call = fields.Boolean()
    okay_to_text = fields.Boolean()
    notes = text(10_000, allow_none=True)
    version = fields.Integer(dump_only=True)


class ClientPatchSchema(ApiSchema):
    SHOWS = ClientSchema

    first_name = fields.String(validate=[validate.Length(max=MAX_NAME), NonBlank()])
    last_name = fields.String(validate=[validate.Length(max=MAX_NAME), NonBlank()])
    preferred_name = text(MAX_NAME, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = text(40, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    status = fields.String(
        validate=validate.OneOf([ClientStatus.ACTIVE.value, ClientStatus.INACTIVE.value]),
        metadata={"description": "active or inactive; discharge has its own endpoint"},
    )
    consent_on_file = fields.Boolean()
    consent_date = fields.Date(allow_none=True)
    okay_to_call = fields.Boolean()
    okay_to_text = fields.Boolean()
    notes = text(10_000, allow_none=True)
    version = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version you read; a stale one answers 409"},
    )


class ClientPage(PageSchema):
    items = fields.List(fields.Nested(ClientSchema), required=True)


class EnrollmentSchema(Schema):
    id = fields.Integer()
    client_id = fields.Integer()
    intake_date = fields.Date()
    discharge_date = fields.Date(allow_none=True)
    discharge_reason = enum_field(DischargeReason, allow_none=True)


class EnrollmentPage(PageSchema):
    items = fields.List(fields.Nested(EnrollmentSchema), required=True)


class DischargeSchema(ApiSchema):
    discharge_date = fields.Date(required=True)
    discharge_reason = enum_field(DischargeReason, required=True)
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ReenrollSchema(ApiSchema):
    intake_date = fields.Date(required=True)
    version = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


# --- Client records (sessions, appointments, referrals, goals, assessments) ----------------------
# Lengths and ranges are the forms' and the services' own constants, imported, never retyped.


def record_id(**kwargs):
    """A database id in a JSON body: an integer (not a string), within the column's range."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def version_field():
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the version you read; a stale one answers 409"},
    )


def _max_text() -> int:
    from coachapp.forms import MAX_TEXT

    return MAX_TEXT


def _session_limits() -> tuple[int, int, int]:
    from coachapp.sessions.forms import MAX_NEXT_STEPS
    from coachapp.sessions.services import MAX_MINUTES, MIN_MINUTES

    return MIN_MINUTES, MAX_MINUTES, MAX_NEXT_STEPS


MAX_TEXT = _max_text()
MIN_MINUTES, MAX_MINUTES, MAX_NEXT_STEPS = _session_limits()
TODAY = "the program's today when left out"


def happened_on(**kwargs):
    """A date something happened: defaults to the program's today, never in the future."""
    return fields.Date(metadata={"description": f"{TODAY}; never in the future"}, **kwargs)


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


class SessionPage(PageSchema):
    items = fields.List(fields.Nested(SessionSchema), required=True)


class SessionCreateSchema(ApiSchema):
    SHOWS = SessionSchema

    date = happened_on()
    # The range is the services' rule (check_session), refused there with the pages' message;
    # the document states it.
    duration_minutes = fields.Integer(
        strict=True, required=True, metadata={"minimum": MIN_MINUTES, "maximum": MAX_MINUTES}
    )
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
        validate=validate.Length(max=100),
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
    location = text(300, allow_none=True)
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


def _goal_description_max() -> int:
    from coachapp.goals.services import MAX_DESCRIPTION

    return MAX_DESCRIPTION


class GoalFields(ApiSchema):
    SHOWS = GoalSchema

    domain = enum_field(GoalDomain)
    description = fields.String(validate=[validate.Length(max=_goal_description_max()), NonBlank()])
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
        required=True, validate=[validate.Length(max=_goal_description_max()), NonBlank()]
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


# --- The client profile for funders (demographics; housing and employment history) -------------


def _profile_enums() -> tuple[dict, tuple]:
    from coachapp.models.profiles import DEMOGRAPHIC_FIELDS, STATUS_VALUES

    values = tuple(dict.fromkeys(m.value for enum_cls in STATUS_VALUES.values() for m in enum_cls))
    return DEMOGRAPHIC_FIELDS, values


DEMOGRAPHICS, STATUS_VALUE_NAMES = _profile_enums()
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


# --- The resource directory ---------------------------------------------------------------------


def _http_url(value: str) -> bool:
    from coachapp.resources.forms import is_http_url

    if not is_http_url(value):
        raise ValidationError("Give a web address starting with https:// or http://.")
    return True


class ResourceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    category = enum_field(ResourceCategory)
    organization = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    active = fields.Boolean()


class ResourcePage(PageSchema):
    items = fields.List(fields.Nested(ResourceSchema), required=True)


class ResourceQueryArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=100))
    category = enum_field(ResourceCategory)
    active = fields.Boolean()


class ResourcePatchSchema(ApiSchema):
    SHOWS = ResourceSchema

    name = fields.String(validate=[validate.Length(max=200), NonBlank()])
    category = enum_field(ResourceCategory)
    organization = fields.String(
        allow_none=True,
        validate=[validate.Length(max=200), NonBlank()],
        metadata={"description": "the organization's name; a new name adds the organization"},
    )
    phone = text(40, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    website = fields.String(allow_none=True, validate=[validate.Length(max=300), _http_url])
    address = text(1000, allow_none=True)
    description = text(MAX_TEXT, allow_none=True)
    active = fields.Boolean()


class ResourceCreateSchema(ResourcePatchSchema):
    name = fields.String(required=True, validate=[validate.Length(max=200), NonBlank()])
    category = enum_field(ResourceCategory, required=True)


# --- Supervision notes ---------------------------------------------------------------------------


def _max_topics() -> int:
    from coachapp.supervision.forms import MAX_TOPICS

    return MAX_TOPICS


class SupervisionNoteSchema(Schema):
    id = fields.Integer()
    supervisor_id = fields.Integer()
    coach_ids = fields.List(fields.Integer())
    date = fields.Date()
    duration_minutes = fields.Integer()
    format = enum_field(SupervisionFormat)
    topics = fields.String(allow_none=True)
    client_ids = fields.List(
        fields.Integer(),
        metadata={"description": "the clients discussed that the reader may open"},
    )
    note = fields.String(allow_none=True)
    action_items = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "when the reading coach acknowledged it (null otherwise)"},
    )


class SupervisionNotePage(PageSchema):
    items = fields.List(fields.Nested(SupervisionNoteSchema), required=True)


class SupervisionNoteFields(ApiSchema):
    SHOWS = SupervisionNoteSchema

    date = happened_on()
    # The range is the services' rule (check_note), refused there with the pages' message;
    # the document states it.
    duration_minutes = fields.Integer(
        strict=True, metadata={"minimum": MIN_MINUTES, "maximum": MAX_MINUTES}
    )
    format = enum_field(
        SupervisionFormat,
        metadata={"description": "individual names exactly one coach; group two or more"},
    )
    coach_ids = fields.List(
        record_id(),
        validate=validate.Length(max=100),
        metadata={"description": "active coaches you supervise"},
    )
    client_ids = fields.List(
        record_id(),
        validate=validate.Length(max=500),
        metadata={"description": "clients discussed, among the ones you may open"},
    )
    topics = text(_max_topics(), allow_none=True)
    note = text(MAX_TEXT, allow_none=True)
    action_items = text(MAX_TEXT, allow_none=True)


class SupervisionNotePatchSchema(SupervisionNoteFields):
    version = version_field()


class SupervisionNoteCreateSchema(SupervisionNoteFields):
    duration_minutes = fields.Integer(
        strict=True, required=True, metadata={"minimum": MIN_MINUTES, "maximum": MAX_MINUTES}
    )
    format = enum_field(
        SupervisionFormat,
        required=True,
        metadata={"description": "individual names exactly one coach; group two or more"},
    )
    coach_ids = fields.List(
        record_id(),
        required=True,
        validate=validate.Length(max=100),
        metadata={"description": "active coaches you supervise"},
    )


# --- Users (admin) -----------------------------------------------------------------------------


class UserSchema(MeSchema):
    """A staff account as api.md shows it."""


class UserPage(PageSchema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class UserPatchSchema(ApiSchema):
    SHOWS = UserSchema

    name = fields.String(validate=[validate.Length(max=200), NonBlank()])
    role = enum_field(Role)
    program_id = record_id(allow_none=True)
    supervisor_id = record_id(
        allow_none=True, metadata={"description": "coaches only: a supervisor of their program"}
    )
    active = fields.Boolean(
        metadata={"description": "false deactivates: sessions end, tokens are revoked"}
    )


class UserCreateSchema(UserPatchSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=[validate.Length(max=200), NonBlank()])
    role = enum_field(Role, required=True)
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "at least 12 characters; common passwords are refused"},
    )


# --- Reports -------------------------------------------------------------------------------------


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
        validate=validate.Length(min=1, max=40),
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
