"""Forms of mutual-aid linkage: a group the client attends, its end, sponsor or mentor."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import RadioField, SearchField, SelectField
from wtforms.validators import Optional, ValidationError

from coachapp.forms import (
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    Length,
    NotInFuture,
    StringField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.models.base import parse_id
from coachapp.models.enums import MeetingFormat, MeetingModel, SupportPerson
from coachapp.mutual_aid.queries import MeetingFilters
from coachapp.resources.queries import DAY_NAMES, MODEL_LABELS


def _not_in_future(form, fields, today_func) -> None:
    if today_func is None:
        return
    for field in fields:
        field.validators = [*field.validators, NotInFuture(today_func)]


class AttendanceForm(FlaskForm):
    """A mutual-aid group the client attends: a directory meeting or just the model.

    The meeting is picked from a list the ``find_*`` fields narrow. Those fields are sent with
    the "Find meetings" button (``FIND_BUTTON``) on the same form: the page comes back with the
    narrowed list and everything else as it was typed, nothing saved and nothing checked. They
    carry no validators, so whatever is in them never refuses a save."""

    FIND_BUTTON = "find"

    find_text = SearchField(
        "Name, place or ZIP code", filters=[strip_filter], render_kw={"maxlength": 100}
    )
    find_day = SelectField(
        "Day",
        choices=select_choices([("", "Any day"), *((str(i), d) for i, d in enumerate(DAY_NAMES))]),
        default="",
        validate_choice=False,
    )
    find_model = SelectField(
        "Meeting model",
        choices=select_choices([("", "Any model"), *MODEL_LABELS.items()]),
        default="",
        validate_choice=False,
    )
    find_format = SelectField(
        "Format",
        choices=select_choices(
            [
                ("", "Any format"),
                *((f.value, f.value.replace("_", " ").capitalize()) for f in MeetingFormat),
            ]
        ),
        default="",
        validate_choice=False,
    )
    resource_id = RadioField("Meeting", validate_choice=False)
    model = EnumSelectField(
        "Model",
        enum_cls=MeetingModel,
        blank="Same as the meeting",
        default="",
        description="Needed when no meeting is chosen.",
    )
    frequency = StringField(
        "How often",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=100)],
        description='For example "twice a week".',
    )
    since = DateField("Attending since", validators=[Optional(), DateRange()])

    def __init__(self, *args, lookup=None, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup
        self.meeting = None
        self.model.choices = select_choices([("", "Same as the meeting"), *MODEL_LABELS.items()])
        _not_in_future(self, [self.since], today_func)

    def finding(self) -> bool:
        """The "Find meetings" button sent the form (narrow the list, save nothing)."""
        return self.is_submitted() and self.FIND_BUTTON in request.form

    def filters(self) -> MeetingFilters:
        return MeetingFilters.read(
            self.find_text.data, self.find_day.data, self.find_model.data, self.find_format.data
        )

    def chosen_id(self) -> int | None:
        """The meeting id the form carries (picked before a search), or None."""
        return parse_id(self.resource_id.data)

    def validate_resource_id(self, field) -> None:
        if field.data in (None, "", "None"):
            field.data = ""
            return
        meeting = self.lookup(parse_id(field.data)) if self.lookup else None
        if meeting is None:
            raise ValidationError("Choose an active meeting from the list.")
        self.meeting = meeting

    def validate_model(self, field) -> None:
        if not field.data and self.resource_id.data in (None, "", "None"):
            raise ValidationError("Choose the model, or a meeting from the directory.")

    def chosen_model(self) -> str | None:
        if self.model.data:
            return self.model.data
        return self.meeting.meeting_model if self.meeting is not None else None


class EndAttendanceForm(FlaskForm):
    ended_on = DateField("Stopped attending on", validators=[InputRequired(), DateRange()])

    def __init__(self, *args, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        _not_in_future(self, [self.ended_on], today_func)


SUPPORT_CHOICES = [("", "None")] + [(s.value, s.value.capitalize()) for s in SupportPerson]


class SupportForm(VersionForm):
    """Whether the client has a sponsor (12-step) or a mentor, and since when."""

    support_person = SelectField(
        "Sponsor or mentor", choices=select_choices(SUPPORT_CHOICES), default=""
    )
    support_person_since = DateField("Since", validators=[Optional(), DateRange()])

    def __init__(self, *args, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        _not_in_future(self, [self.support_person_since], today_func)

    def validate_support_person_since(self, field) -> None:
        if field.data and not self.support_person.data:
            raise ValidationError("Leave this empty when the client has no sponsor or mentor.")
