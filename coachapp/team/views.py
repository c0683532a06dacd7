"""The supervisor's team: dashboard, note sign-off, reassignment, cover and the access log."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coachapp import access, timeutil, web
from coachapp.alerts import AlertContext
from coachapp.extensions import db
from coachapp.forms import EmptyForm, validate_in_one_pass
from coachapp.models import Client, CoachingSession, CoveringAssignment, User
from coachapp.models.base import parse_id
from coachapp.models.enums import Role
from coachapp.sessions.queries import threads as session_threads
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
@access.roles(Role.SUPERVISOR, client_data=True)
def dashboard():
    rows, start, end = queries.dashboard(current_user, _ctx())
    reply_count, replies = queries.unread_replies(current_user)
    return render_template(
        "team/dashboard.html",
        rows=rows,
        start=start,
        end=end,
        reply_count=reply_count,
        replies=replies,
    )


@bp.route("/team/coaches/<int:coach_id>/<figure>")
@access.roles(Role.SUPERVISOR, client_data=True)
def figure(coach_id: int, figure: str):
    """The rows behind one number of the dashboard."""
    if figure not in FIGURES:
        abort(404)
    coach = _team_coach_or_404(coach_id)
    if figure == "notes":
        return redirect(url_for("team.reviews", coach_id=coach.id))
    items = queries.figure_items(current_user, coach, figure, _ctx())
    return render_template(
        "team/figure.html", coach=coach, figure=figure, title=FIGURES[figure], items=items
    )


def _queue_args() -> dict:
    """Where the supervisor is in the review queue: coach, order and page (query string or
    form), each checked; the coach must be one of the team (404 otherwise)."""
    source = request.values
    coach_id = parse_id(source.get("coach_id"))
    if coach_id is not None:
        _team_coach_or_404(coach_id)
    order = source.get("order", "newest")
    if order not in queries.REVIEW_ORDERS:
        order = "newest"
    page = parse_id(source.get("page")) or 1
    return {"coach_id": coach_id, "order": order, "page": min(page, 10_000)}


def _back_to_queue(args: dict, next_id: int | None = None):
    """Back to the same page, coach and order, at the next note (its anchor) when there is one."""
    query = {k: v for k, v in args.items() if v is not None and (k, v) != ("order", "newest")}
    if query.get("page") == 1:
        query.pop("page")
    anchor = f"note-{next_id}" if next_id else None
    return redirect(url_for("team.reviews", _anchor=anchor, **query))


@bp.route("/team/reviews")
@access.roles(Role.SUPERVISOR, client_data=True)
def reviews():
    """The review queue: newest first (or oldest), one coach or the whole team, 25 a page."""
    args = _queue_args()
    coach = db.session.get(User, args["coach_id"]) if args["coach_id"] else None
    total = queries.review_count(current_user, args["coach_id"])
    per_page = queries.REVIEWS_PER_PAGE
    pages = max(1, -(-total // per_page))
    page = min(args["page"], pages)
    notes = queries.review_page(current_user, args["coach_id"], args["order"], page, per_page)
    return render_template(
        "team/reviews.html",
        notes=notes,
        coach=coach,
        coaches=queries.team_coaches(current_user),
        order=args["order"],
        page=page,
        pages=pages,
        total=total,
        per_page=per_page,
        returned=queries.returned_count(current_user, args["coach_id"]),
        threads=session_threads(n.id for n in notes),
        form=SignOffForm(),
    )


def _next_id(args: dict, session: CoachingSession) -> int | None:
    return queries.next_in_queue(current_user, args["coach_id"], args["order"], session)


def _review(session_id: int, act):
    """One note of the queue signed off or returned (``act(session, comment)`` does it and
    says what was done); back to the same place in the queue, at the next note."""
    session = queries.team_session_or_404(current_user, session_id)
    args = _queue_args()
    form = SignOffForm()
    if not form.validate_on_submit():
        flash("The comment is too long (2,000 characters at most).", "error")
        return _back_to_queue(args, session.id)
    if session.reviewed_at is not None or session.returned_at is not None:
        flash("That note was already signed off or returned.", "info")
        return _back_to_queue(args, _next_id(args, session))
    following = _next_id(args, session)
    try:
        done = act(session, form.comment.data)
    except services.TeamRuleError as exc:
        db.session.rollback()
        flash(f"Not returned: {exc.message}", "error")
        return _back_to_queue(args, session.id)
    db.session.commit()
    flash(done, "success")
    return _back_to_queue(args, following)


@bp.route("/team/reviews/<int:session_id>", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def sign_off(session_id: int):
    """Sign off one note, with an optional comment."""

    def act(session: CoachingSession, comment: str | None) -> str:
        services.sign_off(session, comment=comment, actor=current_user)
        return f"Note of {session.date.isoformat()} signed off."

    return _review(session_id, act)


@bp.route("/team/reviews/<int:session_id>/return", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def return_note(session_id: int):
    """Return a note for revision: a comment is required; the note leaves the queue."""

    def act(session: CoachingSession, comment: str | None) -> str:
        services.return_for_revision(session, comment=comment, actor=current_user)
        return f"Note of {session.date.isoformat()} returned to {session.coach.name}."

    return _review(session_id, act)


@bp.route("/team/reviews/sign-off", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def sign_off_many():
    """Sign off the ticked notes at once, in one transaction; back to the same page."""
    args = _queue_args()
    if not EmptyForm().validate_on_submit():
        abort(400)
    # A page holds 25; more than a few pages' worth is no form of ours.
    ticked = request.form.getlist("session_ids")[: queries.REVIEWS_PER_PAGE * 8]
    ids = {i for i in (parse_id(v) for v in ticked) if i}
    if not ids:
        flash("Tick the notes to sign off first.", "error")
        return _back_to_queue(args)
    sessions = queries.queued_sessions(current_user, ids)
    done = services.sign_off_many(sessions, actor=current_user)
    db.session.commit()
    skipped = len(ids) - done
    message = f"{done} note{'' if done == 1 else 's'} signed off."
    if skipped:
        message += f" {skipped} had been signed off or returned already, or are not your team's."
    flash(message, "success")
    return _back_to_queue(args)


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

    def new_coach() -> User | None:
        # A choice the form refused (an id out of range, say) is never looked up.
        if form.coach_id.errors or not form.coach_id.data:
            return None
        return db.session.get(User, form.coach_id.data)

    def rules() -> None:
        services.check_reassign(
            client,
            new_coach(),
            reason=form.reason.data,
            handoff_note=form.handoff_note.data,
            effective_on=form.effective_on.data,
            today=today,
        )

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.reassign(
                client,
                new_coach(),
                actor=current_user,
                reason=form.reason.data,
                handoff_note=form.handoff_note.data,
                effective_on=form.effective_on.data,
                today=today,
            )
        if saved:
            flash(f"{client.code} is now on {client.coach.name}'s caseload.", "success")
            return web.client_page(client)
    return web.form_page("team/reassign.html", form, client=client)


@bp.route("/team/coaches/<int:coach_id>/reassign", methods=["GET", "POST"])
@access.roles(Role.SUPERVISOR, client_data=True)
def reassign_caseload(coach_id: int):
    """A departing coach's whole caseload: one receiving coach for all, or one per client; one
    reason (required) and hand-off note (optional) for every client moved."""
    coach = _team_coach_or_404(coach_id)
    clients = queries.open_caseload(current_user, coach)
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
            coaches = queries.users_by_id(allowed)
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
    visible = queries.coverable_clients(current_user, active_ids)
    form.client_id.choices = [(0, "Whole caseload")] + [
        (c.id, f"{c.display_name} ({c.code}) · {c.coach.name}") for c in visible
    ]
    today = timeutil.local_today(current_user.program)
    if request.method == "GET":
        form.starts_on.data = today
        form.ends_on.data = today + timedelta(days=13)

    def people() -> dict:
        # Only the team's active coaches offered: anything else the form refuses (None here).
        team_ids = set(active_ids)
        return {
            "covering_user": db.session.get(User, form.covering_user_id.data)
            if form.covering_user_id.data in team_ids
            else None,
            "coach": db.session.get(User, form.coach_id.data)
            if form.coach_id.data in team_ids
            else None,
            "client": next((c for c in visible if c.id == form.client_id.data), None),
        }

    def rules() -> None:
        services.check_cover(**people(), starts_on=form.starts_on.data, ends_on=form.ends_on.data)

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.create_cover(
                **people(),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                reason=form.reason.data,
                actor=current_user,
            )
        if saved:
            flash("Cover arranged. It ends by itself after its last day.", "success")
            return redirect(url_for("team.cover"))
    covers = queries.recent_covers([c.id for c in team], today - timedelta(days=30))
    return web.form_page("team/cover.html", form, covers=covers, today=today)


@bp.route("/team/cover/<int:cover_id>/end", methods=["POST"])
@access.roles(Role.SUPERVISOR)
def end_cover(cover_id: int):
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
    events, openers = queries.access_log(client)
    return render_template("team/access_log.html", client=client, events=events, openers=openers)


@bp.route("/clients/<int:client_id>/handoff/read", methods=["POST"])
@access.client_route
def handoff_read(client: Client):
    """The receiving coach marks the hand-off note read; back to the client's page."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.mark_handoff_read(client, actor=current_user):
        db.session.commit()
        flash("Hand-off note marked read.", "success")
    return web.client_page(client)


def _handoff_for(client: Client):
    """The hand-off note waiting for the signed-in coach on ``client`` (their open assignment
    row), or None; for ``templates/team/_handoff.html``."""
    if not current_user.is_authenticated or client is None or client.coach_id != current_user.id:
        return None
    return services.latest_handoff(client, current_user)


@bp.app_context_processor
def _handoff_helper() -> dict:
    return {"handoff_for": _handoff_for}
