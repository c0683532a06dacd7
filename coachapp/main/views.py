from __future__ import annotations

from flask import current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import func, select

from coachapp import access
from coachapp.extensions import db, limiter
from coachapp.main import bp
from coachapp.models import Client, Program, User
from coachapp.models.enums import ClientStatus, Role


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
    context: dict = {}
    if user.role in (Role.COACH, Role.SUPERVISOR):
        visible = access.visible_clients(user).subquery()
        context["client_counts"] = dict(
            db.session.execute(
                select(visible.c.status, func.count()).group_by(visible.c.status)
            ).all()
        )
    if user.role == Role.SUPERVISOR:
        context["coaches"] = db.session.scalars(
            select(User).where(User.supervisor_id == user.id).order_by(User.name)
        ).all()
    if user.role in (Role.PROGRAM_MANAGER, Role.ADMIN):
        program_filter = (
            Client.program_id == user.program_id if user.role == Role.PROGRAM_MANAGER else True
        )
        context["active_clients"] = db.session.scalar(
            select(func.count(Client.id)).where(
                program_filter,
                Client.status == ClientStatus.ACTIVE,
                Client.archived_at.is_(None),
                Client.merged_into_id.is_(None),
            )
        )
        staff = select(User.role, func.count(User.id)).where(User.active.is_(True))
        if user.role == Role.PROGRAM_MANAGER:
            staff = staff.where(User.program_id == user.program_id)
        context["staff_counts"] = dict(db.session.execute(staff.group_by(User.role)).all())
    if user.role == Role.ADMIN:
        context["programs"] = db.session.scalars(select(Program).order_by(Program.name)).all()
    return render_template("main/home.html", **context)
