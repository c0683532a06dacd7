from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Optional, Regexp

from coachapp.forms import (
    MAX_TEXT,
    DateRange,
    EnumSelectField,
    Length,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.limits import ICD10_PATTERN, MEMBER_ID_MAX, PAYER_MAX
from coachapp.models.enums import ClientStatus, DischargeReason
from coachapp.profiles.forms import intake_status_field


def upper_filter(value):
    return value.upper() if isinstance(value, str) else value


class ClientDetailsForm(VersionForm):
    """The person: names, birth date, contact and consent. Shared by intake and edit.

    The forms read the input; the rules of a client's dates (none in the future, a discharge
    after the intake...) and of consent are ``clients.services``', whose refusals the views
    show beside these fields.
    """

    first_name = StringField(
        "First name", filters=[strip_filter], validators=[DataRequired(), Length(max=100)]
    )
    last_name = StringField(
        "Last name", filters=[strip_filter], validators=[DataRequired(), Length(max=100)]
    )
    preferred_name = StringField(
        "Preferred name", filters=[strip_filter, none_if_empty], validators=[Length(max=100)]
    )
    date_of_birth = DateField("Date of birth", validators=[Optional(), DateRange()])
    phone = StringField("Phone", filters=[strip_filter, none_if_empty], validators=[Length(max=40)])
    okay_to_call = BooleanField("Okay to call")
    okay_to_text = BooleanField("Okay to text")
    email = EmailField(
        "Email",
        filters=[strip_filter, none_if_empty],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    address = TextAreaField(
        "Address", filters=[strip_filter, none_if_empty], validators=[Length(max=500)]
    )
    consent_on_file = BooleanField("42 CFR Part 2 consent on file")
    consent_date = DateField("Consent signed on", validators=[Optional(), DateRange()])
    notes = TextAreaField(
        "Notes", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )
    payer = StringField(
        "Payer",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=PAYER_MAX)],
        description="Who pays for the client's peer support, e.g. the state's Medicaid plan.",
    )
    member_id = StringField(
        "Member id",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MEMBER_ID_MAX)],
        description="The payer's id of the client (kept encrypted).",
        render_kw={"autocomplete": "off"},
    )
    diagnosis_code = StringField(
        "Diagnosis code (ICD-10)",
        filters=[strip_filter, upper_filter, none_if_empty],
        validators=[
            Optional(),
            Regexp(ICD10_PATTERN, message="An ICD-10 code looks like F11.20."),
        ],
        description="Optional, e.g. F11.20.",
    )


class IntakeForm(ClientDetailsForm):
    intake_date = DateField("Intake date", validators=[InputRequired(), DateRange()])
    coach_id = SelectField("Coach", coerce=int, validate_choice=True)
    confirm_duplicate = BooleanField("This is a different person: add them anyway")
    # Optional: recorded as the first rows of the client's housing and employment history.
    housing_status = intake_status_field(
        "housing", "Housing at intake", "Where they are staying now (HUD HMIS living situation)."
    )
    employment_status = intake_status_field(
        "employment", "Employment at intake", "Their work situation now."
    )


class EditClientForm(ClientDetailsForm):
    status = SelectField(
        "Status",
        choices=select_choices(
            [(ClientStatus.ACTIVE.value, "Active"), (ClientStatus.INACTIVE.value, "Inactive")]
        ),
        description="Discharge has its own form.",
    )


class DischargeForm(VersionForm):
    discharge_date = DateField("Discharge date", validators=[InputRequired(), DateRange()])
    discharge_reason = EnumSelectField(
        "Reason", enum_cls=DischargeReason, blank="Choose a reason", validators=[DataRequired()]
    )
    discharge_note = TextAreaField(
        "Note", filters=[strip_filter, none_if_empty], validators=[Length(max=2000)]
    )


class ReenrollForm(VersionForm):
    intake_date = DateField("New intake date", validators=[InputRequired(), DateRange()])


class ConfirmForm(FlaskForm):
    """CSRF only."""
