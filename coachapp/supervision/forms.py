"""Forms of supervision notes and training hours.

The views give each form its context: the coaches and clients a note may name (``choices``, to
show them) and the program-local today (``today_func``). The note form reads the input; the
rules of a note (who may be named, how many, which clients, no future date) are
``supervision.services.check_note``'s, whose refusals the view shows beside these fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DecimalField, SelectField, SelectMultipleField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput

from coachapp.forms import (
    MAX_LINE,
    MAX_TEXT,
    ArchiveForm,
    DataRequired,
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    IntegerField,
    Length,
    NotInFuture,
    StringField,
    TextAreaField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.limits import MAX_TOPICS, MAX_TRAINING_HOURS, MIN_TRAINING_HOURS
from coachapp.models.enums import SupervisionFormat, TrainingDomain


class CheckboxListWidget:
    """One Bootstrap checkbox per choice inside a group named by the text ``render_field`` shows
    above it (``<id>-label``).

    ``render_field`` passes ``class_`` for a single input; the group ignores it and marks each
    checkbox instead, so the macro works unchanged for this field.
    """

    def __init__(self, empty_message: str = "Nothing to choose from."):
        self.empty_message = empty_message

    def __call__(self, field, **kwargs) -> Markup:
        for key in ("class_", "class", "aria-invalid"):
            kwargs.pop(key, None)
        describedby = kwargs.pop("aria-describedby", None)
        input_class = "form-check-input" + (" is-invalid" if field.errors else "")
        parts = [
            Markup('<div id="{}" role="group" aria-labelledby="{}-label"{}>').format(
                field.id,
                field.id,
                Markup(' aria-describedby="{}"').format(describedby) if describedby else "",
            )
        ]
        options = list(field)  # one checkbox subfield per choice, values escaped by wtforms
        if not options:
            parts.append(Markup('<p class="form-text mb-0">{}</p>').format(self.empty_message))
        for option in options:
            parts.append(
                Markup('<div class="form-check">{}{}</div>').format(
                    option(class_=input_class), option.label(class_="form-check-label")
                )
            )
        parts.append(Markup("</div>"))
        return Markup("").join(parts)


class MultiCheckboxField(SelectMultipleField):
    """Several ids chosen with checkboxes; an id outside ``choices`` is a field error."""

    widget = CheckboxListWidget("No active coaches report to you.")
    option_widget = CheckboxInput()


def _deduplicated(values):
    return list(dict.fromkeys(values)) if values else values


class SupervisionNoteForm(VersionForm):
    """A supervision session: who, when, how long, and what was discussed."""

    date = DateField("Date", validators=[InputRequired(message="Give the date."), DateRange()])
    duration_minutes = IntegerField(
        "Minutes",
        validators=[
            InputRequired(message="Give the length in minutes."),
            # The range is the services' rule (check_note), refused there for the API too.
        ],
    )
    format = EnumSelectField(
        "Format",
        enum_cls=SupervisionFormat,
        blank="Choose…",
        validators=[DataRequired(message="Choose individual or group.")],
    )
    coaches = MultiCheckboxField(
        "Coaches",
        coerce=int,
        filters=[_deduplicated],
        validate_choice=False,  # check_note decides who may be named
        invalid_value_message="Choose among the active coaches you supervise.",
    )
    clients = SelectMultipleField(
        "Clients discussed",
        coerce=int,
        filters=[_deduplicated],
        validate_choice=False,  # check_note decides which clients may be named
        invalid_value_message="Choose among the clients you can open.",
        render_kw={"size": 8},
        description="Optional. Hold Ctrl (or ⌘) to choose several.",
    )
    topics = TextAreaField(
        "Topics",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_TOPICS)],
        render_kw={"rows": 2},
    )
    note = TextAreaField(
        "Note",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_TEXT)],
        render_kw={"rows": 6},
    )
    action_items = TextAreaField(
        "Action items",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_TEXT)],
        render_kw={"rows": 3},
    )

    # Where check_note's refusals (named as the services name them) go on this form.
    RULE_FIELDS = {"coach_ids": "coaches", "client_ids": "clients"}

    def show_rule_errors(self, errors: dict[str, str]) -> None:
        """Put ``NoteRuleError.errors`` beside their fields."""
        for name, message in errors.items():
            field = getattr(self, self.RULE_FIELDS.get(name, name), None)
            if field is None:
                self.form_errors.append(message)
            elif message not in field.errors:
                field.errors = [*field.errors, message]

    def note_data(self) -> dict:
        """The note's own columns, as the services take them."""
        return {
            key: getattr(self, key).data
            for key in ("date", "duration_minutes", "format", "topics", "note", "action_items")
        }


class AcknowledgeForm(FlaskForm):
    """CSRF only: a coach acknowledges having read a note."""


def _hours_in_range(form, field) -> None:
    value = field.data
    if value is None:
        return
    if not value.is_finite():
        raise StopValidation("Enter a number of hours, such as 1.5.")
    if value < MIN_TRAINING_HOURS or value > MAX_TRAINING_HOURS:
        raise StopValidation("Hours must be between 0.25 and 200.")
    if value != value.quantize(Decimal("0.01")):
        raise StopValidation("Give the hours with at most two decimals.")


class TrainingForm(FlaskForm):
    """Training hours a coach completed, by IC&RC domain."""

    domain = EnumSelectField(
        "Domain",
        enum_cls=TrainingDomain,
        blank="Choose a domain",
        validators=[DataRequired(message="Choose a domain.")],
    )
    hours = DecimalField(
        "Hours",
        places=2,
        validators=[InputRequired(message="Give the hours."), _hours_in_range],
        invalid_value_message="Enter a number of hours, such as 1.5.",
        render_kw={"min": "0.25", "max": "200", "step": "0.01", "inputmode": "decimal"},
    )
    completed_on = DateField(
        "Completed on",
        validators=[InputRequired(message="Give the date it was completed."), DateRange()],
    )
    title = StringField(
        "Title",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the training's title."), Length(max=MAX_LINE)],
    )
    provider = StringField(
        "Provider", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_LINE)]
    )

    def __init__(self, *args, today_func: Callable[[], date], **kwargs):
        super().__init__(*args, **kwargs)
        self.completed_on.validators = [*self.completed_on.validators, NotInFuture(today_func)]


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class TrainingArchiveForm(ArchiveForm):
    """Archive one of the coach's training records, chosen among the ones listed."""

    training_id = SelectField(
        "Training record",
        coerce=_int_or_none,
        validators=[DataRequired(message="Choose the record to archive.")],
        invalid_choice_message="Choose one of the records listed.",
    )

    def set_records(self, records) -> None:
        self.training_id.choices = select_choices(
            [("", "Choose a record")]
            + [
                (
                    str(r.id),
                    f"{r.completed_on.isoformat()} · {r.domain.replace('_', ' ')} · "
                    f"{r.title} ({r.hours} h)",
                )
                for r in records
            ]
        )
