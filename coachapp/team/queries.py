"""The supervisor's view of their team: one aggregate query per figure, grouped by coach.

Caseload columns (clients, sessions, waiting work) count for each client's *current* coach, as
the caseload does; the no-show rate is the report's (metrics.md): ``no_show / (attended +
no_show)`` over appointments dated in the month, each credited to the coach who held the client
on its date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, func, or_, select, union
from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.alerts import AlertContext, alert_columns
from coachapp.clients.queries import last_completed_contact
from coachapp.extensions import db
from coachapp.models import (
    Appointment,
    AuditEvent,
    Client,
    CoachingSession,
    CoveringAssignment,
    Referral,
    ReviewComment,
    User,
)
from coachapp.models.enums import AppointmentOutcome, ClientStatus, ReferralStatus, SessionOutcome
from coachapp.models.sessions import ReviewCommentKind
from coachapp.reports import metrics

REFERRAL_WAIT_DAYS = 14


_TEAM_COACHES = (
    select(User)
    .where(User.supervisor_id == bindparam("team_supervisor_id"), User.role == "coach")
    .order_by(User.active.desc(), User.name)
)


def team_coaches(supervisor: User) -> list[User]:
    return list(db.session.scalars(_TEAM_COACHES, {"team_supervisor_id": supervisor.id}))


def month_bounds(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    next_month = (start + timedelta(days=32)).replace(day=1)
    return start, next_month - timedelta(days=1)


@dataclass
class CoachRow:
    coach: User
    active: int = 0
    quiet: int = 0
    sessions_completed: int = 0
    sessions_attempted: int = 0
    attended: int = 0
    no_show: int = 0
    referrals_waiting: int = 0
    notes_to_review: int = 0
    covered: int = 0  # active clients of other coaches this coach covers today (in ``active``)
    extra: dict = field(default_factory=dict)

    @property
    def no_show_rate(self) -> float | None:
        return metrics.rate(self.no_show, self.attended + self.no_show)


def _team_clients(supervisor: User) -> Select:
    """The supervisor's visible clients whose coach is on their team (not covered ones)."""
    return access.visible_clients(supervisor).where(
        Client.coach_id.in_(select(User.id).where(User.supervisor_id == supervisor.id))
    )


def _dashboard_statements(supervisor: User, ctx: AlertContext) -> tuple[Select, ...]:
    """The dashboard's per-coach counts over the team's clients (built once per supervisor
    and day: ``access.built_once``)."""
    start, end = month_bounds(ctx.today)
    scope = _team_clients(supervisor).subquery()
    in_scope = Client.id.in_(select(scope.c.id))
    quiet = alert_columns(ctx)["quiet"]
    clients = (
        select(
            Client.coach_id,
            func.count().filter(Client.status == ClientStatus.ACTIVE),
            func.count().filter(quiet),
        )
        .where(in_scope)
        .group_by(Client.coach_id)
    )
    sessions = (
        select(
            Client.coach_id,
            func.count().filter(CoachingSession.outcome == SessionOutcome.COMPLETED),
            func.count().filter(CoachingSession.outcome == SessionOutcome.ATTEMPTED),
        )
        .join(Client, Client.id == CoachingSession.client_id)
        .where(
            in_scope,
            CoachingSession.archived_at.is_(None),
            CoachingSession.date.between(start, end),
        )
        .group_by(Client.coach_id)
    )
    referrals = (
        select(Client.coach_id, func.count(Referral.id))
        .join(Client, Client.id == Referral.client_id)
        .where(in_scope, waiting_referral(ctx.today))
        .group_by(Client.coach_id)
    )
    notes = (
        select(Client.coach_id, func.count(CoachingSession.id))
        .join(Client, Client.id == CoachingSession.client_id)
        .where(in_scope, note_awaiting_review())
        .group_by(Client.coach_id)
    )
    return clients, sessions, referrals, notes


def dashboard(supervisor: User, ctx: AlertContext) -> tuple[list[CoachRow], date, date]:
    """One row per coach of the team; six queries whatever the team's size."""
    coaches = team_coaches(supervisor)
    rows = {c.id: CoachRow(coach=c) for c in coaches}
    start, end = month_bounds(ctx.today)
    clients, sessions, referrals, notes = access.built_once(
        supervisor,
        "team.dashboard",
        ctx.today,
        build=lambda: _dashboard_statements(supervisor, ctx),
    )
    params = ctx.params()

    for coach_id, active, quiet_n in db.session.execute(clients, params):
        rows[coach_id].active, rows[coach_id].quiet = active, quiet_n

    for coach_id, completed, attempted in db.session.execute(sessions, params):
        rows[coach_id].sessions_completed = completed
        rows[coach_id].sessions_attempted = attempted

    # The no-show rate is metrics.md's, from the one metrics module.
    month = metrics.Period(start, end)
    team_scope = metrics.Scope(program_id=supervisor.program_id, supervisor_id=supervisor.id)
    for coach_id, figures in metrics.appointment_figures(team_scope, month, by_coach=True).items():
        if coach_id in rows:
            rows[coach_id].attended = figures["attended"]
            rows[coach_id].no_show = figures["no_show"]

    for coach_id, waiting in db.session.execute(referrals, params):
        rows[coach_id].referrals_waiting = waiting

    for coach_id, n in db.session.execute(notes, params):
        rows[coach_id].notes_to_review = n

    # The caseload page counts the clients a coach covers today: so does the dashboard.
    for coach_id, covered in covered_active_counts(list(rows)).items():
        rows[coach_id].covered = covered
        rows[coach_id].active += covered

    return [rows[c.id] for c in coaches], start, end


def covered_client_pairs(coach_ids: list[int], on: date | None = None) -> Select:
    """``(coach_id, client_id)`` for every client a covering assignment in force on ``on``
    (default: today, as the access rule counts it) opens to one of ``coach_ids`` and who is
    not already on that coach's own caseload: one client named, or a whole caseload."""
    on = on or access.today()
    in_force = and_(
        CoveringAssignment.covering_user_id.in_(coach_ids),
        CoveringAssignment.starts_on <= on,
        CoveringAssignment.ends_on >= on,
        CoveringAssignment.ended_at.is_(None),
    )
    by_client = select(
        CoveringAssignment.covering_user_id.label("coach_id"),
        CoveringAssignment.client_id.label("client_id"),
    ).where(in_force, CoveringAssignment.client_id.is_not(None))
    by_caseload = (
        select(CoveringAssignment.covering_user_id.label("coach_id"), Client.id.label("client_id"))
        .join(Client, Client.coach_id == CoveringAssignment.coach_id)
        .where(in_force, CoveringAssignment.client_id.is_(None))
    )
    pairs = union(by_client, by_caseload).subquery("covered")
    return (
        select(pairs.c.coach_id, pairs.c.client_id)
        .join(Client, Client.id == pairs.c.client_id)
        .where(
            Client.coach_id != pairs.c.coach_id,
            Client.archived_at.is_(None),
            Client.merged_into_id.is_(None),
        )
    )


def covered_active_counts(coach_ids: list[int], on: date | None = None) -> dict[int, int]:
    """Per coach, the active clients they cover (``covered_client_pairs``): one query."""
    if not coach_ids:
        return {}
    query = _covered_active_counts(tuple(coach_ids), on or access.today())
    return dict(db.session.execute(query).all())


@lru_cache(maxsize=256)
def _covered_active_counts(coach_ids: tuple[int, ...], on: date) -> Select:
    # Built once per team and day (a page of the team asks it on every view).
    pairs = (
        covered_client_pairs(list(coach_ids), on)
        .where(Client.status == ClientStatus.ACTIVE)
        .subquery("covered_active")
    )
    return select(pairs.c.coach_id, func.count(func.distinct(pairs.c.client_id))).group_by(
        pairs.c.coach_id
    )


def waiting_referral(today: date):
    return and_(
        Referral.status == ReferralStatus.REFERRED,
        Referral.archived_at.is_(None),
        Referral.referred_on < today - timedelta(days=REFERRAL_WAIT_DAYS),
    )


def note_awaiting_review():
    """A note waiting for sign-off: written, not archived, not signed off, not returned."""
    return and_(
        CoachingSession.archived_at.is_(None),
        CoachingSession.note.is_not(None),  # encrypted: only NULL is testable in SQL
        CoachingSession.reviewed_at.is_(None),
        CoachingSession.returned_at.is_(None),
    )


REVIEW_ORDERS = ("newest", "oldest")
REVIEWS_PER_PAGE = 25


def review_queue(supervisor: User, coach_id: int | None = None, order: str = "newest") -> Select:
    """Session notes of the team's clients waiting for sign-off, newest first (``order=
    "oldest"``: oldest first); ``coach_id`` narrows to one coach's clients."""
    query = (
        select(CoachingSession)
        .join(Client, Client.id == CoachingSession.client_id)
        .where(
            Client.id.in_(select(_team_clients(supervisor).subquery().c.id)),
            note_awaiting_review(),
        )
    )
    if order == "oldest":
        query = query.order_by(CoachingSession.date, CoachingSession.id)
    else:
        query = query.order_by(CoachingSession.date.desc(), CoachingSession.id.desc())
    if coach_id is not None:
        query = query.where(Client.coach_id == coach_id)
    return query


def team_sessions(supervisor: User) -> Select:
    """Sessions (not archived) of the team's clients: what a supervisor may sign off."""
    return (
        select(CoachingSession)
        .join(Client, Client.id == CoachingSession.client_id)
        .where(
            Client.id.in_(select(_team_clients(supervisor).subquery().c.id)),
            CoachingSession.archived_at.is_(None),
        )
    )


def next_in_queue(
    supervisor: User, coach_id: int | None, order: str, after: CoachingSession
) -> int | None:
    """The id of the note that follows ``after`` in the queue's order (to land on it after a
    sign-off), or None at the end."""
    if order == "oldest":
        later = or_(
            CoachingSession.date > after.date,
            and_(CoachingSession.date == after.date, CoachingSession.id > after.id),
        )
    else:
        later = or_(
            CoachingSession.date < after.date,
            and_(CoachingSession.date == after.date, CoachingSession.id < after.id),
        )
    query = review_queue(supervisor, coach_id, order).where(later).limit(1)
    return db.session.scalar(query.with_only_columns(CoachingSession.id))


def review_count(supervisor: User, coach_id: int | None = None) -> int:
    """How many notes ``review_queue`` holds: one COUNT."""
    query = review_queue(supervisor, coach_id).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def returned_count(supervisor: User, coach_id: int | None = None) -> int:
    """Notes of the team returned for revision and not yet revised by their coach."""
    query = (
        select(func.count(CoachingSession.id))
        .join(Client, Client.id == CoachingSession.client_id)
        .where(
            Client.id.in_(select(_team_clients(supervisor).subquery().c.id)),
            CoachingSession.returned_at.is_not(None),
            CoachingSession.archived_at.is_(None),
        )
    )
    if coach_id is not None:
        query = query.where(Client.coach_id == coach_id)
    return db.session.scalar(query) or 0


REPLIES_SHOWN = 10


def unread_replies(supervisor: User) -> tuple[int, list]:
    """The team's coaches' replies in review threads that the supervisor has not read: how
    many, and the newest ``REPLIES_SHOWN`` (session id and date, coach, client, reply); two
    queries."""
    count_query, rows_query = access.built_once(
        supervisor, "team.unread_replies", build=lambda: _unread_replies_statements(supervisor)
    )
    count = db.session.scalar(count_query) or 0
    if not count:
        return 0, []
    return count, db.session.execute(rows_query).all()


def _unread_replies_statements(supervisor: User) -> tuple[Select, Select]:
    replies = (
        select(ReviewComment.id)
        .join(CoachingSession, CoachingSession.id == ReviewComment.session_id)
        .where(
            CoachingSession.client_id.in_(select(_team_clients(supervisor).subquery().c.id)),
            CoachingSession.archived_at.is_(None),
            ReviewComment.kind == ReviewCommentKind.REPLY,
            ReviewComment.author_id == CoachingSession.coach_id,
            ReviewComment.read_at.is_(None),
        )
    )
    count = select(func.count()).select_from(replies.subquery())
    rows = (
        select(
            CoachingSession.id.label("session_id"),
            CoachingSession.date,
            User.name.label("coach_name"),
            Client.first_name,
            Client.last_name,
            Client.preferred_name,
            ReviewComment.body,
        )
        .join(CoachingSession, CoachingSession.id == ReviewComment.session_id)
        .join(Client, Client.id == CoachingSession.client_id)
        .join(User, User.id == ReviewComment.author_id)
        .where(ReviewComment.id.in_(replies))
        .order_by(ReviewComment.id.desc())
        .limit(REPLIES_SHOWN)
    )
    return count, rows


# --- The pages' lists (views call these; each is one query) ----------------------------------


def figure_items(supervisor: User, coach: User, figure: str, ctx: AlertContext) -> list:
    """The rows behind one number of the dashboard (``figure``: active, quiet, sessions,
    appointments, referrals) for one coach of the team, through the access rule."""
    start, end = month_bounds(ctx.today)
    visible = access.visible_clients(supervisor)
    clients_of_coach = visible.where(Client.coach_id == coach.id)
    coach_client_ids = clients_of_coach.with_only_columns(Client.id)
    if figure == "active":
        # As the dashboard counts it: the coach's own active clients and those they cover.
        covered = covered_client_pairs([coach.id]).subquery()
        return db.session.execute(
            visible.add_columns(last_completed_contact().label("last_contact"))
            .where(
                (Client.coach_id == coach.id) | Client.id.in_(select(covered.c.client_id)),
                Client.status == ClientStatus.ACTIVE,
            )
            .order_by(Client.last_name, Client.first_name)
        ).all()
    if figure == "quiet":
        return db.session.execute(
            clients_of_coach.add_columns(last_completed_contact().label("last_contact"))
            .where(alert_columns(ctx)["quiet"])
            .order_by(Client.last_name, Client.first_name)
        ).all()
    if figure == "sessions":
        return db.session.scalars(
            access.client_child_select(CoachingSession, supervisor)
            .where(
                CoachingSession.client_id.in_(coach_client_ids),
                CoachingSession.date.between(start, end),
            )
            .options(selectinload(CoachingSession.client))
            .order_by(CoachingSession.date.desc())
        ).all()
    if figure == "appointments":
        return db.session.scalars(
            access.client_child_select(Appointment, supervisor)
            .where(
                Appointment.client_id.in_(coach_client_ids),
                Appointment.outcome.in_([AppointmentOutcome.ATTENDED, AppointmentOutcome.NO_SHOW]),
                Appointment.scheduled_at >= datetime.combine(start, time.min),
                Appointment.scheduled_at < datetime.combine(end + timedelta(days=1), time.min),
            )
            .options(selectinload(Appointment.client))
            .order_by(Appointment.scheduled_at.desc())
        ).all()
    if figure == "referrals":
        return db.session.scalars(
            access.client_child_select(Referral, supervisor)
            .where(Referral.client_id.in_(coach_client_ids), waiting_referral(ctx.today))
            .options(selectinload(Referral.client), selectinload(Referral.resource))
            .order_by(Referral.referred_on)
        ).all()
    raise ValueError(f"no list behind the figure {figure!r}")


def team_session_or_404(supervisor: User, session_id: int) -> CoachingSession:
    """A session of the team's clients (signed off or not); 404 outside the team."""
    return db.one_or_404(team_sessions(supervisor).where(CoachingSession.id == session_id))


def review_page(
    supervisor: User, coach_id: int | None, order: str, page: int, per_page: int
) -> list[CoachingSession]:
    """One page of the review queue, with each note's client and coach."""
    return db.session.scalars(
        review_queue(supervisor, coach_id, order)
        .options(selectinload(CoachingSession.client), selectinload(CoachingSession.coach))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()


def queued_sessions(supervisor: User, ids: set[int]) -> list[CoachingSession]:
    """Those of the sessions ``ids`` still waiting in the supervisor's review queue."""
    return list(
        db.session.scalars(review_queue(supervisor).where(CoachingSession.id.in_(ids))).all()
    )


def open_caseload(supervisor: User, coach: User) -> list[Client]:
    """The coach's clients not discharged, by name, through the supervisor's access rule."""
    return db.session.scalars(
        access.visible_clients(supervisor)
        .where(Client.coach_id == coach.id, Client.status != ClientStatus.DISCHARGED)
        .order_by(Client.last_name, Client.first_name)
    ).all()


def users_by_id(ids) -> dict[int, User]:
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def coverable_clients(supervisor: User, coach_ids: list[int]) -> list[Client]:
    """Clients of those coaches, not discharged, by name: the ones a cover may name."""
    return db.session.scalars(
        access.visible_clients(supervisor)
        .where(Client.coach_id.in_(coach_ids), Client.status != ClientStatus.DISCHARGED)
        .order_by(Client.last_name, Client.first_name)
    ).all()


def recent_covers(coach_ids: list[int], since: date) -> list[CoveringAssignment]:
    """Covers of those coaches' caseloads ending on ``since`` or later, newest first."""
    return db.session.scalars(
        select(CoveringAssignment)
        .where(CoveringAssignment.coach_id.in_(coach_ids), CoveringAssignment.ends_on >= since)
        .options(
            selectinload(CoveringAssignment.client),
            selectinload(CoveringAssignment.coach),
            selectinload(CoveringAssignment.covering_user),
        )
        .order_by(CoveringAssignment.starts_on.desc())
    ).all()


def access_log(client: Client, limit: int = 500) -> tuple[list, list]:
    """Who touched the client's record: the latest ``limit`` events with their user, and each
    user who opened it with how often and when last."""
    events = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.client_id == client.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    openers = db.session.execute(
        select(User.name, User.role, func.count(AuditEvent.id), func.max(AuditEvent.occurred_at))
        .join(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.client_id == client.id, AuditEvent.action == "view")
        .group_by(User.id, User.name, User.role)
        .order_by(func.max(AuditEvent.occurred_at).desc())
    ).all()
    return events, openers
