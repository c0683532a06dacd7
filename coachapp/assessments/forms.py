"""The BARC-10 form: ten statements, each answered 1 (strongly disagree) to 6 (strongly agree).

The form reads the input; the rules of a BARC-10 (a date that has come, an answer from 1 to 6
to each statement) are ``assessments.services.check_assessment``'s, whose refusals the view
shows beside the date and each statement.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField

from coachapp.assessments.services import ITEM_MESSAGE
from coachapp.forms import DateField, DateRange, InputRequired, select_choices
from coachapp.models.assessments import BARC10_ANSWERS, BARC10_STATEMENTS, ITEM_COLUMNS


def item_field(number: int, statement: str) -> RadioField:
    return RadioField(
        f"{number}. {statement}",
        coerce=int,
        choices=select_choices([(value, f"{value} {label}") for value, label in BARC10_ANSWERS]),
        validate_choice=False,  # check_assessment decides what an answer may be
        invalid_value_message=ITEM_MESSAGE,
    )


class AssessmentForm(FlaskForm):
    administered_on = DateField(
        "Date administered", validators=[InputRequired(message="Give the date."), DateRange()]
    )

    @property
    def item_fields(self) -> list[RadioField]:
        return [getattr(self, col) for col in ITEM_COLUMNS]

    def items(self) -> list[int]:
        return [field.data for field in self.item_fields]


for _n, (_col, _statement) in enumerate(zip(ITEM_COLUMNS, BARC10_STATEMENTS, strict=True), 1):
    setattr(AssessmentForm, _col, item_field(_n, _statement))
