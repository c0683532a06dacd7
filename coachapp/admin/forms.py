"""Admin forms: users, passwords, programs and teams.

The forms check the shape of what was posted (lengths, enumerations, known choices); the rules
that need the database (unique email, supervisor of the same program, ...) live in
``coachapp.admin.services`` so every caller gets them, and the view puts their messages beside
the fields.
"""

from __future__ import annotations

import calendar
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional, ValidationError

from coachapp.admin.services import (
    break_glass_minutes_problem,
    fiscal_month_problem,
    timezone_problem,
)
from coachapp.auth.passwords import MIN_LENGTH as PASSWORD_MIN_LENGTH
from coachapp.forms import EnumSelectField, Length, strip_filter
from coachapp.limits import CREDENTIAL_MAX
from coachapp.models.enums import Role

PASSWORD_HELP = (
    f"At least {PASSWORD_MIN_LENGTH} characters; common passwords are refused. "
    "Give it to the person by a safe route; they can change it on their profile page."
)


def program_choices(programs, *, blank: str) -> list[SelectChoice]:
    return [SelectChoice(value="", label=blank)] + [
        SelectChoice(value=str(p.id), label=p.name) for p in programs
    ]


def optional_id(value) -> int | None:
    """Coerce a select's value: empty means none; anything not a number is a field error."""
    if value is None or value == "":
        return None
    return int(value)


def id_select(label: str, **kwargs) -> SelectField:
    """A select of database ids with a blank "none" choice; unknown ids are a field error.
    (A plain ``SelectField``, so the shared macro styles it as a select.)"""
    return SelectField(label, coerce=optional_id, validate_choice=True, **kwargs)


class ServiceErrorsForm(FlaskForm):
    """A form of the admin pages: the services' refusals (``AdminRuleError.errors``) are added
    beside their fields, after any message of the form's own, or above the form
    (``web.saving`` calls this)."""

    def show_rule_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class UserDetailsForm(ServiceErrorsForm):
    """What an admin may change about a user (the email is fixed once the account exists)."""

    name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the person's name."), Length(max=200)],
    )
    role = EnumSelectField(
        "Role",
        enum_cls=Role,
        blank="Choose a role",
        validators=[DataRequired(message="Choose a role.")],
    )
    program_id = id_select(
        "Program",
        description="Required for coaches, supervisors, program managers and billing specialists.",
    )
    team_id = id_select("Team", description="Coaches and supervisors only.")
    credential = StringField(
        "Credential",
        filters=[strip_filter, lambda value: value or None],
        validators=[Optional(), Length(max=CREDENTIAL_MAX)],
        description="The credential notes and plans are signed with, e.g. CPRS (optional).",
    )
    supervisor_id = id_select(
        "Supervisor", description="Coaches only: a supervisor of the same program."
    )

    def set_choices(self, programs, teams, supervisors) -> None:
        """Fill the selects from model rows; teams and supervisors come grouped by program
        (sorted by program name, as ``queries.user_form_choices`` returns them)."""
        self.program_id.choices = program_choices(programs, blank="No program")
        self.team_id.choices = [SelectChoice(value="", label="No team")] + [
            SelectChoice(value=str(t.id), label=t.name, optgroup=t.program.name) for t in teams
        ]
        self.supervisor_id.choices = [SelectChoice(value="", label="No supervisor")] + [
            SelectChoice(
                value=str(s.id),
                label=s.name + ("" if s.active else " (deactivated)"),
                optgroup=s.program.name if s.program else "No program",
            )
            for s in supervisors
        ]

    def details(self) -> dict:
        return {
            "name": self.name.data,
            "role": self.role.data,
            "program_id": self.program_id.data,
            "team_id": self.team_id.data,
            "supervisor_id": self.supervisor_id.data,
            "credential": self.credential.data,
        }

    def checked_details(self) -> dict:
        """``details()`` for the services' checks run beside the form's own: a value the form
        refused (an id out of range, say) is None there, never looked up."""
        return {
            key: None if getattr(self, key).errors else value
            for key, value in self.details().items()
        }


class NewUserForm(UserDetailsForm):
    email = EmailField(
        "Email",
        filters=[strip_filter],
        validators=[
            DataRequired(message="Give an email address."),
            Length(max=254),
            Email(message="This is not an email address.", check_deliverability=False),
        ],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        "Initial password",
        # Length and commonness are checked by the service (auth.passwords.password_problem).
        validators=[DataRequired(message="Give an initial password.")],
        render_kw={"autocomplete": "new-password"},
        description=PASSWORD_HELP,
    )


class EditUserForm(UserDetailsForm):
    # A fingerprint of the editable fields as the admin saw them: users carry no version
    # column, so a concurrent change is caught by comparing this instead.
    stamp = HiddenField()


class PasswordResetForm(ServiceErrorsForm):
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(message="Give the new password.")],
        render_kw={"autocomplete": "new-password"},
        description=PASSWORD_HELP + " Every session of this user ends.",
    )


class ActionForm(FlaskForm):
    """CSRF only, for POST buttons (deactivate, reactivate)."""


def timezone_names() -> list[str]:
    return sorted(available_timezones())


class TimezoneName:
    """An IANA zone name that ``zoneinfo`` can load (``services.timezone_problem``)."""

    def __call__(self, form, field):
        problem = timezone_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def _month_number(value) -> int:
    """A posted month as a number; 0 (refused by the form's check) when it is not one."""
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) <= 2 else 0


class ProgramForm(ServiceErrorsForm):
    name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the program a name."), Length(max=200)],
    )
    timezone = StringField(
        "Time zone",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the time zone."), Length(max=64), TimezoneName()],
        description="An IANA name such as America/New_York; start typing to see the list. "
        "Appointment times and every program date are read in this zone.",
        render_kw={"list": "timezones", "autocomplete": "off", "spellcheck": "false"},
    )
    # Not sent (an older client) keeps the program's month, January for a new program; anything
    # but 1-12 is a message beside the field, never a 500.
    fiscal_year_start_month = SelectField(
        "Fiscal year starts in",
        choices=[SelectChoice(value=n, label=calendar.month_name[n]) for n in range(1, 13)],
        coerce=_month_number,
        default=1,
        validate_choice=False,
        description="The report page names fiscal years and quarters from it: with October, "
        "FY2026 runs from 1 October 2025 to 30 September 2026.",
    )

    # Not sent (an older client): the program keeps its duration (120 for a new program).
    break_glass_minutes = IntegerField(
        "Break-the-glass access lasts (minutes)",
        validators=[Optional()],
        description="How long an admin's emergency access to one client record stays open: "
        "15 to 1440 minutes (24 hours).",
        render_kw={"min": 15, "max": 1440, "inputmode": "numeric"},
    )

    def validate_fiscal_year_start_month(self, field) -> None:
        problem = fiscal_month_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_break_glass_minutes(self, field) -> None:
        problem = break_glass_minutes_problem(field.data) if field.data is not None else None
        if problem:
            raise ValidationError(problem)


class NewTeamForm(ServiceErrorsForm):
    program_id = id_select("Program")
    name = StringField(
        "Team name",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the team a name."), Length(max=200)],
    )

    def validate_program_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Choose a program.")


class TeamNameForm(ServiceErrorsForm):
    name = StringField(
        "Team name",
        filters=[strip_filter],
        validators=[DataRequired(message="Give the team a name."), Length(max=200)],
    )
