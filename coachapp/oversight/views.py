from __future__ import annotations

from datetime import date, datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, audit, spreadsheets, web
from coachapp.extensions import db
from coachapp.forms import EmptyForm
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
        client_id = queries.client_id_by_code(code)
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
    total, rows = queries.events_page(current_user, page, **filters)
    staff = queries.staff_list(current_user)
    return render_template(
        "oversight/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.EVENTS_PER_PAGE)),
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
        for event, email, code in queries.export_rows(current_user, **filters):
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
    form.program_id.choices = queries.program_choices()
    if form.validate_on_submit():
        client = queries.live_client_by_code(form.program_id.data, form.code.data)
        if client is None:
            form.code.errors.append("No client with that code in this program.")
        else:
            services.break_glass(client, reason=form.reason.data, actor=current_user)
            db.session.commit()
            duration = services.duration_text(client.program.break_glass_minutes)
            flash(f"Access to {client.code} for {duration}, logged for review.", "warning")
            return web.client_page(client)
    durations = [(name, services.duration_text(m)) for name, m in queries.program_durations()]
    return web.form_page("oversight/break_glass.html", form, durations=durations)


@bp.route("/oversight/break-glass/review")
@access.roles(Role.PROGRAM_MANAGER, Role.ADMIN)
def break_glass_review():
    grants = queries.break_glass_list(current_user)
    now = datetime.now(timezone.utc)  # the state of each access as of this view
    rows = [(grant, services.is_open(grant, now)) for grant in grants]
    return render_template("oversight/review.html", rows=rows, form=EmptyForm())


@bp.route("/oversight/break-glass/<int:grant_id>/reviewed", methods=["POST"])
@access.roles(Role.PROGRAM_MANAGER)
def mark_reviewed(grant_id: int):
    grant = queries.break_glass_or_404(current_user, grant_id)
    if EmptyForm().validate_on_submit() and grant.reviewed_at is None:
        services.mark_reviewed(grant, actor=current_user)
        db.session.commit()
        flash("Marked as reviewed.", "success")
    return redirect(url_for("oversight.break_glass_review"))
