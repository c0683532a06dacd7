from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from coachapp.forms import DateRange, RequiredSelectField, none_if_empty, strip_filter


class SignOffForm(FlaskForm):
    comment = TextAreaField(
        "Comment for the coach (optional)",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=2000)],
    )


class ReassignForm(FlaskForm):
    coach_id = RequiredSelectField("New coach", coerce=int, message="Choose the new coach.")


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
