"""Forms of recovery goals: set one, edit it, change its status.

The forms read the input; the rules of a goal's dates (opened on a day that has come, closed
between its opening and today, a target not before the opening) are ``goals.services``', whose
refusals the views show beside these fields.
"""

from __future__ import annotations

from wtforms import BooleanField, Form
from wtforms.validators import Optional

from coachapp.forms import (
    DataRequired,
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    Length,
    TextAreaField,
    VersionForm,
    strip_filter,
)
from coachapp.limits import MAX_GOAL_DESCRIPTION as MAX_DESCRIPTION
from coachapp.models.enums import GoalDomain, GoalStatus


class GoalForm(VersionForm):
    """A goal's domain, description and dates. Shared by "new goal" and "edit"."""

    domain = EnumSelectField(
        "Domain",
        enum_cls=GoalDomain,
        blank="Choose a domain",
        validators=[DataRequired(message="Choose a domain.")],
    )
    description = TextAreaField(
        "Goal",
        filters=[strip_filter],
        validators=[
            DataRequired(message="Describe the goal."),
            Length(max=MAX_DESCRIPTION),
        ],
        description="In the client's words, if you can.",
    )
    target_date = DateField("Target date", validators=[Optional(), DateRange(years_ahead=10)])
    opened_on = DateField(
        "Opened on", validators=[InputRequired(message="Give the date."), DateRange()]
    )

    def goal_data(self) -> dict:
        return {
            "domain": self.domain.data,
            "description": self.description.data,
            "target_date": self.target_date.data,
            "opened_on": self.opened_on.data,
        }


class GoalStatusForm(VersionForm):
    """Mark a goal achieved or discontinued (with the day), or open it again."""

    status = EnumSelectField(
        "New status",
        enum_cls=GoalStatus,
        blank="Choose a status",
        validators=[DataRequired(message="Choose a status.")],
    )
    closed_on = DateField(
        "Closed on",
        validators=[Optional(), DateRange()],
        description="The day it was achieved or discontinued (today if left empty).",
    )


class NewGoalForm(Form):
    """ "Set a new goal" inside the session form: the goal is set with the session (opened on
    its date), in the same transaction, and ticked as addressed; nothing typed in the session
    is lost on the way. Nothing is asked until the box is ticked or a field filled in; then the
    rules of a goal (``goals.services.check_goal``) apply."""

    wanted = BooleanField("Set a new goal with this session")
    # Any value is checked by the rules of a goal, and only when a goal is asked for.
    domain = EnumSelectField(
        "Domain of the new goal",
        enum_cls=GoalDomain,
        blank="Choose a domain",
        validate_choice=False,
    )
    description = TextAreaField(
        "New goal",
        filters=[strip_filter],
        validators=[Length(max=MAX_DESCRIPTION)],
        description="In the client's words, if you can.",
    )
    target_date = DateField(
        "Aim to reach it by", validators=[Optional(), DateRange(years_ahead=10)]
    )

    def asked(self) -> bool:
        """Whether a goal is asked for: the box ticked, or anything typed or chosen in its
        fields (a refused date counts), so nothing typed there is ever dropped unseen."""
        return bool(self.wanted.data) or any(
            (field.raw_data or [""])[0].strip() for field in self if field is not self.wanted
        )

    def goal_data(self, opened_on) -> dict:
        """The values ``services.create_goal`` takes; the goal opens on ``opened_on``."""
        return {
            "domain": self.domain.data or None,
            "description": self.description.data or "",
            "target_date": self.target_date.data,
            "opened_on": opened_on,
        }
