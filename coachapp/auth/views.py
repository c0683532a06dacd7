from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from coachapp import access
from coachapp.auth import bp
from coachapp.auth.forms import EmptyForm, LoginForm
from coachapp.auth.services import AccountLocked, authenticate, sign_out_everywhere
from coachapp.extensions import db, limiter


def safe_next(target: str | None) -> str | None:
    """``next`` only when it is a local path: never another host, never a scheme."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


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
