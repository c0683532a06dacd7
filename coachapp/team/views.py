"""The supervisor's team: dashboard, note sign-off, reassignment, cover and the access log."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coachapp import access, timeutil
from coachapp.clients.alerts import AlertContext, alert_columns
from coachapp.clients.queries import last_completed_contact
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    AuditEvent,
    Client,
    CoachingSession,
    CoveringAssignment,
    Referral,
    User,
)
from coachapp.models.enums import AppointmentOutcome, ClientStatus, Role
from coachapp.team import bp, queries, services
from coachapp.team.forms import CaseloadReassignForm, CoverForm, ReassignForm, SignOffForm

FIGURES = {
    "active": "Active clients",
    "quiet": "No completed contact in 14 days",
    "sessions": "Sessions this month",
    "appointments": "Appointments this month (attended or no-show)",
    "referrals": "Referrals waiting over 14 days",
    "notes": "Session notes waiting for review",
}


def _ctx() -> AlertContext:
    program = current_user.program
    return AlertContext(today=timeutil.local_today(program), now=timeutil.local_now(program))


def _team_coach_or_404(coach_id: int) -> User:
    coach = db.session.get(User, coach_id)
    if coach is None or coach.supervisor_id != current_user.id:
        abort(404)
    return coach


@bp.route("/team/")
@access.roles(Role.SUPERVISOR)
def dashboard():
    rows, start, end = queries.dashboard(current_user, _ctx())
    return render_template("team/dashboard.html", rows=rows, start=start, end=end)


@bp.route("/team/coaches/<int:coach_id>/<figure>")
@access.roles(Role.SUPERVISOR)
def figure(coach_id: int, figure: str):
    """The rows behind one number of the dashboard."""
    if figure not in FIGURES:
        abort(404)
    coach = _team_coach_or_404(coach_id)
    ctx = _ctx()
    start, end = queries.month_bounds(ctx.today)
    clients_of_coach = access.visible_clients(current_user).where(Client.coach_id == coach.id)
    items: list = []
    if figure == "active":
        # As the dashboard counts it: the coach's own active clients and those they cover.
        covered = queries.covered_client_pairs([coach.id]).subquery()
        covered_ids = select(covered.c.client_id)
        items = db.session.execute(
            access.visible_clients(current_user)
            .add_columns(last_completed_contact().label("last_contact"))
            .where(
                (Client.coach_id == coach.id) | Client.id.in_(covered_ids),
                Client.status == ClientStatus.ACTIVE,
            )
            .order_by(Client.last_name, Client.first_name)
        ).all()
    elif figure == "quiet":
        items = db.session.execute(
            clients_of_coach.add_columns(last_completed_contact().label("last_contact"))
            .where(alert_columns(ctx)["quiet"])
            .order_by(Client.last_name, Client.first_name)
        ).all()
    elif figure == "sessions":
        items = db.session.scalars(
            access.client_child_select(CoachingSession, current_user)
            .where(
                CoachingSession.client_id.in_(clients_of_coach.with_only_columns(Client.id)),
                CoachingSession.date.between(start, end),
            )
            .options(selectinload(CoachingSession.client))
            .order_by(CoachingSession.date.desc())
        ).all()
    elif figure == "appointments":
        from datetime import datetime, time

        items = db.session.scalars(
            access.client_child_select(Appointment, current_user)
            .where(
                Appointment.client_id.in_(clients_of_coach.with_only_columns(Client.id)),
                Appointment.outcome.in_([AppointmentOutcome.ATTENDED, AppointmentOutcome.NO_SHOW]),
                Appointment.scheduled_at >= datetime.combine(start, time.min),
                Appointment.scheduled_at < datetime.combine(end + timedelta(days=1), time.min),
            )
            .options(selectinload(Appointment.client))
            .order_by(Appointment.scheduled_at.desc())
        ).all()
    elif figure == "referrals":
        items = db.session.scalars(
            access.client_child_select(Referral, current_user)
            .where(
                Referral.client_id.in_(clients_of_coach.with_only_columns(Client.id)),
                queries.waiting_referral(ctx.today),
            )
            .options(selectinload(Referral.client), selectinload(Referral.resource))
            .order_by(Referral.referred_on)
        ).all()
    else:
        return redirect(url_for("team.reviews", coach_id=coach.id))
    g.client_data = True
    return render_template(
        "team/figure.html", coach=coach, figure=figure, title=FIGURES[figure], items=items
    )


@bp.route("/team/reviews")
@access.roles(Role.SUPERVISOR)
def reviews():
    coach_id = request.args.get("coach_id", type=int)
    coach = _team_coach_or_404(coach_id) if coach_id else None
    notes = db.session.scalars(
        queries.review_queue(current_user, coach.id if coach else None)
        .options(selectinload(CoachingSession.client), selectinload(CoachingSession.coach))
        .limit(100)
    ).all()
    g.client_data = True
    return render_template("team/reviews.html", notes=notes, coach=coach, form=SignOffForm())


@bp.route("/team/reviews/<int:session_id>", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def sign_off(session_id: int):
    session = db.one_or_404(
        queries.review_queue(current_user).where(CoachingSession.id == session_id)
    )
    form = SignOffForm()
    if not form.validate_on_submit():
        flash("The comment is too long (2,000 characters at most).", "error")
        return redirect(url_for("team.reviews"))
    services.sign_off(session, comment=form.comment.data, actor=current_user)
    db.session.commit()
    flash("Note signed off.", "success")
    return redirect(url_for("team.reviews", coach_id=request.args.get("coach_id", type=int)))


def _team_coach_choices(exclude: int | None = None) -> list[tuple[int, str]]:
    return [
        (c.id, c.name) for c in queries.team_coaches(current_user) if c.active and c.id != exclude
    ]


@bp.route("/clients/<int:client_id>/reassign", methods=["GET", "POST"])
@access.client_route
def reassign(client: Client):
    """Move one client to another coach of the team, with a reason and an optional hand-off
    note; the coach who already holds the client is refused beside the field."""
    if current_user.role != Role.SUPERVISOR:
        abort(403)
    form = ReassignForm()
    form.coach_id.choices = [(0, "Choose a coach")] + _team_coach_choices()
    today = timeutil.local_today(client.program)
    if request.method == "GET":
        form.effective_on.data = today
    if form.validate_on_submit():
        try:
            services.reassign(
                client,
                db.session.get(User, form.coach_id.data),
                actor=current_user,
                reason=form.reason.data,
                handoff_note=form.handoff_note.data,
                effective_on=form.effective_on.data,
                today=today,
            )
        except services.TeamRuleError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"{client.code} is now on {client.coach.name}'s caseload.", "success")
            return redirect(url_for("clients.detail", client_id=client.id))
    g.client_data = True
    status = 422 if request.method == "POST" else 200
    return render_template("team/reassign.html", form=form, client=client), status


@bp.route("/team/coaches/<int:coach_id>/reassign", methods=["GET", "POST"])
@access.roles(Role.SUPERVISOR)
def reassign_caseload(coach_id: int):
    """A departing coach's whole caseload: one receiving coach for all, or one per client; one
    reason (required) and hand-off note (optional) for every client moved."""
    coach = _team_coach_or_404(coach_id)
    clients = db.session.scalars(
        access.visible_clients(current_user)
        .where(Client.coach_id == coach.id, Client.status != ClientStatus.DISCHARGED)
        .order_by(Client.last_name, Client.first_name)
    ).all()
    choices = _team_coach_choices(exclude=coach.id)
    allowed = {cid for cid, _ in choices}
    errors: list[str] = []
    form = CaseloadReassignForm()
    if request.method == "POST":
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        default = request.form.get("all", type=int)
        plan = {}
        for client in clients:
            target = request.form.get(f"client-{client.id}", type=int) or default
            if target is None:
                continue
            if target not in allowed:
                errors.append(f"{client.code}: choose a coach of your team.")
                continue
            plan[client.id] = target
        if not plan and not errors:
            errors.append("Choose a receiving coach for all clients or for some of them.")
        if not errors and not form.errors:
            coaches = {
                c.id: c for c in db.session.scalars(select(User).where(User.id.in_(allowed)))
            }
            moved = 0
            try:
                for client in clients:
                    if client.id in plan:
                        services.reassign(
                            client,
                            coaches[plan[client.id]],
                            actor=current_user,
                            reason=form.reason.data,
                            handoff_note=form.handoff_note.data,
                        )
                        moved += 1
            except services.TeamRuleError as exc:
                db.session.rollback()
                errors.append(f"{client.code}: {exc.message}")
            else:
                db.session.commit()
                flash(f"{moved} client{'s' if moved != 1 else ''} reassigned.", "success")
                return redirect(url_for("team.dashboard"))
    g.client_data = True
    status = 422 if errors or form.errors else 200
    return render_template(
        "team/reassign_caseload.html",
        coach=coach,
        clients=clients,
        choices=choices,
        errors=errors,
        form=form,
        form_values=request.form,
    ), status


@bp.route("/team/cover", methods=["GET", "POST"])
@access.roles(Role.SUPERVISOR)
def cover():
    team = queries.team_coaches(current_user)
    active_ids = [c.id for c in team if c.active]
    form = CoverForm()
    form.coach_id.choices = [(c.id, c.name) for c in team if c.active]
    form.covering_user_id.choices = [(c.id, c.name) for c in team if c.active]
    visible = db.session.scalars(
        access.visible_clients(current_user)
        .where(Client.coach_id.in_(active_ids), Client.status != ClientStatus.DISCHARGED)
        .order_by(Client.last_name, Client.first_name)
    ).all()
    form.client_id.choices = [(0, "Whole caseload")] + [
        (c.id, f"{c.display_name} ({c.code}) · {c.coach.name}") for c in visible
    ]
    today = timeutil.local_today(current_user.program)
    if request.method == "GET":
        form.starts_on.data = today
        form.ends_on.data = today + timedelta(days=13)
    if form.validate_on_submit():
        client = next((c for c in visible if c.id == form.client_id.data), None)
        try:
            services.create_cover(
                covering_user=db.session.get(User, form.covering_user_id.data),
                coach=db.session.get(User, form.coach_id.data),
                client=client,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                reason=form.reason.data,
                actor=current_user,
            )
        except services.TeamRuleError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash("Cover arranged. It ends by itself after its last day.", "success")
            return redirect(url_for("team.cover"))
    covers = db.session.scalars(
        select(CoveringAssignment)
        .where(
            CoveringAssignment.coach_id.in_([c.id for c in team]),
            CoveringAssignment.ends_on >= today - timedelta(days=30),
        )
        .options(
            selectinload(CoveringAssignment.client),
            selectinload(CoveringAssignment.coach),
            selectinload(CoveringAssignment.covering_user),
        )
        .order_by(CoveringAssignment.starts_on.desc())
    ).all()
    status = 422 if request.method == "POST" else 200
    return render_template("team/cover.html", form=form, covers=covers, today=today), status


@bp.route("/team/cover/<int:cover_id>/end", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def end_cover(cover_id: int):
    from coachapp.auth.forms import EmptyForm

    cover = db.get_or_404(CoveringAssignment, cover_id)
    if cover.coach.supervisor_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit() and cover.ended_at is None:
        services.end_cover(cover, actor=current_user)
        db.session.commit()
        flash("Cover ended.", "success")
    return redirect(url_for("team.cover"))


@bp.route("/clients/<int:client_id>/access-log")
@access.client_route
def access_log(client: Client):
    """Who has opened this record: for the client's coach's supervisor."""
    if client.coach.supervisor_id != current_user.id:
        abort(403)
    events = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.client_id == client.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(500)
    ).all()
    openers = db.session.execute(
        select(User.name, User.role, func.count(AuditEvent.id), func.max(AuditEvent.occurred_at))
        .join(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.client_id == client.id, AuditEvent.action == "view")
        .group_by(User.id, User.name, User.role)
        .order_by(func.max(AuditEvent.occurred_at).desc())
    ).all()
    g.client_data = True
    return render_template("team/access_log.html", client=client, events=events, openers=openers)


def _handoff_for(client: Client):
    """The hand-off note waiting for the signed-in coach on ``client`` (their open assignment
    row), or None; for ``templates/team/_handoff.html``."""
    if not current_user.is_authenticated or client is None or client.coach_id != current_user.id:
        return None
    return services.latest_handoff(client, current_user)


@bp.app_context_processor
def _handoff_helper() -> dict:
    return {"handoff_for": _handoff_for}
