"""Forms of referrals: refer a client, move a referral through its statuses, edit its notes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from coachapp.forms import (
    MAX_TEXT,
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    Length,
    NotInFuture,
    TextAreaField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.models.enums import ReferralStatus
from coachapp.resources.queries import parse_id


class ReferralForm(FlaskForm):
    """Refer a client to a directory resource."""

    resource_id = SelectField("Resource", validate_choice=False)
    referred_on = DateField("Referred on", validators=[InputRequired(), DateRange()])
    status = EnumSelectField("Status", enum_cls=ReferralStatus, default=ReferralStatus.REFERRED)
    connected_on = DateField(
        "Connected on",
        validators=[Optional(), DateRange()],
        description="Needed when the status is connected.",
    )
    closed_on = DateField(
        "Closed on",
        validators=[Optional(), DateRange()],
        description="Needed when the client declined or was not connected.",
    )
    notes = TextAreaField(
        "Notes", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )

    def __init__(self, *args, resources=(), today_func=None, lookup=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup
        self.resource = None
        self.resource_id.choices = select_choices([("", "Choose a resource")]) + [
            resource_choice(r) for r in resources
        ]
        if today_func is not None:
            for field in (self.referred_on, self.connected_on, self.closed_on):
                field.validators = [*field.validators, NotInFuture(today_func)]

    def validate_resource_id(self, field) -> None:
        resource = self.lookup(parse_id(field.data)) if self.lookup else None
        if resource is None:
            raise ValidationError("Choose an active resource from the list.")
        self.resource = resource


def resource_choice(resource) -> SelectChoice:
    """One option of a resource select, in an optgroup per category."""
    label = resource.name
    if resource.organization is not None:
        label += f" ({resource.organization.name})"
    return SelectChoice(
        value=str(resource.id),
        label=label,
        optgroup=resource.category.replace("_", " ").capitalize(),
    )


class StatusForm(VersionForm):
    """Move a referral to a new status, with the date it happened."""

    status = EnumSelectField(
        "New status",
        enum_cls=ReferralStatus,
        blank="Choose a status",
        validators=[InputRequired(message="Choose a status.")],
    )
    changed_on = DateField(
        "On",
        validators=[InputRequired(), DateRange()],
        description="The day the client was connected, declined or the referral was closed.",
    )

    def __init__(self, *args, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        if today_func is not None:
            self.changed_on.validators = [*self.changed_on.validators, NotInFuture(today_func)]


class NotesForm(VersionForm):
    notes = TextAreaField(
        "Notes", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )
