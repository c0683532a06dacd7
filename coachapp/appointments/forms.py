"""Forms of appointments: schedule or edit one, record its outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from wtforms import BooleanField, HiddenField, SelectField, TimeField
from wtforms.validators import AnyOf, Optional, ValidationError

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
from coachapp.models.enums import AppointmentKind, AppointmentOutcome

# Outcomes a coach records; ``scheduled`` is only ever the state before one is recorded.
RECORDABLE = [o.value for o in AppointmentOutcome if o != AppointmentOutcome.SCHEDULED]
# Outcomes that may be recorded before the appointment's time has come.
BEFORE_THE_TIME = (AppointmentOutcome.CANCELLED.value, AppointmentOutcome.RESCHEDULED.value)
YES_NO = ("yes", "no")


def parse_id(value) -> int | None:
    """A positive database id from form input, or ``None`` (empty or junk)."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if number > 0 else None


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

    def __init__(
        self,
        *args,
        resources: list[tuple[int, str]] = (),
        lookup: Callable[[int | None], object | None] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.lookup = lookup
        self.resource = None
        self.resource_id.choices = select_choices(
            [("", "None")] + [(str(rid), label) for rid, label in resources]
        )

    def validate_resource_id(self, field) -> None:
        if field.data in (None, "", "None"):
            field.data = ""
            return
        resource = self.lookup(parse_id(field.data)) if self.lookup else None
        if resource is None:
            raise ValidationError("Choose an active resource from the list, or none.")
        self.resource = resource

    def data_dict(self) -> dict:
        """The values the services take."""
        return {
            "scheduled_at": datetime.combine(self.date.data, self.time.data),
            "kind": self.kind.data,
            "location": self.location.data,
            "resource_id": self.resource.id if self.resource is not None else None,
            "accompaniment_planned": bool(self.accompaniment_planned.data),
            "notes": self.notes.data,
        }


class OutcomeForm(VersionForm):
    """What happened. The page posts it from one big button per answer (one tap on a phone),
    each carrying ``outcome`` and, for ``attended``, ``coach_accompanied`` (yes / no)."""

    outcome = HiddenField(
        "Outcome",
        validators=[
            InputRequired(message="Choose what happened."),
            AnyOf(RECORDABLE, message="Choose what happened."),
        ],
    )
    coach_accompanied = HiddenField("Did you go along?", filters=[strip_filter])

    def validate_coach_accompanied(self, field) -> None:
        """Required (yes / no) when attended; ignored for every other outcome."""
        if self.outcome.data != AppointmentOutcome.ATTENDED:
            return
        if field.data not in YES_NO:
            raise ValidationError("Say whether you went along to this appointment (yes or no).")

    def accompanied_value(self) -> bool | None:
        """``True``/``False`` for an attended appointment; ``None`` for every other outcome."""
        if self.outcome.data != AppointmentOutcome.ATTENDED:
            return None
        return self.coach_accompanied.data == "yes"
