"""The supervisor's view of their team: one aggregate query per figure, grouped by coach.

Caseload columns (clients, sessions, waiting work) count for each client's *current* coach, as
the caseload does; the no-show rate is the report's (metrics.md): ``no_show / (attended +
no_show)`` over appointments dated in the month, each credited to the coach who held the client
on its date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select, union

from coachapp import access
from coachapp.alerts import AlertContext, alert_columns
from coachapp.extensions import db
from coachapp.models import (
    Client,
    CoachingSession,
    CoveringAssignment,
    Referral,
    ReviewComment,
    User,
)
from coachapp.models.enums import ClientStatus, ReferralStatus, SessionOutcome
from coachapp.models.sessions import ReviewCommentKind
from coachapp.reports import metrics

REFERRAL_WAIT_DAYS = 14


def team_coaches(supervisor: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.supervisor_id == supervisor.id, User.role == "coach")
            .order_by(User.active.desc(), User.name)
        )
    )


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


def dashboard(supervisor: User, ctx: AlertContext) -> tuple[list[CoachRow], date, date]:
    """One row per coach of the team; six queries whatever the team's size."""
    coaches = team_coaches(supervisor)
    rows = {c.id: CoachRow(coach=c) for c in coaches}
    start, end = month_bounds(ctx.today)
    scope = _team_clients(supervisor).subquery()
    in_scope = Client.id.in_(select(scope.c.id))

    quiet = alert_columns(ctx)["quiet"]
    for coach_id, active, quiet_n in db.session.execute(
        select(
            Client.coach_id,
            func.count().filter(Client.status == ClientStatus.ACTIVE),
            func.count().filter(quiet),
        )
        .where(in_scope)
        .group_by(Client.coach_id)
    ):
        rows[coach_id].active, rows[coach_id].quiet = active, quiet_n

    for coach_id, completed, attempted in db.session.execute(
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
    ):
        rows[coach_id].sessions_completed = completed
        rows[coach_id].sessions_attempted = attempted

    # The no-show rate is metrics.md's, from the one metrics module.
    month = metrics.Period(start, end)
    team_scope = metrics.Scope(program_id=supervisor.program_id, supervisor_id=supervisor.id)
    for coach_id, figures in metrics.appointment_figures(team_scope, month, by_coach=True).items():
        if coach_id in rows:
            rows[coach_id].attended = figures["attended"]
            rows[coach_id].no_show = figures["no_show"]

    for coach_id, waiting in db.session.execute(
        select(Client.coach_id, func.count(Referral.id))
        .join(Client, Client.id == Referral.client_id)
        .where(in_scope, waiting_referral(ctx.today))
        .group_by(Client.coach_id)
    ):
        rows[coach_id].referrals_waiting = waiting

    for coach_id, notes in db.session.execute(
        select(Client.coach_id, func.count(CoachingSession.id))
        .join(Client, Client.id == CoachingSession.client_id)
        .where(in_scope, note_awaiting_review())
        .group_by(Client.coach_id)
    ):
        rows[coach_id].notes_to_review = notes

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
    pairs = (
        covered_client_pairs(coach_ids, on)
        .where(Client.status == ClientStatus.ACTIVE)
        .subquery("covered_active")
    )
    return dict(
        db.session.execute(
            select(pairs.c.coach_id, func.count(func.distinct(pairs.c.client_id))).group_by(
                pairs.c.coach_id
            )
        ).all()
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
    count = db.session.scalar(select(func.count()).select_from(replies.subquery())) or 0
    if not count:
        return 0, []
    rows = db.session.execute(
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
    ).all()
    return count, rows
