from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from coachapp.forms import DateRange, Length, RequiredSelectField, none_if_empty, strip_filter


class SignOffForm(FlaskForm):
    comment = TextAreaField(
        "Comment for the coach (optional)",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=2000)],
    )


REASON_LABEL = "Reason"
REASON_HELP = 'Required. Kept in the client\'s assignment history, e.g. "Coach leaving".'
HANDOFF_LABEL = "Hand-off note for the new coach (optional)"
HANDOFF_HELP = (
    "What the new coach should know first. Stored encrypted; shown to them on the client's page."
)


class CaseloadReassignForm(FlaskForm):
    """The reason and hand-off that go with a reassignment: of one client (``ReassignForm``),
    or of every client of a caseload, each receiving coach getting the same note."""

    reason = StringField(
        REASON_LABEL,
        filters=[strip_filter],
        validators=[
            InputRequired(message="Give the reason for the reassignment."),
            Length(max=500),
        ],
        description=REASON_HELP,
    )
    handoff_note = TextAreaField(
        HANDOFF_LABEL,
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=4000)],
        description=HANDOFF_HELP,
    )


class ReassignForm(CaseloadReassignForm):
    """One client to a new coach, from a date, with the reason and the hand-off."""

    coach_id = RequiredSelectField("New coach", coerce=int, message="Choose the new coach.")
    effective_on = DateField(
        "Effective from",
        validators=[InputRequired(message="Give the date."), DateRange()],
        description="Today unless the client moved earlier; never in the future.",
    )


class CoverForm(FlaskForm):
    coach_id = RequiredSelectField(
        "Coach who is away", coerce=int, message="Choose the coach who is away."
    )
    covering_user_id = RequiredSelectField(
        "Covering coach", coerce=int, message="Choose the covering coach."
    )
    client_id = SelectField(
        "Client (leave empty to cover the whole caseload)", coerce=int, validate_choice=True
    )
    starts_on = DateField("From", validators=[InputRequired(), DateRange()])
    ends_on = DateField("Until (inclusive)", validators=[InputRequired(), DateRange()])
    reason = TextAreaField(
        "Reason", filters=[strip_filter, none_if_empty], validators=[Length(max=500)]
    )
