from __future__ import annotations

from flask import current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from coachapp import access
from coachapp.extensions import limiter
from coachapp.main import bp, queries
from coachapp.models.enums import Role


@bp.route("/")
@access.public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/favicon.ico")
@access.public
@limiter.exempt
def favicon():
    """The site's icon, which browsers ask for at this address: no client data in it, so anyone
    may have it and keep it a day."""
    return send_from_directory(
        current_app.static_folder,
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )


@bp.route("/home")
@access.signed_in
def home():
    """Who you are and what you can do, per role; numbers come from the access rule's scope."""
    user = current_user
    if user.role == Role.COACH:
        return redirect(url_for("clients.index"))  # a coach's home is their caseload
    if user.role == Role.BILLING:
        return redirect(url_for("billing.index"))  # a billing specialist's is the worksheet
    context: dict = {}
    if user.role in (Role.COACH, Role.SUPERVISOR):
        context["client_counts"] = queries.client_counts(user)
    if user.role == Role.SUPERVISOR:
        context["coaches"] = queries.coaches_of(user)
    if user.role in (Role.PROGRAM_MANAGER, Role.ADMIN):
        context["active_clients"] = queries.active_client_count(user)
        context["staff_counts"] = queries.staff_counts(user)
    if user.role == Role.ADMIN:
        context["programs"] = queries.all_programs()
    return render_template("main/home.html", **context)
