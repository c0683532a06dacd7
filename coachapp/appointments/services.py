"""Appointment services: schedule, edit, record the outcome, archive.

``scheduled_at`` is a naive wall-clock time in the client's program zone. An outcome that says
the appointment happened (attended, no-show) cannot be recorded before its time, program-local;
cancelled and rescheduled can. ``coach_accompanied`` is ``True``/``False`` for an attended
appointment and ``None`` for every other outcome (the question does not apply: nobody "went
along" to an appointment that did not take place, and metrics.md counts ``accompanied`` among
attended ones only).

No HTTP here: views and the API pass plain values and commit once after a service succeeds;
the audit trail carries field names only. The rules above, and that a directory resource named
is one the client's program may use, are written here only; a refusal raises
``AppointmentRuleError`` before anything changes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import select

from coachapp import audit, records, timeutil
from coachapp.appointments import queries
from coachapp.extensions import db
from coachapp.models import Appointment, CalendarFeedToken, Client, User
from coachapp.models.enums import AppointmentKind, AppointmentOutcome, AuditAction, Role

ENTITY = "appointment"
DETAIL_FIELDS = (
    "scheduled_at",
    "kind",
    "location",
    "resource_id",
    "accompaniment_planned",
    "notes",
)
HAPPENED = (AppointmentOutcome.ATTENDED, AppointmentOutcome.NO_SHOW)
RESOURCE_MESSAGE = "Choose an active resource from the list, or none."
OUTCOME_MESSAGE = "Choose what happened."
ACCOMPANIED_MESSAGE = "Say whether you went along to this appointment."


class AppointmentRuleError(records.RuleError):
    """A request the rules of appointments refuse; ``field`` names the form field to blame."""


def _detail_problems(
    client: Client, data: dict, *, keep_resource_id: int | None = None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.get("kind") not in set(AppointmentKind):
        problems["kind"] = "Not a valid kind."
    if not isinstance(data.get("scheduled_at"), datetime):
        problems["date"] = "Give the date and time."
    resource_id = data.get("resource_id")
    if resource_id is not None and (
        queries.usable_resource(client.program_id, resource_id, keep_id=keep_resource_id) is None
    ):
        problems["resource_id"] = RESOURCE_MESSAGE
    return problems


def _check_details(client: Client, data: dict, *, keep_resource_id: int | None = None) -> None:
    problems = _detail_problems(client, data, keep_resource_id=keep_resource_id)
    if problems:
        raise AppointmentRuleError(problems)


def _moved_to_future(appointment: Appointment, scheduled_at) -> str | None:
    if (
        appointment.outcome in HAPPENED
        and isinstance(scheduled_at, datetime)
        and scheduled_at > timeutil.local_now(appointment.client.program)
    ):
        return (
            f"This appointment is recorded as {appointment.outcome.replace('_', ' ')}: "
            "it cannot be moved to the future."
        )
    return None


def check_appointment(
    client: Client, data: dict, *, appointment: Appointment | None = None
) -> None:
    """The rules of an appointment's details (``data`` as ``create_appointment`` takes it;
    ``appointment`` on an edit), asked without writing anything. Raises
    ``AppointmentRuleError`` naming every field refused."""
    if appointment is None:
        _check_details(client, data)
        return
    merged = {key: getattr(appointment, key) for key in DETAIL_FIELDS} | {
        key: data[key] for key in DETAIL_FIELDS if key in data
    }
    problems = _detail_problems(client, merged, keep_resource_id=appointment.resource_id)
    future = _moved_to_future(appointment, merged.get("scheduled_at"))
    if future and "date" not in problems:
        problems["date"] = future
    if problems:
        raise AppointmentRuleError(problems)


def create_appointment(client: Client, data: dict, *, actor: User) -> Appointment:
    """Schedule an appointment for ``client``.

    ``data``: scheduled_at (naive, program-local), kind, location, resource_id,
    accompaniment_planned, notes. The appointment is the acting coach's when a coach schedules
    it (a covering coach included), otherwise the client's coach's. Outcome: ``scheduled``.
    """
    _check_details(client, data)
    appointment = Appointment(
        client_id=client.id,
        coach_id=actor.id if actor.role == Role.COACH else client.coach_id,
        outcome=AppointmentOutcome.SCHEDULED,
        **{key: data.get(key) for key in DETAIL_FIELDS},
    )
    appointment.accompaniment_planned = bool(appointment.accompaniment_planned)
    db.session.add(appointment)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type=ENTITY,
        entity_id=appointment.id,
        client_id=client.id,
        fields=[k for k in DETAIL_FIELDS if data.get(k) not in (None, "", False)],
    )
    return appointment


def update_appointment(
    appointment: Appointment, data: dict, *, version: int | None, actor: User
) -> list[str]:
    """Change when, kind, where, resource, accompaniment planned and notes (the keys of
    ``data`` that are present; the rest stay). Refuses a stale version, an unusable resource,
    and a future time for an appointment already recorded as attended or no-show."""
    records.ensure_version(appointment, version)
    client = appointment.client
    changes = {key: data[key] for key in DETAIL_FIELDS if key in data}
    if "accompaniment_planned" in changes:
        changes["accompaniment_planned"] = bool(changes["accompaniment_planned"])
    check_appointment(client, changes, appointment=appointment)
    changed = records.apply_changes(appointment, changes)
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type=ENTITY,
            entity_id=appointment.id,
            client_id=appointment.client_id,
            fields=changed,
        )
    return changed


def check_outcome(
    appointment: Appointment,
    *,
    outcome: str | None,
    coach_accompanied: bool | None,
    now: datetime | None = None,
) -> None:
    """The rules of recording ``outcome`` (see ``record_outcome``), asked without writing.
    Raises ``AppointmentRuleError`` naming every field refused."""
    problems: dict[str, str] = {}
    if outcome not in set(AppointmentOutcome) or outcome == AppointmentOutcome.SCHEDULED:
        problems["outcome"] = OUTCOME_MESSAGE
    else:
        local_now = now or timeutil.local_now(appointment.client.program)
        if outcome in HAPPENED and appointment.scheduled_at > local_now:
            problems["outcome"] = (
                "This appointment has not happened yet: it can be marked cancelled or "
                "rescheduled now, attended or no-show once its time has come."
            )
        if outcome == AppointmentOutcome.ATTENDED and coach_accompanied is None:
            problems["coach_accompanied"] = ACCOMPANIED_MESSAGE
    if problems:
        raise AppointmentRuleError(problems)


def record_outcome(
    appointment: Appointment,
    *,
    outcome: str,
    coach_accompanied: bool | None,
    version: int | None,
    actor: User,
    now: datetime | None = None,
) -> list[str]:
    """Record what happened: attended (with whether the coach went along), no-show, cancelled
    or rescheduled; ``outcome_recorded_at`` is now (UTC). May be recorded again to correct a
    slip. Refuses a stale version, and attended / no-show before the appointment's time
    (``now`` is the program-local wall clock; default: the real one)."""
    records.ensure_version(appointment, version)
    check_outcome(appointment, outcome=outcome, coach_accompanied=coach_accompanied, now=now)
    went = bool(coach_accompanied) if outcome == AppointmentOutcome.ATTENDED else None
    changed = records.apply_changes(appointment, {"outcome": outcome, "coach_accompanied": went})
    appointment.outcome_recorded_at = datetime.now(timezone.utc)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type=ENTITY,
        entity_id=appointment.id,
        client_id=appointment.client_id,
        fields=[*changed, "outcome_recorded_at"],
    )
    return sorted([*changed, "outcome_recorded_at"])


def archive_appointment(appointment: Appointment, *, reason: str, actor: User) -> None:
    """Archive (never delete) an appointment entered by mistake: who, when, why, audited."""
    records.archive(appointment, actor=actor, reason=reason, client_id=appointment.client_id)


# --- Calendar subscription ---------------------------------------------------------------------


def _hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed_token(user: User) -> str:
    """A new secret calendar subscription token for ``user`` (returned once, stored only as a
    SHA-256); any earlier one stops working. Audited."""
    revoke_feed_tokens(user)
    token = secrets.token_urlsafe(32)
    row = CalendarFeedToken(user_id=user.id, token_hash=_hash_feed_token(token))
    db.session.add(row)
    db.session.flush()
    audit.record(AuditAction.CREATE, actor=user, entity_type="calendar_feed", entity_id=row.id)
    return token


def live_feed_token(user: User) -> CalendarFeedToken | None:
    """The user's subscription in force, if any."""
    return db.session.scalar(
        select(CalendarFeedToken)
        .where(CalendarFeedToken.user_id == user.id, CalendarFeedToken.revoked_at.is_(None))
        .order_by(CalendarFeedToken.id.desc())
        .limit(1)
    )


def revoke_feed_tokens(user: User, *, actor: User | None = None) -> int:
    """Stop every subscription address of ``user`` at once (rows stay, for the record)."""
    rows = db.session.scalars(
        select(CalendarFeedToken).where(
            CalendarFeedToken.user_id == user.id, CalendarFeedToken.revoked_at.is_(None)
        )
    ).all()
    now = datetime.now(timezone.utc)
    for row in rows:
        row.revoked_at = now
        audit.record(
            AuditAction.UPDATE,
            actor=actor or user,
            entity_type="calendar_feed",
            entity_id=row.id,
            fields=["revoked_at"],
        )
    return len(rows)


def user_for_feed_token(token: str) -> User | None:
    """The active user a live subscription token belongs to; None when unknown, revoked, or
    the user is deactivated. Notes when it was last used."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(CalendarFeedToken).where(
            CalendarFeedToken.token_hash == _hash_feed_token(token),
            CalendarFeedToken.revoked_at.is_(None),
        )
    )
    if row is None or not row.user.active:
        return None
    row.last_used_at = datetime.now(timezone.utc)
    return row.user
