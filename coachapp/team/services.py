"""Supervisor actions: note sign-off and return for revision, reassignment and covering
assignments. Audited; no HTTP."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import bindparam, select, text

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.limits import HANDOFF_MAX, REASON_MAX
from coachapp.models import (
    Client,
    ClientAssignment,
    CoachingSession,
    CoveringAssignment,
    ReviewComment,
    User,
)
from coachapp.models.enums import AuditAction, Role
from coachapp.models.sessions import ReviewCommentKind
from coachapp.sessions.services import SignedSessionError, ensure_unsigned


class TeamRuleError(records.RuleError):
    """A supervisor action the rules refuse; ``field`` names the form field to blame."""


def _thread_entry(session: CoachingSession, kind: str, body: str, actor: User) -> ReviewComment:
    entry = ReviewComment(session_id=session.id, author_id=actor.id, kind=kind, body=body)
    db.session.add(entry)
    return entry


def sign_off(session: CoachingSession, *, comment: str | None, actor: User) -> None:
    """Mark a session note reviewed (who, when), with an optional comment back to the coach,
    which opens (or continues) the session's review thread."""
    now = datetime.now(timezone.utc)
    session.reviewed_by_id = actor.id
    session.reviewed_at = now
    session.returned_at = None
    session.review_comment = comment or None
    if comment:
        _thread_entry(session, ReviewCommentKind.SIGN_OFF, comment, actor)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="session",
        entity_id=session.id,
        client_id=session.client_id,
        fields=["reviewed_at", "reviewed_by_id"] + (["review_comment"] if comment else []),
    )


def sign_off_many(sessions: list[CoachingSession], *, actor: User) -> int:
    """Sign off several notes at once (no comment); each is audited. Returns how many."""
    for session in sessions:
        sign_off(session, comment=None, actor=actor)
    return len(sessions)


def return_for_revision(session: CoachingSession, *, comment: str | None, actor: User) -> None:
    """Send a note back to its coach with a comment saying what to revise: it leaves the review
    queue and is the coach's task until they edit the session (``sessions.services``). A note
    its coach has signed is read-only and cannot be returned: an addendum corrects it."""
    try:
        ensure_unsigned(session)
    except SignedSessionError as exc:
        raise TeamRuleError(
            "comment",
            "Its coach has signed this note, so it is read-only: ask them for an addendum.",
        ) from exc
    if not comment or not comment.strip():
        raise TeamRuleError("comment", "Say what to revise: a comment is required.")
    session.returned_at = datetime.now(timezone.utc)
    _thread_entry(session, ReviewCommentKind.RETURNED, comment.strip(), actor)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="session",
        entity_id=session.id,
        client_id=session.client_id,
        fields=["returned_at", "review_comments"],
        detail="returned for revision",
    )


def threads_from_sign_off_comments(unread_since: datetime) -> None:
    """Give every sign-off comment written straight into ``sessions.review_comment`` (bulk
    loads: the demo) its thread entry; those from ``unread_since`` on stay unread. The
    ciphertext is copied as it is."""
    db.session.execute(
        text(
            "INSERT INTO review_comments (session_id, author_id, kind, body, created_at, read_at) "
            "SELECT s.id, s.reviewed_by_id, 'sign_off', s.review_comment, s.reviewed_at, "
            "CASE WHEN s.reviewed_at >= :since THEN NULL ELSE s.reviewed_at END "
            "FROM sessions s WHERE s.review_comment IS NOT NULL AND s.reviewed_by_id IS NOT NULL "
            "AND s.reviewed_at IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM review_comments r WHERE r.session_id = s.id) "
            "ORDER BY s.reviewed_at, s.id"
        ),
        {"since": unread_since},
    )


def assignment_history(client: Client) -> list[ClientAssignment]:
    """The client's assignment rows, oldest first. A client never reassigned has none stored:
    one open row is implied, their coach since the first intake (``implied_first_row``)."""
    return list(
        db.session.scalars(
            select(ClientAssignment)
            .where(ClientAssignment.client_id == client.id)
            .order_by(ClientAssignment.starts_on, ClientAssignment.id)
        )
    )


def implied_first_row(client: Client) -> ClientAssignment:
    """The row intake opened: the current coach, from the first episode's intake."""
    first = client.enrollments[0].intake_date if client.enrollments else None
    if first is None:
        created = client.created_at or datetime.now(timezone.utc)
        first = created.date()
    return ClientAssignment(client_id=client.id, coach_id=client.coach_id, starts_on=first)


def check_reassign(
    client: Client,
    new_coach: User | None,
    *,
    reason: str | None,
    handoff_note: str | None = None,
    effective_on: date | None = None,
    today: date | None = None,
) -> None:
    """The rules of ``reassign``, asked without writing. Raises ``TeamRuleError`` naming
    every field refused (``coach_id``, ``reason``, ``handoff_note``, ``effective_on``)."""
    problems: dict[str, str] = {}
    if new_coach is None or new_coach.role != Role.COACH or not new_coach.active:
        problems["coach_id"] = "Choose an active coach."
    elif new_coach.program_id != client.program_id:
        problems["coach_id"] = "That coach works in another program."
    elif client.coach_id == new_coach.id:
        problems["coach_id"] = (
            f"{client.code} is already on {new_coach.name}'s caseload: choose another coach."
        )
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = "Give the reason for the reassignment."
    elif len(reason) > REASON_MAX:
        problems["reason"] = f"Keep the reason to {REASON_MAX} characters."
    handoff_note = (handoff_note or "").strip() or None
    if handoff_note is not None and len(handoff_note) > HANDOFF_MAX:
        problems["handoff_note"] = f"Keep the hand-off note to {HANDOFF_MAX:,} characters."
    today = today or timeutil.local_today(client.program)
    effective_on = effective_on or today
    latest = client.latest_enrollment
    open_row = next((r for r in reversed(assignment_history(client)) if r.ends_on is None), None)
    if effective_on > today:
        problems["effective_on"] = "A reassignment cannot take effect in the future."
    elif latest is not None and effective_on < latest.intake_date:
        problems["effective_on"] = (
            f"A reassignment cannot take effect before the current episode's intake "
            f"({latest.intake_date.isoformat()})."
        )
    elif open_row is not None and effective_on < open_row.starts_on:
        # With no open row yet, the implied first one starts early enough (see ``reassign``).
        problems["effective_on"] = (
            f"The current assignment began on {open_row.starts_on.isoformat()}: "
            "the reassignment cannot take effect before it."
        )
    if problems:
        raise TeamRuleError(problems)


def reassign(
    client: Client,
    new_coach: User,
    *,
    actor: User,
    reason: str | None,
    handoff_note: str | None = None,
    effective_on: date | None = None,
    today: date | None = None,
) -> ClientAssignment:
    """Put ``client`` on ``new_coach``'s caseload from ``effective_on`` (default today,
    program-local; never in the future nor before the current episode's intake).

    The open row of the assignment history closes on that day and a new one opens, carrying the
    reason (required) and the optional hand-off note for the receiving coach. Refuses, before
    anything changes: a coach who already holds the client, an inactive or non-coach user, a
    coach of another program, an empty or over-long reason or note. Audited with field names."""
    check_reassign(
        client,
        new_coach,
        reason=reason,
        handoff_note=handoff_note,
        effective_on=effective_on,
        today=today,
    )
    reason = (reason or "").strip()
    handoff_note = (handoff_note or "").strip() or None
    effective_on = effective_on or today or timeutil.local_today(client.program)
    rows = assignment_history(client)
    open_row = next((r for r in reversed(rows) if r.ends_on is None), None)
    if open_row is None:
        open_row = implied_first_row(client)
        open_row.starts_on = min(open_row.starts_on, effective_on)
        db.session.add(open_row)
    open_row.ends_on = effective_on
    row = ClientAssignment(
        client_id=client.id,
        coach_id=new_coach.id,
        starts_on=effective_on,
        reason=reason,
        handoff_note=handoff_note,
        created_by_id=actor.id,
    )
    db.session.add(row)
    client.coach_id = new_coach.id
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="client",
        entity_id=client.id,
        client_id=client.id,
        fields=["coach_id"],
        detail="reassigned",
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="client_assignment",
        entity_id=row.id,
        client_id=client.id,
        fields=["coach_id", "starts_on", "reason"] + (["handoff_note"] if handoff_note else []),
    )
    return row


# Built once: every client page of a coach asks it.
_LATEST_HANDOFF = (
    select(ClientAssignment)
    .where(
        ClientAssignment.client_id == bindparam("handoff_client_id"),
        ClientAssignment.coach_id == bindparam("handoff_coach_id"),
        ClientAssignment.ends_on.is_(None),
        ClientAssignment.handoff_note.is_not(None),
    )
    .order_by(ClientAssignment.id.desc())
    .limit(1)
)


def latest_handoff(client: Client, coach: User) -> ClientAssignment | None:
    """The open assignment row of ``client`` with ``coach`` when it carries a hand-off note:
    what the receiving coach is told when they open the client."""
    return db.session.scalar(
        _LATEST_HANDOFF, {"handoff_client_id": client.id, "handoff_coach_id": coach.id}
    )


def mark_handoff_read(client: Client, *, actor: User) -> bool:
    """The receiving coach has read the hand-off note of ``client``: it leaves their tasks (the
    note itself stays on the client's page). False when there is none unread for them."""
    row = latest_handoff(client, actor)
    if row is None or row.handoff_read_at is not None:
        return False
    row.handoff_read_at = datetime.now(timezone.utc)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="client_assignment",
        entity_id=row.id,
        client_id=client.id,
        fields=["handoff_read_at"],
    )
    return True


def check_cover(
    *,
    covering_user: User | None,
    coach: User | None,
    client: Client | None,
    starts_on: date | None,
    ends_on: date | None,
) -> None:
    """The rules of ``create_cover``, asked without writing (a value the form refused is
    None and not judged here). Raises ``TeamRuleError`` naming every field refused."""
    problems: dict[str, str] = {}
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems["ends_on"] = "The cover cannot end before it starts."
    if covering_user is not None and coach is not None and covering_user.id == coach.id:
        problems["covering_user_id"] = "A coach cannot cover for themself."
    if client is not None and coach is not None and client.coach_id != coach.id:
        problems["client_id"] = "That client is not on this coach's caseload."
    if problems:
        raise TeamRuleError(problems)


def create_cover(
    *,
    covering_user: User,
    coach: User,
    client: Client | None,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    actor: User,
) -> CoveringAssignment:
    """Give ``covering_user`` access to ``client`` (or all of ``coach``'s caseload) for a range
    of dates; it ends by itself after ``ends_on``."""
    check_cover(
        covering_user=covering_user,
        coach=coach,
        client=client,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    cover = CoveringAssignment(
        covering_user_id=covering_user.id,
        coach_id=coach.id,
        client_id=client.id if client else None,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by_id=actor.id,
    )
    db.session.add(cover)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="covering_assignment",
        entity_id=cover.id,
        client_id=client.id if client else None,
        fields=["covering_user_id", "coach_id", "starts_on", "ends_on"]
        + (["client_id"] if client else []),
    )
    return cover


def end_cover(cover: CoveringAssignment, *, actor: User) -> None:
    cover.ended_at = datetime.now(timezone.utc)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="covering_assignment",
        entity_id=cover.id,
        client_id=cover.client_id,
        fields=["ended_at"],
    )
