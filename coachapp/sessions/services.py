"""Session services: log a session (a contact), edit it, archive it; sign it, co-sign it and
correct a signed one with dated addenda.

No HTTP here: views pass plain values and commit once after a service succeeds. The rules of a
session are written here only (``check_session``, ``client_goals``), for the pages and the API
alike: a date that has come, 1 to 720 minutes, the enumerations' values, the client's own
goals; for a billable session its start and end time and place of service. A refusal raises
``SessionRuleError`` before anything changes, so a bad value is a message beside its field (or a
422), never a 500.

A signed session is read-only: ``ensure_unsigned`` is the one place that says so, and every
service that would change a session's content asks it first (``SignedSessionError``: the pages
show it above the form, the API answers 409).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import and_, select, update

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.limits import (
    MAX_ADDENDUM_REASON,
    MAX_GROUP_SIZE,
    MAX_MINUTES,
    MAX_REPLY,
    MAX_TEXT,
    MIN_MINUTES,
)
from coachapp.models import Client, CoachingSession, Goal, ReviewComment, User
from coachapp.models.enums import AuditAction, Modality, Role, SessionKind, SessionOutcome
from coachapp.models.sessions import ReviewCommentKind, SessionAddendum
from coachapp.plans import queries as plan_queries
from coachapp.sessions.places import PLACES_OF_SERVICE

SCALAR_FIELDS = (
    "date",
    "duration_minutes",
    "modality",
    "kind",
    "outcome",
    "note",
    "next_steps",
    "start_time",
    "end_time",
    "place_of_service",
    "billable",
    "group_size",
)
REVIEWED_TEXT = ("note", "next_steps")
MINUTES_MESSAGE = f"Give the minutes, from {MIN_MINUTES} to {MAX_MINUTES}."
SIGNED_MESSAGE = (
    "This session note is signed and read-only: nothing was changed. "
    "To correct it, add an addendum."
)


class SessionRuleError(records.RuleError):
    """Values the rules of sessions refuse; ``errors`` names each field to blame."""


class SignedSessionError(Exception):
    """A change to the content of a signed session (``ensure_unsigned``); nothing was written.
    Not a ``RuleError``: no field is wrong, the record is closed (the API answers 409)."""

    def __init__(self, message: str = SIGNED_MESSAGE):
        self.message = message
        super().__init__(message)


def ensure_unsigned(session: CoachingSession) -> None:
    """The one rule of signed notes: their content never changes (an addendum corrects them).
    Every service that edits a session, returns it for revision or signs it asks this first."""
    if session.is_signed:
        raise SignedSessionError()


def minutes_between(start: time, end: time) -> int:
    """Whole minutes from ``start`` to ``end`` on the same day (negative when end is earlier)."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def with_times(data: dict) -> dict:
    """``data`` with ``duration_minutes`` computed from ``start_time`` and ``end_time`` when both
    are times (the minutes given are then ignored); unchanged otherwise."""
    start, end = data.get("start_time"), data.get("end_time")
    if isinstance(start, time) and isinstance(end, time):
        data = {**data, "duration_minutes": minutes_between(start, end)}
    return data


def _check_billing(data: dict, problems: dict[str, str]) -> None:
    """The billable part of ``check_session``: times, place of service, group size."""
    start, end = data.get("start_time"), data.get("end_time")
    billable = data.get("billable") is True
    if data.get("billable") not in (None, True, False):
        problems["billable"] = "Say whether the session is billable."
    if start is not None and not isinstance(start, time):
        problems["start_time"] = "Give the start time as HH:MM (24-hour)."
    if end is not None and not isinstance(end, time):
        problems["end_time"] = "Give the end time as HH:MM (24-hour)."
    if isinstance(start, time) and isinstance(end, time):
        minutes = minutes_between(start, end)
        if minutes <= 0:
            problems["end_time"] = "The end time must be after the start time, on the same day."
        elif minutes > MAX_MINUTES:
            problems["end_time"] = f"A session lasts at most {MAX_MINUTES} minutes."
    elif end is not None and start is None and "start_time" not in problems:
        problems["start_time"] = "Give the start time too (the end time alone says nothing)."
    if billable:
        if start is None and "start_time" not in problems:
            problems["start_time"] = "A billable session needs its start time."
        if end is None and "end_time" not in problems:
            problems["end_time"] = "A billable session needs its end time."
    place = data.get("place_of_service")
    if place not in (None, "") and place not in PLACES_OF_SERVICE:
        problems["place_of_service"] = "Choose a place of service from the list."
    elif billable and place in (None, ""):
        problems["place_of_service"] = "A billable session needs its place of service."
    if billable and data.get("outcome") == SessionOutcome.ATTEMPTED:
        problems["billable"] = "An attempted contact (the client was not reached) is not billable."
    size = data.get("group_size")
    group = data.get("kind") == SessionKind.GROUP
    if size is not None and (
        isinstance(size, bool) or not isinstance(size, int) or not 2 <= size <= MAX_GROUP_SIZE
    ):
        problems["group_size"] = f"Give the number of clients in the group, 2 to {MAX_GROUP_SIZE}."
    elif size is not None and not group:
        problems["group_size"] = "Only a group session has a group size: clear it."
    elif size is None and group and billable:
        problems["group_size"] = "A billable group session needs the number of clients in it."


NO_PLAN_MESSAGE = (
    "No recovery plan signed by the client and the coach is current on this date, so this "
    "session cannot be billed: untick billable, or date it after the plan was signed."
)
NO_GOAL_MESSAGE = "A billable session addresses at least one goal of the client's current plan."
GOAL_OFF_PLAN_MESSAGE = (
    "A billable session addresses only goals of the client's current signed plan: "
    "untick the goals that are not on it (or make a new plan version with them, and sign it)."
)


def _check_plan_goals(client: Client, data: dict, problems: dict[str, str]) -> None:
    """A billable session's goals are goals of the client's plan current on its date (the
    plan signed by both on or before that day, in the episode covering it)."""
    try:
        wanted = {int(i) for i in data.get("goal_ids") or ()}
    except (TypeError, ValueError):
        return  # ``client_goals`` refuses them with its own message
    plan = plan_queries.current_plan(client.id, data["date"], program=client.program)
    if plan is None:
        problems["billable"] = NO_PLAN_MESSAGE
    elif not wanted:
        problems["goal_ids"] = NO_GOAL_MESSAGE
    elif not wanted <= {goal.id for goal in plan.goals}:
        problems["goal_ids"] = GOAL_OFF_PLAN_MESSAGE


def check_session(client: Client, data: dict) -> None:
    """The rules of a session with ``client`` (``data`` as ``create_session`` takes it), for
    the pages and the API alike. Raises ``SessionRuleError`` naming every field refused:

    - ``date``: a date from 1900 to the program's today (a session has happened);
    - ``duration_minutes``: a whole number from 1 to 720;
    - ``modality``, ``kind``, ``outcome``: one of their enumeration's values;
    - ``start_time``, ``end_time``: times of day, the end after the start on the same day
      (with both, ``duration_minutes`` is computed from them: ``with_times``);
    - ``place_of_service``: a CMS code of ``places.PLACES_OF_SERVICE``;
    - ``billable``: needs both times and the place of service, a completed contact, and for a
      group session ``group_size`` (2 to ``MAX_GROUP_SIZE``; only group sessions have one);
      then a plan current on its date, and ``goal_ids`` among that plan's goals (at least one).
    """
    problems: dict[str, str] = {}
    data = with_times(data)
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
    _check_billing(data, problems)
    if data.get("billable") is True and not problems:
        _check_plan_goals(client, data, problems)
    if "end_time" in problems or "start_time" in problems:
        problems.pop("duration_minutes", None)  # computed from the times: their message says it
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


def _with_defaults(data: dict) -> dict:
    """An empty place of service is none; ``billable`` not given is false."""
    data = dict(data)
    if data.get("place_of_service") == "":
        data["place_of_service"] = None
    if data.get("billable") is None:
        data["billable"] = False
    return data


def session_coach_id(client: Client, actor: User) -> int:
    """Who gets the session (and its hours): the coach logging it, else the client's coach."""
    return actor.id if actor.role == Role.COACH else client.coach_id


def create_session(client: Client, data: dict, *, actor: User) -> CoachingSession:
    """Log a session with ``client``.

    ``data``: date, duration_minutes (1–720), modality, kind, outcome, goal_ids (the client's
    goals), note, next_steps, and for billing start_time, end_time, place_of_service, billable,
    group_size (``check_session``). Raises ``SessionRuleError`` for a value the rules refuse.
    """
    data = _with_defaults(with_times(data))
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
    fields = [key for key in SCALAR_FIELDS if data.get(key) not in (None, "", False)]
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
    read. A signed session refuses any change (``SignedSessionError``). Returns the changed
    field names.
    """
    ensure_unsigned(session)
    records.ensure_version(session, version)
    client = session.client
    data = _with_defaults(with_times(data))
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
    """Archive (never delete) a session logged by mistake: who, when, why; audited. A signed
    session may be archived too: archiving changes nothing of what was signed (the note, its
    signature and addenda stay as they are) and takes it out of the lists and the worksheet."""
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


# --- Signing, co-signature and addenda ------------------------------------------------------------


def can_sign(session: CoachingSession, user: User) -> bool:
    """Only the session's coach signs its note."""
    return user.id == session.coach_id


def can_cosign(session: CoachingSession, user: User) -> bool:
    """A supervisor of the session's coach co-signs (the coach's supervisor)."""
    return user.role == Role.SUPERVISOR and session.coach.supervisor_id == user.id


def can_add_addendum(session: CoachingSession, user: User) -> bool:
    """The session's coach corrects their signed note; so may their supervisor (the one who
    co-signs), whose addendum says who wrote it."""
    return can_sign(session, user) or can_cosign(session, user)


def check_signable(session: CoachingSession) -> None:
    """What signing needs: not signed already, not waiting for the coach's revision, a note."""
    ensure_unsigned(session)
    if session.returned_at is not None:
        raise SessionRuleError(
            "session",
            "Returned for revision: revise the note and save it before signing.",
        )
    if not (session.note or "").strip():
        raise SessionRuleError("note", "Write the note before signing it.")


def sign_session(session: CoachingSession, *, actor: User) -> None:
    """The session's coach signs the note: when, who, and the credential they hold now (copied:
    a later change of ``users.credential`` leaves the signature as it was; none on file is
    allowed and shown as such). From then on the session is read-only (``ensure_unsigned``).
    A supervisor's sign-off is a review, not this signature; both may happen in either order.
    Raises ``PermissionError`` for anyone but the coach, ``SignedSessionError`` when signed
    already, ``SessionRuleError`` when the note is missing or returned for revision."""
    if not can_sign(session, actor):
        raise PermissionError("only the session's coach signs its note")
    check_signable(session)
    session.signed_at = datetime.now(timezone.utc)
    session.signed_by_id = actor.id
    session.signed_credential = (actor.credential or "").strip() or None
    session.updated_at = session.signed_at
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="session",
        entity_id=session.id,
        client_id=session.client_id,
        fields=["signed_at", "signed_by_id", "signed_credential"],
        detail="signed",
    )


def cosign_session(session: CoachingSession, *, actor: User) -> None:
    """A supervisor of the session's coach co-signs a signed note (once)."""
    if not can_cosign(session, actor):
        raise PermissionError("only the coach's supervisor co-signs")
    if not session.is_signed:
        raise SessionRuleError("session", "The coach signs the note first; then co-sign it.")
    if session.cosigned_at is not None:
        raise SessionRuleError("session", "This note is co-signed already.")
    session.cosigned_at = datetime.now(timezone.utc)
    session.cosigned_by_id = actor.id
    session.updated_at = session.cosigned_at
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="session",
        entity_id=session.id,
        client_id=session.client_id,
        fields=["cosigned_at", "cosigned_by_id"],
        detail="co-signed",
    )


def check_addendum(text: str | None, reason: str | None) -> tuple[str, str]:
    """An addendum's text and reason, both required; returns them trimmed."""
    problems: dict[str, str] = {}
    text = text.strip() if isinstance(text, str) else ""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not text:
        problems["text"] = "Write the correction or addition."
    elif len(text) > MAX_TEXT:
        problems["text"] = f"At most {MAX_TEXT:,} characters."
    if not reason:
        problems["reason"] = "Say why the signed note needs it."
    elif len(reason) > MAX_ADDENDUM_REASON:
        problems["reason"] = f"At most {MAX_ADDENDUM_REASON:,} characters."
    if problems:
        raise SessionRuleError(problems)
    return text, reason


def add_addendum(
    session: CoachingSession, text: str | None, reason: str | None, *, actor: User
) -> SessionAddendum:
    """A dated addendum to a signed note (who, when, why); the note stays as signed. Raises
    ``PermissionError`` for anyone but the coach or their supervisor, ``SessionRuleError`` for a
    missing text or reason, or when the note is not signed (edit it instead)."""
    if not can_add_addendum(session, actor):
        raise PermissionError("only the session's coach or their supervisor adds addenda")
    text, reason = check_addendum(text, reason)
    if not session.is_signed:
        raise SessionRuleError(
            "session", "Only a signed note takes addenda: this one can still be edited."
        )
    entry = SessionAddendum(session_id=session.id, author_id=actor.id, text=text, reason=reason)
    db.session.add(entry)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="session_addendum",
        entity_id=entry.id,
        client_id=session.client_id,
        fields=["text", "reason"],
    )
    return entry
