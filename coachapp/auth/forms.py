from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo

# EmptyForm lives with the shared form pieces; named here too for the views that import it.
from coachapp.forms import EmptyForm, Length

__all__ = ["ChangePasswordForm", "EmptyForm", "LoginForm", "TokenForm"]


class LoginForm(FlaskForm):
    # A text input, not type=email: the sign-in name is the email address, and password managers
    # look for autocomplete="username", which HTML allows on a text input only. inputmode still
    # brings up the email keyboard on phones (the form is novalidate: the server checks).
    email = StringField(
        "Email",
        validators=[DataRequired(), Length(max=254)],
        render_kw={
            "autocomplete": "username",
            "inputmode": "email",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
        description="At least 12 characters. A few unrelated words make a good one.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two do not match.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Change password")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(), Length(max=100)],
        description="Say where it is used, e.g. 'county data warehouse'.",
    )
    submit = SubmitField("Create token")
