from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from coachapp import access
from coachapp.auth import bp
from coachapp.auth.forms import ChangePasswordForm, EmptyForm, LoginForm, TokenForm
from coachapp.auth.services import (
    AccountLocked,
    authenticate,
    change_password,
    check_password_change,
    sign_out_everywhere,
)
from coachapp.auth.tokens import create_token, revoke_token, tokens_of
from coachapp.extensions import db, limiter
from coachapp.forms import validate_in_one_pass
from coachapp.models import ApiToken
from coachapp.web import safe_next


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if session.pop("expired", False):
        flash("Your session ended after a period of inactivity. Please sign in again.", "info")
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AccountLocked:
            user = None
            minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
            form.password.errors.append(
                f"Too many failed attempts with this email. Wait {minutes} minutes and try again."
            )
        db.session.commit()
        if user is None:
            if not form.password.errors:
                form.password.errors.append(
                    "Email or password is not right, or the account is off."
                )
        else:
            session.clear()
            login_user(user)
            now = time.time()
            session["auth_at"] = now
            session["seen_at"] = now
            session.permanent = True
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access.signed_in
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        sign_out_everywhere(current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@access.signed_in
def profile():
    """Who I am, my password, and my API tokens (shown once when created)."""
    user = current_user._get_current_object()
    password_form = ChangePasswordForm(prefix="pw")
    token_form = TokenForm(prefix="tok")
    new_token = None
    status = 200

    def password_rules() -> None:
        check_password_change(
            user,
            None if password_form.current_password.errors else password_form.current_password.data,
            None if password_form.new_password.errors else password_form.new_password.data,
        )

    if password_form.submit.data and validate_in_one_pass(password_form, password_rules):
        problem = change_password(
            user, password_form.current_password.data, password_form.new_password.data
        )
        if problem:
            field, _, message = problem.partition(":")
            getattr(password_form, field).errors.append(message)
            status = 422
        else:
            db.session.commit()
            # Every other browser is signed out; this one carries on with the new version.
            login_user(user)
            flash("Password changed. You are signed out everywhere else.", "success")
            return redirect(url_for("auth.profile"))
    elif token_form.submit.data and token_form.validate_on_submit():
        new_token, _row = create_token(user, token_form.name.data)
        db.session.commit()
        token_form = TokenForm(prefix="tok", formdata=None)
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/profile.html",
        password_form=password_form,
        token_form=token_form,
        tokens=tokens_of(user),
        new_token=new_token,
        revoke_form=EmptyForm(),
    ), status


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@access.signed_in
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        revoke_token(token, actor=current_user)
        db.session.commit()
        flash(f"Token {token.prefix}… revoked.", "success")
    return redirect(url_for("auth.profile"))
