"""Billing forms: a program's billing settings version, and the worksheet's month picker."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from coachapp.billing.services import SETTING_FIELDS, BillingRuleError, setting_problems
from coachapp.forms import Length, strip_filter
from coachapp.limits import MAX_UNITS, PAYER_MAX


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class SettingForm(FlaskForm):
    """One version of a program's billing settings, in force from ``effective_from`` on."""

    effective_from = DateField(
        "In force from",
        validators=[DataRequired(message="Give the date the settings apply from.")],
        description="A version already starting on this date is replaced.",
    )
    payer = StringField(
        "Payer",
        filters=[strip_filter],
        validators=[DataRequired(message="Name the payer."), Length(max=PAYER_MAX)],
    )
    code = StringField(
        "Procedure code",
        filters=[_upper],
        default="H0038",
        validators=[DataRequired(message="Give the HCPCS code, e.g. H0038.")],
        description="HCPCS: a letter and four digits (H0038: peer services, per 15 minutes).",
    )
    group_modifier = StringField(
        "Group modifier", filters=[_upper], description="Two letters or digits, e.g. HQ."
    )
    telehealth_modifier = StringField(
        "Telehealth modifier",
        filters=[_upper],
        description="For place of service 02 or 10, e.g. 95 or GT.",
    )
    unit_minutes = IntegerField(
        "Unit length (minutes)",
        default=15,
        validators=[
            DataRequired(message="Give the unit's length."),
            NumberRange(min=1, max=240, message="A unit lasts 1 to 240 minutes."),
        ],
    )
    first_unit_minutes = IntegerField(
        "Minutes for the first unit",
        default=8,
        validators=[
            DataRequired(message="Give the minutes the first unit needs."),
            NumberRange(min=1, max=240, message="1 to 240 minutes."),
        ],
    )
    next_unit_minutes = IntegerField(
        "Minutes for each further unit",
        default=8,
        validators=[
            DataRequired(message="Give the minutes each further unit needs."),
            NumberRange(min=1, max=240, message="1 to 240 minutes."),
        ],
        description="Past the last whole unit (8/8 with 15-minute units: 8-22 min = 1 unit, "
        "23-37 = 2).",
    )
    daily_cap_units = IntegerField(
        "Daily cap (units per client)",
        validators=[Optional(), NumberRange(min=1, max=MAX_UNITS, message="A positive number.")],
    )
    monthly_cap_units = IntegerField(
        "Monthly cap (units per client)",
        validators=[Optional(), NumberRange(min=1, max=MAX_UNITS, message="A positive number.")],
    )
    cosign_required = BooleanField("A supervisor's co-signature is needed before billing")

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in SETTING_FIELDS}

    def rule_check(self) -> None:
        """The services' rules beside the fields, skipping fields the form refused already."""
        problems = {
            name: message
            for name, message in setting_problems(self.data_for_service()).items()
            if not getattr(self, name).errors and getattr(self, name).data is not None
        }
        if problems:
            raise BillingRuleError(problems)
