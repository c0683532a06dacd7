"""Session services: log a session (a contact), edit it, archive it.

No HTTP here: views pass plain values and commit once after a service succeeds. The rules of a
session are written here only (``check_session``, ``client_goals``), for the pages and the API
alike: a date that has come, 1 to 720 minutes, the enumerations' values, the client's own
goals. A refusal raises ``SessionRuleError`` before anything changes, so a bad value is a
message beside its field (or a 422), never a 500.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import and_, select, update

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.limits import MAX_MINUTES, MAX_REPLY, MIN_MINUTES
from coachapp.models import Client, CoachingSession, Goal, ReviewComment, User
from coachapp.models.enums import AuditAction, Modality, Role, SessionKind, SessionOutcome
from coachapp.models.sessions import ReviewCommentKind

SCALAR_FIELDS = ("date", "duration_minutes", "modality", "kind", "outcome", "note", "next_steps")
REVIEWED_TEXT = ("note", "next_steps")
MINUTES_MESSAGE = f"Give the minutes, from {MIN_MINUTES} to {MAX_MINUTES}."


class SessionRuleError(records.RuleError):
    """Values the rules of sessions refuse; ``errors`` names each field to blame."""


def check_session(client: Client, data: dict) -> None:
    """The rules of a session with ``client`` (``data`` as ``create_session`` takes it), for
    the pages and the API alike. Raises ``SessionRuleError`` naming every field refused:

    - ``date``: a date from 1900 to the program's today (a session has happened);
    - ``duration_minutes``: a whole number from 1 to 720;
    - ``modality``, ``kind``, ``outcome``: one of their enumeration's values.
    """
    problems: dict[str, str] = {}
    on = data.get("date")
    if not isinstance(on, date):
        problems["date"] = "Give the date."
    elif on < EARLIEST_DATE:
        problems["date"] = "This date is too far in the past."
    elif on > timeutil.local_today(client.program):
        problems["date"] = "This date is in the future."
    minutes = data.get("duration_minutes")
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not MIN_MINUTES <= minutes <= MAX_MINUTES
    ):
        problems["duration_minutes"] = MINUTES_MESSAGE
    for field, enum_cls in (
        ("modality", Modality),
        ("kind", SessionKind),
        ("outcome", SessionOutcome),
    ):
        if data.get(field) not in set(enum_cls):
            problems[field] = "Not a valid choice."
    if problems:
        raise SessionRuleError(problems)


def client_goals(client: Client, goal_ids) -> list[Goal]:
    """The client's (non-archived) goals with these ids; any other id is refused."""
    try:
        wanted = {int(i) for i in goal_ids or ()}
    except (TypeError, ValueError) as exc:
        raise SessionRuleError(
            "goal_ids", "Choose only this client's goals from the list."
        ) from exc
    if not wanted:
        return []
    goals = list(
        db.session.scalars(
            select(Goal)
            .where(
                Goal.id.in_(wanted),
                Goal.client_id == client.id,
                Goal.archived_at.is_(None),
            )
            .order_by(Goal.id)
        )
    )
    if len(goals) != len(wanted):
        raise SessionRuleError("goal_ids", "Choose only this client's goals from the list.")
    return goals


def session_coach_id(client: Client, actor: User) -> int:
    """Who gets the session (and its hours): the coach logging it, else the client's coach."""
    return actor.id if actor.role == Role.COACH else client.coach_id


def create_session(client: Client, data: dict, *, actor: User) -> CoachingSession:
    """Log a session with ``client``.

    ``data``: date, duration_minutes (1–720), modality, kind, outcome, goal_ids (the client's
    goals), note, next_steps. Raises ``SessionRuleError`` for a value the rules refuse.
    """
    check_session(client, data)
    goals = client_goals(client, data.get("goal_ids"))
    session = CoachingSession(
        client_id=client.id,
        coach_id=session_coach_id(client, actor),
        **{key: data.get(key) for key in SCALAR_FIELDS},
    )
    session.goals = goals
    db.session.add(session)
    db.session.flush()
    fields = [key for key in SCALAR_FIELDS if data.get(key) not in (None, "")]
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="session",
        entity_id=session.id,
        client_id=client.id,
        fields=fields + (["goal_ids"] if goals else []),
    )
    return session


def update_session(
    session: CoachingSession, data: dict, *, version: int | None, actor: User
) -> list[str]:
    """Edit a session; refuses a stale ``version`` (``records.StaleRecordError``).

    A supervisor's sign-off covers the text they read: when the note or the next steps change
    after it, the session goes back to their review queue. A note returned for revision goes
    back to the queue with any change its coach saves, and the return's comment counts as
    read. Returns the changed field names.
    """
    records.ensure_version(session, version)
    client = session.client
    check_session(client, data)
    goals = client_goals(client, data.get("goal_ids"))
    changed = records.apply_changes(session, {key: data.get(key) for key in SCALAR_FIELDS})
    if {g.id for g in session.goals} != {g.id for g in goals}:
        session.goals = goals
        changed.append("goal_ids")
    if not changed:
        return []
    if session.reviewed_at is not None and set(REVIEWED_TEXT) & set(changed):
        session.reviewed_at = None
        session.reviewed_by_id = None
        changed += ["reviewed_at", "reviewed_by_id"]
    if session.returned_at is not None:
        session.returned_at = None
        changed.append("returned_at")
        if actor.id == session.coach_id:
            mark_comments_read(session, actor=actor)
    # Always UPDATE the row, even when only the goals changed, so the version check runs.
    session.updated_at = datetime.now(timezone.utc)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="session",
        entity_id=session.id,
        client_id=session.client_id,
        fields=changed,
    )
    return sorted(changed)


def archive_session(session: CoachingSession, *, reason: str, actor: User) -> None:
    """Archive (never delete) a session logged by mistake: who, when, why; audited."""
    records.archive(session, actor=actor, reason=reason, client_id=session.client_id)


def mark_comments_read(session: CoachingSession, *, actor: User) -> int:
    """Who the thread speaks to has read it; returns how many entries were unread. The
    session's coach reads the supervisor's comments; the coach's supervisor reads the coach's
    replies. Nobody else's reading counts (0)."""
    if actor.id == session.coach_id:
        addressed_to_actor = ReviewComment.author_id != actor.id
    elif session.coach.supervisor_id == actor.id:
        addressed_to_actor = and_(
            ReviewComment.kind == ReviewCommentKind.REPLY,
            ReviewComment.author_id == session.coach_id,
        )
    else:
        return 0
    result = db.session.execute(
        update(ReviewComment)
        .where(
            ReviewComment.session_id == session.id,
            ReviewComment.read_at.is_(None),
            addressed_to_actor,
        )
        .values(read_at=datetime.now(timezone.utc))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def reply_to_review(session: CoachingSession, body: str | None, *, actor: User) -> ReviewComment:
    """The session's coach answers the review thread (and has read it so far); the reply waits
    unread for their supervisor (the team dashboard lists it)."""
    text = (body or "").strip()
    if actor.id != session.coach_id:
        raise SessionRuleError("body", "Only the session's coach replies here.")
    if not text:
        raise SessionRuleError("body", "Write the reply first.")
    if len(text) > MAX_REPLY:
        raise SessionRuleError("body", f"At most {MAX_REPLY:,} characters.")
    mark_comments_read(session, actor=actor)
    entry = ReviewComment(
        session_id=session.id,
        author_id=actor.id,
        kind=ReviewCommentKind.REPLY,
        body=text,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="review_comment",
        entity_id=entry.id,
        client_id=session.client_id,
        fields=["body"],
    )
    return entry
