"""Read queries of sessions, built on the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.extensions import db
from coachapp.models import BillingSetting, Client, CoachingSession, Goal, ReviewComment, User
from coachapp.models.enums import GoalStatus, SessionOutcome
from coachapp.models.sessions import SessionAddendum

PANEL_LIMIT = 10  # the client page shows the latest ten; older ones are paged
OLDER_PER_PAGE = 25


def offered_goals(client: Client, user: User, keep_ids=()) -> list[Goal]:
    """Goals a session may address: the client's active ones, plus ``keep_ids`` (those a
    session being edited addresses already, whatever their status). Archived goals never."""
    condition = Goal.status == GoalStatus.ACTIVE
    if keep_ids:
        condition = or_(condition, Goal.id.in_(list(keep_ids)))
    return list(
        db.session.scalars(
            access.client_child_select(Goal, user)
            .where(Goal.client_id == client.id, condition)
            .order_by(Goal.opened_on, Goal.id)
        )
    )


@dataclass(frozen=True)
class ThreadEntry:
    """One entry of a session's review thread, as pages show it (plain columns)."""

    id: int
    session_id: int
    kind: str
    body: str
    created_at: datetime
    read_at: datetime | None
    author_id: int
    author_name: str


# One statement for every call (the ids are an expanding bind parameter).
_THREADS = (
    select(
        ReviewComment.id,
        ReviewComment.session_id,
        ReviewComment.kind,
        ReviewComment.body,
        ReviewComment.created_at,
        ReviewComment.read_at,
        ReviewComment.author_id,
        User.name,
    )
    .join(User, User.id == ReviewComment.author_id)
    .where(ReviewComment.session_id.in_(bindparam("thread_session_ids", expanding=True)))
    .order_by(ReviewComment.id)
)


def threads(session_ids) -> dict[int, list[ThreadEntry]]:
    """The review threads of these sessions (already reached through the access rule), oldest
    entry first: one query whatever their number."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(_THREADS, {"thread_session_ids": ids})
    found: dict[int, list[ThreadEntry]] = {}
    for row in rows:
        found.setdefault(row.session_id, []).append(ThreadEntry(*row))
    return found


@dataclass(frozen=True)
class AddendumEntry:
    """One addendum of a signed session, as pages and the API show it (plain columns)."""

    id: int
    session_id: int
    text: str
    reason: str
    created_at: datetime
    author_id: int
    author_name: str


_ADDENDA = (
    select(
        SessionAddendum.id,
        SessionAddendum.session_id,
        SessionAddendum.text,
        SessionAddendum.reason,
        SessionAddendum.created_at,
        SessionAddendum.author_id,
        User.name,
    )
    .join(User, User.id == SessionAddendum.author_id)
    .where(SessionAddendum.session_id.in_(bindparam("addenda_session_ids", expanding=True)))
    .order_by(SessionAddendum.id)
)


def addenda(sessions) -> dict[int, list[AddendumEntry]]:
    """The addenda of these sessions (already reached through the access rule), oldest first:
    one query for the signed ones among them, none when no session is signed."""
    ids = [s.id for s in sessions if s.signed_at is not None]
    if not ids:
        return {}
    found: dict[int, list[AddendumEntry]] = {}
    for row in db.session.execute(_ADDENDA, {"addenda_session_ids": ids}):
        found.setdefault(row.session_id, []).append(AddendumEntry(*row))
    return found


def _client_sessions(client: Client, user: User):
    return access.client_child_select(CoachingSession, user).where(
        CoachingSession.client_id == client.id
    )


def session_rows(client: Client, user: User, *, offset: int, limit: int) -> list:
    """A slice of the client's sessions, newest first, with their goals."""
    return list(
        db.session.scalars(
            _client_sessions(client, user)
            .options(selectinload(CoachingSession.goals))
            .order_by(CoachingSession.date.desc(), CoachingSession.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def _panel_statements(user: User):
    """The panel's sessions and totals, for any client of ``user`` (``panel_client_id``)."""
    scoped = access.client_child_select(CoachingSession, user).where(
        CoachingSession.client_id == bindparam("panel_client_id")
    )
    latest = (
        scoped.options(selectinload(CoachingSession.goals))
        .order_by(CoachingSession.date.desc(), CoachingSession.id.desc())
        .limit(PANEL_LIMIT)
    )
    completed = CoachingSession.outcome == SessionOutcome.COMPLETED
    totals = scoped.with_only_columns(
        func.count(CoachingSession.id),
        func.coalesce(func.sum(case((completed, CoachingSession.duration_minutes), else_=0)), 0),
    )
    return latest, totals


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/sessions/_client_panel.html (see coachapp.clients.panels): the
    latest sessions, newest first, with the goals each addressed and their review threads; how
    many sessions in all and the minutes of the completed ones. Four queries, whatever the
    history holds, and a fifth for the addenda when one of them is signed (built once per user
    and day: ``access.built_once``)."""
    latest, totals = access.built_once(
        user, "sessions.client_panel", build=lambda: _panel_statements(user)
    )
    params = {"panel_client_id": client.id}
    sessions = list(db.session.scalars(latest, params))
    total, completed_minutes = db.session.execute(totals, params).one()
    return {
        "sessions": sessions,
        "threads": threads(s.id for s in sessions),
        "addenda": addenda(sessions),
        "total": total,
        "completed_minutes": completed_minutes,
        "limit": PANEL_LIMIT,
    }


def older_sessions(client: Client, user: User, page: int) -> dict:
    """The sessions older than the client page's latest ten, ``OLDER_PER_PAGE`` a page."""
    total = db.session.scalar(
        _client_sessions(client, user).with_only_columns(func.count(CoachingSession.id))
    )
    older = max(0, total - PANEL_LIMIT)
    pages = max(1, -(-older // OLDER_PER_PAGE))
    page = min(max(1, page), pages)
    sessions = session_rows(
        client, user, offset=PANEL_LIMIT + (page - 1) * OLDER_PER_PAGE, limit=OLDER_PER_PAGE
    )
    return {
        "sessions": sessions,
        "threads": threads(s.id for s in sessions),
        "addenda": addenda(sessions),
        "older": older,
        "page": page,
        "pages": pages,
        "first": PANEL_LIMIT + (page - 1) * OLDER_PER_PAGE + 1,
    }


def session_goal_ids(session: CoachingSession) -> list[int]:
    return [g.id for g in session.goals]


def billing_setting_on(program_id: int, on: date) -> BillingSetting | None:
    """The program's billing setting in force on ``on``: the latest ``effective_from`` on or
    before it (none before the first)."""
    return db.session.scalars(
        select(BillingSetting)
        .where(BillingSetting.program_id == program_id, BillingSetting.effective_from <= on)
        .order_by(BillingSetting.effective_from.desc(), BillingSetting.id.desc())
        .limit(1)
    ).first()


def cosign_required(session: CoachingSession) -> bool:
    """Whether the billing setting in force on the session's date asks for a co-signature."""
    setting = billing_setting_on(session.client.program_id, session.date)
    return bool(setting is not None and setting.cosign_required)


def signatures(session: CoachingSession) -> dict[str, str | None]:
    """The names of who signed and who co-signed the session (none when not yet): one query,
    none for an unsigned session."""
    ids = [i for i in (session.signed_by_id, session.cosigned_by_id) if i is not None]
    names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return {
        "signed_by": names.get(session.signed_by_id) if session.signed_by_id else None,
        "cosigned_by": names.get(session.cosigned_by_id) if session.cosigned_by_id else None,
    }
