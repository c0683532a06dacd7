"""Form pieces every feature shares: strict dates, enumeration selects, the version field.

Every form keeps what the user typed when it fails, shows the message beside the field (the
``render_field`` macro), and refuses values the database would refuse, so a bad post is a
message and never a 500.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, timedelta

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    DateField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms import validators as wtf_validators
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from coachapp.limits import MAX_LINE, MAX_TEXT
from coachapp.records import RuleError

EARLIEST_DATE = date(1900, 1, 1)


def strip_filter(value):
    """Trim whitespace; whitespace-only input becomes empty (so DataRequired catches it)."""
    if isinstance(value, str):
        value = value.strip()
    return value


def text_length(value) -> int:
    """The length of ``value`` as a person counts it (and the page's counter shows it): a
    browser sends each line break of a text area as two characters (CR LF), counted as one."""
    return len(value.replace("\r\n", "\n")) if isinstance(value, str) else 0


class Length(wtf_validators.Length):
    """A length limit that never cuts text silently.

    WTForms' ``Length`` puts ``maxlength`` on the input, and a browser then drops the end of
    pasted text without a word. This one leaves the input whole (its limit goes to the
    ``limit`` flag, which the ``render_field`` macro turns into ``data-maxlength`` for the
    character counter) and refuses over-long text with the limit and the length typed, so the
    text stays on the page to be shortened."""

    def __init__(self, min: int = -1, max: int = -1, message: str | None = None):
        super().__init__(min, max, message)
        self.field_flags = {"limit": max} if max != -1 else {}

    def __call__(self, form, field):
        length = text_length(field.data)
        if self.max != -1 and length > self.max:
            # Worded as WTForms' own message begins, with the length typed and what to cut.
            raise ValidationError(
                self.message
                or f"Field cannot be longer than {self.max} characters. This is {length} "
                f"characters long: shorten it by {length - self.max} (nothing was cut)."
            )
        if self.min != -1 and length < self.min:
            super().__call__(form, field)


def none_if_empty(value):
    return value or None


def select_choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as wtforms 3.3+ wants choices given to a field's constructor."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def enum_choices(enum_cls: type[enum.Enum], *, blank: str | None = None) -> list[SelectChoice]:
    pairs = [(m.value, m.value.replace("_", " ").capitalize()) for m in enum_cls]
    return select_choices(([("", blank)] if blank is not None else []) + pairs)


class EnumSelectField(SelectField):
    """A select over an enumeration's exact values; anything else is a field error."""

    def __init__(self, label=None, validators=None, *, enum_cls, blank=None, **kwargs):
        super().__init__(label, validators, choices=enum_choices(enum_cls, blank=blank), **kwargs)


class RequiredSelectField(SelectField):
    """A select that must be answered: it opens on an empty "Choose…" option (value ""), so
    "nothing chosen" is caught with ``message`` instead of the first real choice going through
    unnoticed (and the HTML is valid: a required select's first option must be empty).
    ``choices`` are the real ones, set in the form or the view as for any select."""

    placeholder = "Choose…"

    def __init__(self, label=None, validators=None, *, message: str = "Choose one.", **kwargs):
        super().__init__(label, [DataRequired(message=message), *(validators or [])], **kwargs)

    def iter_choices(self):
        placeholder = Choice("", self.placeholder, selected=self.data is None, render_kw={})
        return [placeholder, *super().iter_choices()]

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            self.data = None  # not coerced: "" is no choice, whatever the type of the others
            return
        super().process_formdata(valuelist)


class HiddenWithoutIds:
    """For a form that shares its page with other forms (the archive form below a record's own
    form, one small form per row): ``hidden_tag()`` renders the hidden fields (the CSRF token)
    without an id, so a page never repeats ``id="csrf_token"``. Put it before ``FlaskForm``."""

    def hidden_tag(self, *fields):
        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in fields or self]
        hidden = [f for f in chosen if f is not None and isinstance(f.widget, HiddenInput)]
        return Markup("\n").join(f(id=False) for f in hidden)


class NotInFuture:
    """For things that have happened: a date after ``today`` (the program's) is refused."""

    def __init__(self, today_func, message: str = "This date is in the future."):
        self.today_func = today_func
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data > self.today_func():
            raise ValidationError(self.message)


class DateRange:
    """Refuse impossible dates: before 1900 or more than ``years_ahead`` years ahead."""

    def __init__(self, years_ahead: int = 2):
        self.years_ahead = years_ahead

    def __call__(self, form, field):
        if field.data is None:
            return
        if field.data < EARLIEST_DATE:
            raise ValidationError("This date is too far in the past.")
        if field.data > date.today() + timedelta(days=366 * self.years_ahead):
            raise ValidationError("This date is too far in the future.")


class VersionForm(FlaskForm):
    """Base for edit forms: carries the record's version for optimistic locking."""

    version = HiddenField()

    def version_value(self) -> int | None:
        try:
            return int(self.version.data) if self.version.data not in (None, "") else None
        except (TypeError, ValueError):
            return -1  # tampered: never matches, so the edit is refused as stale


def show_rule_errors(form, errors: Mapping[str, str], rename: Mapping[str, str] | None = None):
    """Put a service's refusals (``RuleError.errors``) beside the form's fields: ``rename``
    maps a name the services use to the form's field; a message with no field on this form
    goes above it."""
    rename = rename or {}
    for name, message in errors.items():
        target = rename.get(name, name)
        field = form
        for part in target.split("."):  # "new_goal.domain": a field of a sub-form
            if isinstance(field, FormField):
                field = field.form
            field = getattr(field, part, None)
        if field is None or not hasattr(field, "errors"):
            if message not in form.form_errors:
                form.form_errors.append(message)
        elif not field.errors:
            # A field already refused by the form keeps that one message: the services'
            # rule about the same field would only repeat it in other words.
            field.errors = [message]


def validate_in_one_pass(form, *checks) -> bool:
    """Validate a submitted ``form`` and run the services' ``checks`` in the same pass, so the
    person sees every problem at once (not the rules' refusals only after the form's own are
    fixed). Each check is a callable raising ``records.RuleError`` (its ``errors`` go beside
    the fields, see ``show_rule_errors``) or returning nothing; a check is also run when the
    form refused some fields, and must cope with their value being None. Returns True when
    the form was submitted and nothing was refused."""

    if not form.is_submitted():
        return False
    valid = form.validate()
    for check in checks:
        try:
            check()
        except RuleError as exc:
            show_rule_errors(form, exc.errors)
            valid = False
    return valid


class ArchiveForm(HiddenWithoutIds, FlaskForm):
    """Archive instead of delete: a reason is required. Shown below the record's own form."""

    reason = TextAreaField(
        "Why archive this record?",
        filters=[strip_filter],
        validators=[DataRequired(message="Give a reason."), Length(max=2000)],
    )


class EmptyForm(HiddenWithoutIds, FlaskForm):
    """Carries the CSRF token for POST-only actions (sign out, archive, ...)."""

    submit = SubmitField("Submit")


__all__ = [
    "ArchiveForm",
    "DataRequired",
    "DateField",
    "DateRange",
    "EmptyForm",
    "EnumSelectField",
    "HiddenWithoutIds",
    "InputRequired",
    "IntegerField",
    "Length",
    "MAX_LINE",
    "MAX_TEXT",
    "NotInFuture",
    "NumberRange",
    "RequiredSelectField",
    "StringField",
    "TextAreaField",
    "VersionForm",
    "none_if_empty",
    "select_choices",
    "show_rule_errors",
    "strip_filter",
    "text_length",
    "validate_in_one_pass",
]
