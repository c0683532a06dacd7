"""Forms of referrals: refer a client, move a referral through its statuses, edit its notes.

The forms read the input; the rules of a referral (an active resource of the directory, dates
that have come and not before the referral, the date each status needs) are
``referrals.services``', whose refusals the views show beside these fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from coachapp.forms import (
    MAX_TEXT,
    DateField,
    DateRange,
    EnumSelectField,
    InputRequired,
    Length,
    TextAreaField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.models.base import parse_id
from coachapp.models.enums import ReferralStatus
from coachapp.referrals import services


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

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_id.choices = select_choices([("", "Choose a resource")]) + [
            resource_choice(r) for r in resources
        ]

    def referral_data(self) -> dict:
        """The values ``services.create_referral`` takes (``resource_id`` None when the input
        is no id at all: the services refuse it like an unknown one)."""
        return {
            "resource_id": parse_id(self.resource_id.data),
            "referred_on": self.referred_on.data,
            "status": self.status.data,
            "connected_on": self.connected_on.data,
            "closed_on": self.closed_on.data,
            "notes": self.notes.data,
        }


def referral_rules(form: ReferralForm, client):
    """The services' rules of a new referral, all of them at once (see
    ``coachapp.forms.validate_in_one_pass``): ``services.create_referral`` stops at the first
    refusal; this asks each rule in turn so the page shows every problem together. A field the
    form refused (its value None) is skipped here."""

    def check() -> None:
        data = form.referral_data()
        problems: dict[str, str] = {}

        def ask(rule, *args, **kwargs) -> None:
            try:
                rule(*args, **kwargs)
            except services.ReferralRuleError as exc:
                for name, message in exc.errors.items():
                    problems.setdefault(name, message)

        ask(services.referable_resource, client, data["resource_id"])
        referred_on = data["referred_on"]
        if referred_on is not None:
            ask(services._check_happened, "referred_on", referred_on, client=client)
        status = data["status"]
        if status in set(ReferralStatus):
            ask(services.check_dates_fit_status, status, data)
            needed = services.date_field(status)
            if needed is not None and needed not in problems:
                on = data[needed]
                if on is None:
                    problems[needed] = (
                        services.CONNECTED_ON_NEEDED
                        if needed == "connected_on"
                        else "Give the date the referral was closed."
                    )
                else:
                    ask(
                        services._check_happened,
                        needed,
                        on,
                        client=client,
                        not_before=referred_on,
                    )
        if problems:
            raise services.ReferralRuleError(problems)

    return check


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


class NotesForm(VersionForm):
    notes = TextAreaField(
        "Notes", filters=[strip_filter, none_if_empty], validators=[Length(max=MAX_TEXT)]
    )
