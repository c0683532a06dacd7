from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from coachapp.forms import DateRange, HiddenWithoutIds, Length, strip_filter


class ConsentForm(FlaskForm):
    recipient = StringField(
        "Recipient (who may receive the information)",
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=200)],
    )
    purpose = TextAreaField(
        "Purpose of the disclosure",
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=2000)],
    )
    information_disclosed = TextAreaField(
        "What may be disclosed",
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=2000)],
        description="For example: enrollment dates, goals, attendance at appointments.",
    )
    signed_on = DateField("Signed on", validators=[InputRequired(), DateRange(years_ahead=0)])
    expires_on = DateField("Expires on", validators=[Optional(), DateRange(years_ahead=10)])

    def validate_expires_on(self, field) -> None:
        if field.data and self.signed_on.data and field.data < self.signed_on.data:
            raise ValidationError("A consent cannot expire before it is signed.")


class RevokeForm(HiddenWithoutIds, FlaskForm):
    revoked_on = DateField("Revoked on", validators=[InputRequired(), DateRange(years_ahead=0)])
