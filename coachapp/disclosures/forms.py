from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from coachapp.forms import Length, strip_filter


class PatientCopyForm(FlaskForm):
    """The client's request for a copy of their record, confirmed by the coach."""

    confirm = BooleanField(
        "The client asked for a copy of their record",
        validators=[DataRequired("Confirm that the client asked for a copy.")],
    )
    note = StringField(
        "How it will be given (optional)",
        filters=[strip_filter],
        validators=[Length(max=200)],
        description="For example: printed and handed over at the office.",
    )
    format = RadioField(
        "Form of the copy",
        choices=[
            SelectChoice(value="html", label="A page to print or save as PDF"),
            SelectChoice(value="json", label="A JSON file"),
        ],
        default="html",
        validators=[DataRequired()],
    )
