"""Forms of sessions: log a session (fast on a phone) and edit it.

The form reads the input; the rules of a session (a date that has come, 1 to 720 minutes, the
client's own goals) are ``sessions.services.check_session``'s, whose refusals the views show
beside these fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TimeField,
    widgets,
)
from wtforms.validators import StopValidation

from coachapp.forms import (
    MAX_TEXT,
    DataRequired,
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    IntegerField,
    Length,
    TextAreaField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.goals import services as goal_services
from coachapp.goals.forms import NewGoalForm
from coachapp.limits import MAX_ADDENDUM_REASON, MAX_GROUP_SIZE, MAX_NEXT_STEPS
from coachapp.models.enums import Modality, SessionKind, SessionOutcome
from coachapp.sessions import services
from coachapp.sessions.places import place_choices
from coachapp.sessions.services import MAX_MINUTES, MAX_REPLY, MIN_MINUTES, MINUTES_MESSAGE


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def whole_minutes(form, field) -> None:
    """Input that is not a whole number gets the rule's own message (the services decide the
    range)."""
    if field.data is None:
        raise StopValidation(MINUTES_MESSAGE)


def minutes_unless_times(form, field) -> None:
    """With a start and an end time, the minutes are computed from them: whatever the minutes
    field holds is ignored (not refused)."""
    if form.start_time.data is not None and form.end_time.data is not None:
        field.errors[:] = []
        raise StopValidation()


def optional_whole_number(message: str):
    """Empty is none; anything else must be a whole number (the services decide the range)."""

    def check(form, field) -> None:
        if not field.raw_data or not str(field.raw_data[0]).strip():
            field.errors[:] = []
            field.data = None
            raise StopValidation()
        if field.data is None:
            field.errors[:] = []
            raise StopValidation(message)

    return check


class ClockField(TimeField):
    """A time of day, ``HH:MM`` (24-hour; a browser may add seconds); empty is none."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata([str(valuelist[0]).strip()])
        except ValueError as exc:
            self.data = None
            raise ValueError("Give the time as HH:MM (24-hour), e.g. 14:30.") from exc


GROUP_SIZE_MESSAGE = f"Give the number of clients in the group, 2 to {MAX_GROUP_SIZE}."


def goal_choices(goals) -> list:
    return select_choices(
        [(g.id, f"{g.domain.replace('_', ' ').capitalize()}: {g.description}") for g in goals]
    )


class SessionForm(VersionForm):
    """One contact with a client. ``goals``: the goals that may be ticked (the client's)."""

    date = DateField("Date", validators=[InputRequired(message="Give the date."), DateRange()])
    start_time = ClockField("Start time", render_kw={"step": 60})
    end_time = ClockField("End time", render_kw={"step": 60})
    duration_minutes = IntegerField(
        "Minutes",
        validators=[
            minutes_unless_times,
            InputRequired(message=MINUTES_MESSAGE),
            whole_minutes,
        ],
        description="Computed from the start and end times when both are given.",
        render_kw={"inputmode": "numeric", "min": MIN_MINUTES, "max": MAX_MINUTES},
    )
    modality = EnumSelectField("Modality", enum_cls=Modality, default=Modality.IN_PERSON.value)
    kind = EnumSelectField("Kind", enum_cls=SessionKind, default=SessionKind.COACHING.value)
    outcome = RadioField(
        "Outcome",
        choices=select_choices(
            [
                (SessionOutcome.COMPLETED.value, "Completed"),
                (SessionOutcome.ATTEMPTED.value, "Attempted (could not reach the client)"),
            ]
        ),
        default=SessionOutcome.COMPLETED.value,
        invalid_choice_message="Choose completed or attempted.",
    )
    billable = BooleanField(
        "Billable",
        description="Needs the start and end time and the place of service; "
        "a group session its size.",
    )
    place_of_service = SelectField(
        "Place of service",
        choices=select_choices(place_choices()),
        default="",
        validate_choice=True,
    )
    group_size = IntegerField(
        "Clients in the group",
        validators=[optional_whole_number(GROUP_SIZE_MESSAGE)],
        description="Group sessions only.",
        render_kw={"inputmode": "numeric", "min": 2, "max": MAX_GROUP_SIZE},
    )
    goal_ids = CheckboxesField(
        "Goals addressed",
        coerce=int,
        invalid_choice_message="Choose only this client's goals from the list.",
        invalid_value_message="Choose only this client's goals from the list.",
    )
    note = TextAreaField(
        "Note", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )
    next_steps = TextAreaField(
        "Next steps",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_NEXT_STEPS)],
    )

    new_goal = FormField(NewGoalForm, label="Set a new goal")

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_ids.choices = goal_choices(goals)
        self.place_of_service.pre_validate = self._known_place

    def _known_place(self, form) -> None:
        data = self.place_of_service.data
        if data is not None and data not in {value for value, _ in place_choices()}:
            raise StopValidation("Choose a place of service from the list.")

    def new_goal_data(self) -> dict | None:
        """The goal to set with this session ("Set a new goal"), or None when none was asked
        for; it opens on the session's date."""
        if not self.new_goal.form.asked():
            return None
        return self.new_goal.form.goal_data(self.date.data)

    def session_data(self) -> dict:
        """The fields as ``services.create_session`` / ``update_session`` take them."""
        return {
            "date": self.date.data,
            "duration_minutes": self.duration_minutes.data,
            "modality": self.modality.data,
            "kind": self.kind.data,
            "outcome": self.outcome.data,
            "goal_ids": list(self.goal_ids.data or []),
            "note": self.note.data,
            "next_steps": self.next_steps.data,
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "place_of_service": self.place_of_service.data or None,
            "billable": bool(self.billable.data),
            "group_size": self.group_size.data,
        }


class ReplyForm(FlaskForm):
    """The session's coach answers the review thread."""

    body = TextAreaField(
        "Reply to your supervisor",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_REPLY, message=f"At most {MAX_REPLY:,} characters.")],
        render_kw={"maxlength": MAX_REPLY, "rows": 3},
    )


class SignForm(FlaskForm):
    """The coach signs the note: the attestation is required (an empty post signs nothing)."""

    confirm = BooleanField(
        "I attest that this note is accurate and complete, and I sign it.",
        validators=[DataRequired(message="Tick the attestation to sign.")],
    )


class CosignForm(FlaskForm):
    """The supervisor co-signs a signed note."""

    confirm = BooleanField(
        "I have reviewed this signed note and co-sign it.",
        validators=[DataRequired(message="Tick the box to co-sign.")],
    )


class AddendumForm(FlaskForm):
    """A dated correction or addition to a signed note, with why."""

    text = TextAreaField(
        "Addendum",
        filters=[strip_filter, none_if_empty],
        validators=[
            InputRequired(message="Write the correction or addition."),
            Length(max=MAX_TEXT),
        ],
        render_kw={"rows": 4},
    )
    # "why", not "reason": the archive box on the same page has a "reason" field.
    why = TextAreaField(
        "Why",
        filters=[strip_filter, none_if_empty],
        validators=[
            InputRequired(message="Say why the signed note needs it."),
            Length(max=MAX_ADDENDUM_REASON),
        ],
        render_kw={"rows": 2, "maxlength": MAX_ADDENDUM_REASON},
    )


# Where the rules of a goal set from the session form put their messages: the sub-form's fields,
# and the session's date for the goal's opening day (the goal opens on it).
NEW_GOAL_FIELDS = {
    "domain": "new_goal.domain",
    "description": "new_goal.description",
    "target_date": "new_goal.target_date",
    "opened_on": "date",
}


def session_rules(form: SessionForm, client):
    """The services' rules of the session and of the goal set with it, asked together with
    the form's own checks (``coachapp.forms.validate_in_one_pass``), so every problem shows at
    once. Raises ``SessionRuleError`` naming the form's fields."""

    def check() -> None:
        problems: dict[str, str] = {}
        try:
            services.check_session(client, form.session_data())
        except services.SessionRuleError as exc:
            problems.update(exc.errors)
        goal = form.new_goal_data()
        if goal is not None:
            try:
                goal_services.check_goal(client, goal)
            except goal_services.GoalRuleError as exc:
                for name, message in exc.errors.items():
                    problems.setdefault(NEW_GOAL_FIELDS.get(name, name), message)
        if problems:
            raise services.SessionRuleError(problems)

    return check
