"""The merge form: which record is the duplicate, whose value each field keeps, and a
confirmation. Its radio fields are made from ``services.KEEP_FIELDS`` (``merge_form``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField
from wtforms.validators import ValidationError

from coachapp.forms import HiddenWithoutIds
from coachapp.merges import services

LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "okay_to_call": "Okay to call",
    "okay_to_text": "Okay to text",
    "notes": "Notes",
    "support_person": "Sponsor or mentor",
    "support_person_since": "Sponsor or mentor since",
    "consent_on_file": "Consent on file",
    "consent_date": "Consent date",
    "payer": "Payer",
    "member_id": "Member id",
    "diagnosis_code": "Diagnosis code",
    "gender_identity": "Gender identity",
    "race_ethnicity": "Race and ethnicity",
    "veteran_status": "Veteran status",
    "primary_substance": "Primary substance",
    "insurance": "Insurance",
    "referral_source": "Referral source",
}
CHOICES = [(services.SURVIVOR, "Keep this record's"), (services.DUPLICATE, "Take the duplicate's")]


class MergeForm(FlaskForm):
    duplicate_id = SelectField("The duplicate record", coerce=int, validate_choice=True)
    # The record the comparison on the page was made with: a merge needs the one chosen.
    compared_id = HiddenField()
    confirm = BooleanField(
        "I compared both records: move everything of the duplicate into this one"
    )
    compare = SubmitField("Compare")
    merge = SubmitField("Merge")

    def keep_fields(self):
        return [getattr(self, f"keep_{name}") for name in services.KEEP_FIELDS]

    def keep(self) -> dict[str, str]:
        return {
            name: getattr(self, f"keep_{name}").data or services.SURVIVOR
            for name in services.KEEP_FIELDS
        }

    def validate_confirm(self, field) -> None:
        if self.merge.data and not field.data:
            raise ValidationError("Tick the box to confirm the merge.")


for _name in services.KEEP_FIELDS:
    setattr(
        MergeForm,
        f"keep_{_name}",
        RadioField(LABELS[_name], choices=CHOICES, default=services.SURVIVOR),
    )


class UndoForm(HiddenWithoutIds, FlaskForm):
    """Carries the CSRF token of one merge's Undo button."""

    submit = SubmitField("Undo this merge")


class DismissForm(HiddenWithoutIds, FlaskForm):
    """ "Not a duplicate" for one pair of the finder's list."""

    first_id = HiddenField()
    second_id = HiddenField()
    submit = SubmitField("Not a duplicate")
