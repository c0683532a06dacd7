"""Forms of appointments: schedule or edit one, record its outcome.

The forms read the input; the rules of an appointment (a resource the program may use, which
outcome may be recorded when, whether the coach went along) are ``appointments.services``',
whose refusals the views show beside these fields.
"""

from __future__ import annotations

from datetime import datetime

from wtforms import BooleanField, HiddenField, SelectField, TimeField
from wtforms.validators import Optional, ValidationError

from coachapp.appointments.services import HAPPENED, RESOURCE_MESSAGE
from coachapp.forms import (
    MAX_TEXT,
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    Length,
    StringField,
    TextAreaField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.models.base import parse_id
from coachapp.models.enums import AppointmentKind, AppointmentOutcome

# Outcomes a coach records; ``scheduled`` is only ever the state before one is recorded.
RECORDABLE = [o.value for o in AppointmentOutcome if o != AppointmentOutcome.SCHEDULED]
# The answers the page offers before the appointment's time has come (the services refuse
# the others then).
BEFORE_THE_TIME = tuple(o for o in RECORDABLE if o not in HAPPENED)
YES_NO = {"yes": True, "no": False}


class AppointmentForm(VersionForm):
    """Schedule (``version`` unused) or edit an appointment. ``scheduled_at`` is the wall-clock
    date and time where the program is; past dates are allowed (entered after the fact)."""

    date = DateField(
        "Date",
        validators=[InputRequired(message="Give the date."), DateRange()],
    )
    time = TimeField(
        "Time",
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(message="Give the time.")],
    )
    kind = EnumSelectField(
        "Kind",
        enum_cls=AppointmentKind,
        blank="Choose a kind",
        validators=[InputRequired(message="Choose a kind.")],
    )
    location = StringField(
        "Where / with whom",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=300)],
        description="Free text, e.g. “Dr Okafor, 3rd floor, room 4”. Optional.",
    )
    resource_id = SelectField(
        "Directory resource",
        validate_choice=False,  # checked against the database in validate_resource_id
        validators=[Optional()],
        description="Optional: the directory entry the appointment is with.",
    )
    accompaniment_planned = BooleanField("I plan to go along (accompaniment)")
    notes = TextAreaField(
        "Notes", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )

    def __init__(self, *args, resources: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_id.choices = select_choices(
            [("", "None")] + [(str(rid), label) for rid, label in resources]
        )

    def validate_resource_id(self, field) -> None:
        """An id or nothing; whether the resource may be used is the services' to say."""
        if field.data in (None, "", "None"):
            field.data = ""
            return
        if parse_id(field.data) is None:
            raise ValidationError(RESOURCE_MESSAGE)

    def data_dict(self) -> dict:
        """The values the services take."""
        return {
            "scheduled_at": (
                datetime.combine(self.date.data, self.time.data)
                if self.date.data is not None and self.time.data is not None
                else None  # refused by the form; the services' checks still run beside it
            ),
            "kind": self.kind.data,
            "location": self.location.data,
            "resource_id": parse_id(self.resource_id.data),
            "accompaniment_planned": bool(self.accompaniment_planned.data),
            "notes": self.notes.data,
        }


class OutcomeForm(VersionForm):
    """What happened. The page posts it from one big button per answer (one tap on a phone),
    each carrying ``outcome`` and, for ``attended``, ``coach_accompanied`` (yes / no). Which
    outcome may be recorded, and when the answer to "did you go along?" is needed, is
    ``services.record_outcome``'s to say."""

    outcome = HiddenField("Outcome", filters=[strip_filter])
    coach_accompanied = HiddenField("Did you go along?", filters=[strip_filter])

    def accompanied_value(self) -> bool | None:
        """``True`` for yes, ``False`` for no, ``None`` for no answer (or anything else)."""
        return YES_NO.get(self.coach_accompanied.data or "")
