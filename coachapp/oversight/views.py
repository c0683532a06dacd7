from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coachapp import access, audit, spreadsheets
from coachapp.auth.forms import EmptyForm
from coachapp.extensions import db
from coachapp.models import AuditEvent, BreakGlassAccess, Client, Program, User
from coachapp.models.enums import AuditAction, Role
from coachapp.oversight import bp, queries, services
from coachapp.oversight.forms import BreakGlassForm

ACTIONS = [a.value for a in AuditAction]


def _filters() -> tuple[dict, list[str]]:
    """Audit filters from the query string; bad values are named, not fatal."""
    args, problems, filters = request.args, [], {}
    if args.get("user_id"):
        filters["user_id"] = args.get("user_id", type=int)
        if filters["user_id"] is None:
            problems.append("User: choose one from the list.")
    if args.get("client"):
        code = args["client"].strip()[:20]
        client_id = db.session.scalar(select(Client.id).where(Client.code == code.upper()))
        filters["client_id"] = client_id if client_id is not None else -1
    if args.get("action"):
        if args["action"] in ACTIONS:
            filters["action"] = args["action"]
        else:
            problems.append("Action: choose one from the list.")
    for key in ("start", "end"):
        if args.get(key):
            try:
                filters[key] = date.fromisoformat(args[key])
            except ValueError:
                problems.append(f"{key.title()}: use a date like 2026-03-31.")
    return filters, problems


@bp.route("/oversight/audit")
@access.roles(Role.PROGRAM_MANAGER, Role.ADMIN)
def audit_log():
    filters, problems = _filters()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    query = queries.filtered_events(current_user, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.add_columns(User.name, Client.code)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .limit(100)
        .offset((page - 1) * 100)
    ).all()
    staff = db.session.scalars(queries.staff_of(current_user)).all()
    return render_template(
        "oversight/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // 100)),
        staff=staff,
        actions=ACTIONS,
        args=request.args,
        problems=problems,
    ), (422 if problems else 200)


@bp.route("/oversight/audit.csv")
@access.roles(Role.PROGRAM_MANAGER, Role.ADMIN)
def audit_export():
    """The filtered trail as CSV, streamed; the export itself is an audit event."""
    filters, problems = _filters()
    if problems:
        abort(400)
    audit.record(AuditAction.EXPORT, actor=current_user, detail="audit trail csv")
    db.session.commit()
    query = (
        queries.filtered_events(current_user, **filters)
        .add_columns(User.email, Client.code)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .execution_options(yield_per=1000)
    )
    header = [
        "occurred_at",
        "user_id",
        "user_email",
        "action",
        "entity_type",
        "entity_id",
        "client_id",
        "client_code",
        "ip_address",
        "fields",
        "detail",
    ]

    def rows():
        for event, email, code in db.session.execute(query):
            yield [
                event.occurred_at.isoformat(),
                event.user_id,
                email,
                event.action,
                event.entity_type,
                event.entity_id,
                event.client_id,
                code,
                event.ip_address,
                event.fields,
                event.detail,
            ]

    return spreadsheets.csv_response(header, rows(), "audit-trail.csv")


@bp.route("/oversight/break-glass", methods=["GET", "POST"])
@access.roles(Role.ADMIN)
def break_glass():
    form = BreakGlassForm()
    form.program_id.choices = [
        (p.id, p.name) for p in db.session.scalars(select(Program).order_by(Program.name))
    ]
    if form.validate_on_submit():
        client = db.session.scalar(
            select(Client).where(
                Client.program_id == form.program_id.data,
                Client.code == form.code.data.upper(),
                Client.archived_at.is_(None),
            )
        )
        if client is None:
            form.code.errors.append("No client with that code in this program.")
        else:
            services.break_glass(client, reason=form.reason.data, actor=current_user)
            db.session.commit()
            flash(
                f"Access to {client.code} for {services.BREAK_GLASS_HOURS} hours, logged for "
                "review.",
                "warning",
            )
            return redirect(url_for("clients.detail", client_id=client.id))
    status = 422 if request.method == "POST" else 200
    return render_template("oversight/break_glass.html", form=form), status


@bp.route("/oversight/break-glass/review")
@access.roles(Role.PROGRAM_MANAGER, Role.ADMIN)
def break_glass_review():
    grants = db.session.scalars(
        queries.visible_break_glass(current_user)
        .options(selectinload(BreakGlassAccess.user), selectinload(BreakGlassAccess.client))
        .limit(500)
    ).all()
    return render_template("oversight/review.html", grants=grants, form=EmptyForm())


@bp.route("/oversight/break-glass/<int:grant_id>/reviewed", methods=["POST"])
@access.roles(Role.PROGRAM_MANAGER)
def mark_reviewed(grant_id: int):
    grant = db.one_or_404(
        queries.visible_break_glass(current_user).where(BreakGlassAccess.id == grant_id)
    )
    if EmptyForm().validate_on_submit() and grant.reviewed_at is None:
        services.mark_reviewed(grant, actor=current_user)
        db.session.commit()
        flash("Marked as reviewed.", "success")
    return redirect(url_for("oversight.break_glass_review"))
