"""Forms of the resource directory."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, TimeField
from wtforms.validators import Email, Optional, ValidationError

from coachapp.forms import (
    MAX_TEXT,
    DataRequired,
    DateField,
    DateRange,
    EnumSelectField,
    Length,
    NotInFuture,
    StringField,
    TextAreaField,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.models.base import parse_id
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory
from coachapp.resources.queries import DAY_NAMES, MODEL_LABELS
from coachapp.resources.taxonomy import MATCHES

MEETING_FIELDS = (
    "meeting_model",
    "meeting_format",
    "meeting_open",
    "meeting_day",
    "meeting_time",
    "meeting_end_time",
    "meeting_schedule",
    "conference_url",
)
OPEN_CHOICES = [("", "Not stated"), ("open", "Open: anyone may attend"), ("closed", "Closed")]


def is_http_url(value: str) -> bool:
    """A web address a browser may follow from our pages (never ``javascript:`` and friends)."""
    if not value or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class HttpUrl:
    """An optional web address starting with http:// or https://."""

    def __init__(self, message: str = "Give a web address starting with https:// or http://."):
        self.message = message

    def __call__(self, form, field):
        if field.data and not is_http_url(field.data):
            raise ValidationError(self.message)


class ResourceForm(FlaskForm):
    """A directory entry (an HSDS service), with the mutual-aid meeting details. The rules of
    an entry (``resources.services.check_resource``) are the services'; the view shows their
    refusals beside these fields."""

    name = StringField("Name", filters=[strip_filter], validators=[DataRequired(), Length(max=200)])
    category = EnumSelectField(
        "Category",
        enum_cls=ResourceCategory,
        blank="Choose a category",
        validators=[DataRequired(message="Choose a category.")],
    )
    organization_id = SelectField("Organization", validate_choice=False)
    new_organization = StringField(
        "Or a new organization",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=200)],
        description="Name of an organization not in the list yet.",
    )
    description = TextAreaField(
        "Description", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )
    phone = StringField("Phone", filters=[strip_filter, none_if_empty], validators=[Length(max=40)])
    email = EmailField(
        "Email",
        filters=[strip_filter, none_if_empty],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    website = StringField(
        "Website", filters=[strip_filter, none_if_empty], validators=[Length(max=300), HttpUrl()]
    )
    address = TextAreaField(
        "Address", filters=[strip_filter, none_if_empty], validators=[Length(max=1000)]
    )
    last_verified_on = DateField(
        "Last verified on",
        validators=[Optional(), DateRange(years_ahead=0)],
        description="When someone last checked these details with the service.",
    )
    active = BooleanField("Active (shown to coaches for new referrals)", default=True)

    meeting_model = EnumSelectField(
        "Mutual-aid model", enum_cls=MeetingModel, blank="Not a mutual-aid meeting", default=""
    )
    meeting_format = EnumSelectField(
        "Meeting format", enum_cls=MeetingFormat, blank="Not stated", default=""
    )
    meeting_open = SelectField("Open or closed", choices=select_choices(OPEN_CHOICES), default="")
    meeting_day = SelectField(
        "Day",
        choices=select_choices(
            [("", "No fixed day"), *((str(i), d) for i, d in enumerate(DAY_NAMES))]
        ),
        default="",
    )
    meeting_time = TimeField("Starts at", validators=[Optional()], format=["%H:%M", "%H:%M:%S"])
    meeting_end_time = TimeField("Ends at", validators=[Optional()], format=["%H:%M", "%H:%M:%S"])
    meeting_schedule = StringField(
        "Schedule",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=200)],
        description='As people read it, e.g. "Tuesdays 19:00–20:00, English". '
        "Left empty, it is written from the day and times.",
    )
    conference_url = StringField(
        "Online meeting link",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=300), HttpUrl()],
    )

    def __init__(self, *args, organizations=(), today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id.choices = select_choices(
            [("", "None")] + [(str(i), name) for i, name in organizations]
        )
        self._organization_ids = {i for i, _ in organizations}
        self.meeting_model.choices = select_choices(
            [("", "Not a mutual-aid meeting"), *MODEL_LABELS.items()]
        )
        self._selects_from_record()
        if today_func is not None:
            self.last_verified_on.validators = [
                *self.last_verified_on.validators,
                NotInFuture(today_func),
            ]

    def _selects_from_record(self) -> None:
        """Selects not posted show the record's values ("" for none; open/closed for the
        boolean), never the string "None"."""
        for field in (
            self.organization_id,
            self.meeting_model,
            self.meeting_format,
            self.meeting_open,
            self.meeting_day,
        ):
            if not field.raw_data and field.data in (None, "None"):
                field.data = ""
        if not self.meeting_open.raw_data:
            self.meeting_open.data = {"True": "open", "False": "closed"}.get(
                self.meeting_open.data, self.meeting_open.data
            )

    def validate_organization_id(self, field) -> None:
        if field.data in (None, "", "None"):
            field.data = ""
            return
        if parse_id(field.data) not in self._organization_ids:
            raise ValidationError("Choose an organization from the list.")
        if self.new_organization.data:
            raise ValidationError("Choose an organization or name a new one, not both.")

    def validate_meeting_end_time(self, field) -> None:
        if field.data and not self.meeting_time.data:
            raise ValidationError("Give the start time too.")
        if field.data and self.meeting_time.data and field.data <= self.meeting_time.data:
            raise ValidationError("The meeting must end after it starts.")

    def validate_meeting_model(self, field) -> None:
        others = [name for name in MEETING_FIELDS[1:] if getattr(self, name).data not in (None, "")]
        if not field.data and others:
            raise ValidationError("Choose the meeting's model, or clear the meeting details.")

    def organization_value(self) -> int | None:
        return parse_id(self.organization_id.data)

    def values(self) -> dict:
        """The resource's columns from the form (without the organization)."""
        day = self.meeting_day.data
        return {
            "name": self.name.data,
            "category": self.category.data,
            "description": self.description.data,
            "phone": self.phone.data,
            "email": self.email.data,
            "website": self.website.data,
            "address": self.address.data,
            "last_verified_on": self.last_verified_on.data,
            "active": bool(self.active.data),
            "meeting_model": self.meeting_model.data or None,
            "meeting_format": self.meeting_format.data or None,
            "meeting_open": {"open": True, "closed": False}.get(self.meeting_open.data or ""),
            # Read before the form's checks too (the rules run in the same pass): a value
            # that is not a day is the form's to refuse, never a crash here.
            "meeting_day": int(day) if isinstance(day, str) and day.isdigit() else None,
            "meeting_time": self.meeting_time.data,
            "meeting_end_time": self.meeting_end_time.data,
            "meeting_schedule": self.meeting_schedule.data,
            "conference_url": self.conference_url.data,
        }


class TaxonomyMappingForm(FlaskForm):
    """One line of the taxonomy mapping. The services check the term (a code's shape, no
    second line for the same term) and the view shows their refusals beside these fields."""

    match = SelectField(
        "Match",
        choices=select_choices([("", "Choose how to match"), *MATCHES.items()]),
        validators=[DataRequired(message="Choose how the term is matched.")],
        description="A code prefix matches every code that starts with it (the longest wins); "
        "a whole name matches a term of exactly that name; a word matches any term whose name "
        "has it. Case is ignored.",
    )
    term = StringField(
        "Term",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the term."), Length(max=200)],
        description='E.g. "BH-1800" (a 211/AIRS code), "Emergency Food" or "detox".',
    )
    category = EnumSelectField(
        "Directory category",
        enum_cls=ResourceCategory,
        blank="Choose a category",
        validators=[DataRequired(message="Choose a category of the directory.")],
    )

    def values(self) -> dict:
        return {"match": self.match.data, "term": self.term.data, "category": self.category.data}


class DeleteForm(FlaskForm):
    """A POST-only delete carries CSRF through this empty form."""
