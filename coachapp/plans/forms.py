"""Forms of recovery plans: edit a draft (with its action steps), sign it.

The forms read the input; the rules (goals of this client, a real PNG, the attestation of a
typed name) are ``plans.services``', whose refusals the views show beside these fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    widgets,
)
from wtforms.validators import Optional

from coachapp.forms import (
    DateField,
    DateRange,
    Length,
    StringField,
    TextAreaField,
    VersionForm,
    none_if_empty,
    select_choices,
    strip_filter,
)
from coachapp.limits import (
    MAX_PLAN_STEP,
    MAX_PLAN_STEPS,
    MAX_PLAN_WHO,
    MAX_SIGNATURE_BYTES,
    MAX_SIGNATURE_NAME,
    MAX_TEXT,
)
from coachapp.plans.services import ATTESTATION, SIGNERS


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Empty rows offered under a draft's steps for new ones (a row left empty is no step).
BLANK_STEPS = 2


class StepForm(Form):
    """One action step: what, who, by when; ``remove`` drops it on saving."""

    action = TextAreaField(
        "Action",
        filters=[strip_filter],
        validators=[Length(max=MAX_PLAN_STEP)],
        render_kw={"rows": 2},
    )
    who = StringField("Who", filters=[strip_filter], validators=[Length(max=MAX_PLAN_WHO)])
    due_on = DateField("By when", validators=[Optional(), DateRange(years_ahead=10)])
    remove = BooleanField("Remove this step")

    def is_blank(self) -> bool:
        return not (
            self.action.data or self.who.data or self.due_on.raw_data and self.due_on.raw_data[0]
        )


class PlanForm(VersionForm):
    """A draft's content. ``goals``: the goals the plan may name (the client's)."""

    strengths = TextAreaField(
        "Strengths",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_TEXT)],
        description="What the client brings: skills, values, people, past successes.",
    )
    barriers = TextAreaField(
        "Barriers",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_TEXT)],
        description="What stands in the way, in the client's words.",
    )
    goal_ids = CheckboxesField(
        "Goals of this plan",
        coerce=int,
        invalid_choice_message="Choose only this client's goals from the list.",
        invalid_value_message="Choose only this client's goals from the list.",
    )
    steps = FieldList(FormField(StepForm), min_entries=0, max_entries=MAX_PLAN_STEPS + BLANK_STEPS)
    supports = TextAreaField(
        "Supports",
        filters=[strip_filter, none_if_empty],
        validators=[Length(max=MAX_TEXT)],
        description="People, groups and services the client can lean on.",
    )
    review_on = DateField("Review by", validators=[Optional(), DateRange(years_ahead=10)])

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_ids.choices = select_choices(
            [
                (
                    g.id,
                    f"{g.domain.replace('_', ' ').capitalize()}: {g.description}"
                    + ("" if g.status == "active" else f" ({g.status})"),
                )
                for g in goals
            ]
        )

    def kept_steps(self) -> list[tuple[int, StepForm]]:
        """The rows that are steps: (row number, row), without the removed and blank ones."""
        return [
            (n, entry.form)
            for n, entry in enumerate(self.steps.entries)
            if not entry.form.remove.data and not entry.form.is_blank()
        ]

    def plan_data(self) -> dict:
        """The content as ``services.update_plan`` takes it."""
        return {
            "strengths": self.strengths.data,
            "barriers": self.barriers.data,
            "supports": self.supports.data,
            "review_on": self.review_on.data,
            "goal_ids": list(self.goal_ids.data or []),
            "steps": [
                {"action": row.action.data, "who": row.who.data, "due_on": row.due_on.data}
                for _, row in self.kept_steps()
            ],
        }

    def step_names(self) -> dict[str, str]:
        """The services' ``steps.<n>.<field>`` (n counts kept steps) -> this form's field."""
        names = {}
        for kept, (row, _) in enumerate(self.kept_steps()):
            for name in ("action", "who", "due_on"):
                names[f"steps.{kept}.{name}"] = f"steps-{row}-{name}"
        return names

    def show_rule_errors(self, errors) -> None:
        """A refusal beside its field; a step's beside that row's field."""
        rows = {f"steps-{n}": entry.form for n, entry in enumerate(self.steps.entries)}
        names = self.step_names()
        for name, message in errors.items():
            target = names.get(name, name)
            if target.startswith("steps-") and target.count("-") == 2:
                _, row, field_name = target.split("-")
                field = getattr(rows.get(f"steps-{row}"), field_name, None)
            else:
                field = getattr(self, target, None)
            if field is None or not hasattr(field, "errors"):
                if message not in self.form_errors:
                    self.form_errors.append(message)
            elif not field.errors:
                field.errors = [message]


class SignForm(VersionForm):
    """A signature: the signer, a drawing (PNG data URL from the pad) or a typed name with the
    attestation."""

    signer = RadioField(
        "Who signs",
        choices=select_choices([("client", "The client"), ("coach", "The coach (you)")]),
        validate_choice=False,  # the services say "say who signs" for anything else
    )
    image = HiddenField(
        "Drawn signature",
        filters=[none_if_empty],
        # The data URL is about 4/3 of the PNG; the services check the PNG itself.
        validators=[
            Length(
                max=(MAX_SIGNATURE_BYTES * 4) // 3 + 100,
                message="The drawing is too large; clear it and sign again.",
            )
        ],
    )
    typed_name = StringField(
        "Full name of the signer",
        filters=[strip_filter],
        validators=[Length(max=MAX_SIGNATURE_NAME)],
        description="Typed instead of drawn: the signer's full name.",
    )
    attested = BooleanField(ATTESTATION)

    def signature_data(self) -> dict:
        signer = self.signer.data if self.signer.data in SIGNERS else None
        return {
            "signer": signer,
            "typed_name": self.typed_name.data,
            "image": self.image.data,
            "attested": bool(self.attested.data),
        }


class StartPlanForm(FlaskForm):
    """Carries the CSRF token of "Start the plan" / "Start version N+1"."""
