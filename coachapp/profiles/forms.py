"""Forms of the client profile: the demographics, a change of housing or employment status."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import Choice, SelectChoice

from coachapp.forms import (
    DateField,
    DateRange,
    HiddenWithoutIds,
    InputRequired,
    NotInFuture,
    RequiredSelectField,
    VersionForm,
)
from coachapp.models.enums import (
    GenderIdentity,
    Insurance,
    PrimarySubstance,
    RaceEthnicity,
    ReferralSource,
    StatusKind,
    VeteranStatus,
)
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS, STATUS_VALUES
from coachapp.profiles.labels import FIELD_LABELS, NOT_ASKED, choices, housing_groups


def status_choices(kind: str, *, blank: str | None = None) -> list[SelectChoice]:
    """The statuses of ``kind`` as a select's choices: housing grouped by HMIS group
    (optgroups), employment as a plain list; ``blank`` first when given (value "")."""
    found = [SelectChoice("", blank)] if blank is not None else []
    if kind == StatusKind.HOUSING:
        for group, pairs in housing_groups().items():
            found += [SelectChoice(value, label, optgroup=group) for value, label in pairs]
    else:
        found += [SelectChoice(value, label) for value, label in choices(STATUS_VALUES[kind])]
    return found


def _demographic(name: str, enum_cls: type) -> SelectField:
    return SelectField(
        FIELD_LABELS[name],
        choices=[SelectChoice("", NOT_ASKED)]
        + [SelectChoice(value, label) for value, label in choices(enum_cls)],
        default="",
    )


class ProfileForm(VersionForm):
    """The intake demographics, each optional: empty is "Not asked yet", "Declined to answer"
    is the last choice of each list. ``version`` is the profile's (0 before the first save)."""

    gender_identity = _demographic("gender_identity", GenderIdentity)
    race_ethnicity = _demographic("race_ethnicity", RaceEthnicity)
    veteran_status = _demographic("veteran_status", VeteranStatus)
    primary_substance = _demographic("primary_substance", PrimarySubstance)
    insurance = _demographic("insurance", Insurance)
    referral_source = _demographic("referral_source", ReferralSource)

    def data_values(self) -> dict[str, str | None]:
        """The fields as the services take them: "" (not asked yet) is None."""
        return {name: getattr(self, name).data or None for name in DEMOGRAPHIC_FIELDS}


class StatusSelectField(RequiredSelectField):
    """A required select whose "Choose…" placeholder shows with optgroups too."""

    def iter_groups(self):
        placeholder = Choice("", self.placeholder, selected=self.data is None, render_kw={})
        return [(None, [placeholder]), *super().iter_groups()]


class StatusForm(HiddenWithoutIds, FlaskForm):
    """A change of housing or employment status, as of a day (today by default, never in the
    future). Two share the profile page: build with ``prefix=kind``."""

    status = StatusSelectField("New status", message="Choose the status.")
    as_of = DateField("As of", validators=[InputRequired(), DateRange()])

    def __init__(self, *args, kind: str, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.status.choices = status_choices(kind)
        if today_func is not None:
            self.as_of.validators = [*self.as_of.validators, NotInFuture(today_func)]


def intake_status_field(kind: str, label: str, description: str) -> SelectField:
    """An optional status select for the intake form ("Not recorded" first)."""
    return SelectField(
        label,
        choices=status_choices(kind, blank="Not recorded"),
        default="",
        description=description,
    )
