from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from coachapp.forms import Length, RequiredSelectField, strip_filter


class BreakGlassForm(FlaskForm):
    program_id = RequiredSelectField("Program", coerce=int, message="Choose the program.")
    code = StringField(
        "Client code", filters=[strip_filter], validators=[DataRequired(), Length(max=20)]
    )
    reason = TextAreaField(
        "Why do you need this record now?",
        filters=[strip_filter],
        validators=[
            DataRequired(),
            Length(min=15, max=500, message="Give a reason of 15 to 500 characters."),
        ],
        description="Reviewed by the program manager. No clinical details, please.",
    )
