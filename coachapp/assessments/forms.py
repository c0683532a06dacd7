"""The BARC-10 form: ten statements, each answered 1 (strongly disagree) to 6 (strongly agree)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField

from coachapp.forms import DateField, DateRange, InputRequired, NotInFuture, select_choices
from coachapp.models.assessments import BARC10_ANSWERS, BARC10_STATEMENTS, ITEM_COLUMNS

ITEM_MESSAGE = "Choose an answer from 1 (strongly disagree) to 6 (strongly agree)."


def item_field(number: int, statement: str) -> RadioField:
    return RadioField(
        f"{number}. {statement}",
        coerce=int,
        choices=select_choices([(value, f"{value} {label}") for value, label in BARC10_ANSWERS]),
        invalid_choice_message=ITEM_MESSAGE,
        invalid_value_message=ITEM_MESSAGE,
    )


class AssessmentForm(FlaskForm):
    administered_on = DateField(
        "Date administered", validators=[InputRequired(message="Give the date."), DateRange()]
    )

    def __init__(self, *args, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        if today_func is not None:
            self.administered_on.validators = [
                *self.administered_on.validators,
                NotInFuture(today_func),
            ]

    @property
    def item_fields(self) -> list[RadioField]:
        return [getattr(self, col) for col in ITEM_COLUMNS]

    def items(self) -> list[int]:
        return [field.data for field in self.item_fields]


for _n, (_col, _statement) in enumerate(zip(ITEM_COLUMNS, BARC10_STATEMENTS, strict=True), 1):
    setattr(AssessmentForm, _col, item_field(_n, _statement))
