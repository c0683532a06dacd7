from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from coachapp.consents import categories, statements
from coachapp.forms import DateRange, HiddenWithoutIds, Length, strip_filter
from coachapp.models.enums import ConsentType


class ConsentForm(FlaskForm):
    consent_type = RadioField(
        "Kind of consent",
        choices=[
            SelectChoice(ConsentType.SPECIFIC.value, "To one named recipient, for one purpose"),
            SelectChoice(
                ConsentType.TPO.value,
                "For treatment, payment and health care operations (TPO, 42 CFR 2.33(b))",
            ),
        ],
        # Not sent (an older form): a specific consent, as before TPO consents existed.
        default=ConsentType.SPECIFIC.value,
    )
    recipient = StringField(
        "Recipient (who may receive the information)",
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=200)],
        description="A named person or organisation. For a TPO consent it may be a class, for "
        f"example: {statements.TPO_RECIPIENT_SUGGESTION}.",
        render_kw={"list": "recipient-suggestions"},
    )
    purpose = TextAreaField(
        "Purpose of the disclosure",
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=2000)],
    )
    categories = SelectMultipleField(
        "What may be disclosed",
        choices=[
            SelectChoice(c.value, label) for c, (label, _hint) in categories.CATEGORIES.items()
        ],
    )
    information_disclosed = TextAreaField(
        "Anything else (free text)",
        filters=[strip_filter],
        validators=[Optional(), Length(max=2000)],
        description="Printed on the summary as the client's words; it carries no records.",
    )
    signed_on = DateField("Signed on", validators=[InputRequired(), DateRange(years_ahead=0)])
    expires_on = DateField("Expires on", validators=[Optional(), DateRange(years_ahead=10)])
    statements_given = BooleanField(
        "I gave the client the statements above and went through them together"
    )

    def validate_expires_on(self, field) -> None:
        if field.data and self.signed_on.data and field.data < self.signed_on.data:
            raise ValidationError("A consent cannot expire before it is signed.")

    def consent_data(self) -> dict:
        return {
            "consent_type": self.consent_type.data,
            "recipient": self.recipient.data,
            "purpose": self.purpose.data,
            "categories": list(self.categories.data or []),
            "information_disclosed": self.information_disclosed.data or "",
            "signed_on": self.signed_on.data,
            "expires_on": self.expires_on.data,
            "statements_given": bool(self.statements_given.data),
        }


class RevokeForm(HiddenWithoutIds, FlaskForm):
    revoked_on = DateField("Revoked on", validators=[InputRequired(), DateRange(years_ahead=0)])
