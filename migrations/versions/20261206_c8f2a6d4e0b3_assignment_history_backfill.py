"""assignment history for every client: opened from intake and the audit trail

Credit to coaches (metrics.md) reads each client's assignment history. Intake opens its first
row from now on; this opens the rows of the clients that existed before:

- a client with no row gets one per holder, from their first intake (or the day the record was
  made) to today's open row with their current coach;
- the audit trail's reassignment events (``entity_type = 'client'``, ``detail =
  'reassigned'``) split that time at each event's date. An event does not say who held the
  client before it: the coach who ran the client's latest session (else appointment) before
  the event is taken as that holder; with neither, the earlier time goes to the next holder.
  Adjacent rows with the same coach are one row;
- a client whose history began with a reassignment made before this release has an implied
  first row (their coach of that day since intake); older reassignment events refine it the
  same way.

Data only: the downgrade leaves the rows (the earlier schema has the table).

Revision ID: c8f2a6d4e0b3
Revises: a1c4e8f2b6d0
Create Date: 2026-12-06 07:30:00.000000

"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "c8f2a6d4e0b3"
down_revision = "a1c4e8f2b6d0"
branch_labels = None
depends_on = None

REASON = "Opened from the audit trail's reassignment events"


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):  # SQLite without type information
        return date.fromisoformat(value[:10])
    return value


def _holders(
    start: date,
    end: date | None,
    last_coach: int,
    events: list[date],
    contacts: list[tuple[date, int]],
) -> list[tuple[int, date, date | None]]:
    """``(coach, from, to)`` rows from ``start`` to ``end``: split at each event's date, each
    earlier holder guessed from the latest contact (session or appointment) before the split."""
    cuts = sorted({day for day in events if day > start and (end is None or day < end)})
    bounds = [start, *cuts]
    coaches: list[int | None] = []
    for i, _lo in enumerate(bounds):
        if i == len(bounds) - 1:
            coaches.append(last_coach)
            continue
        hi = bounds[i + 1]
        before = [coach for day, coach in sorted(contacts) if day < hi]
        coaches.append(before[-1] if before else None)
    rows: list[list] = []
    for i, (lo, coach) in enumerate(zip(bounds, coaches, strict=True)):
        hi = bounds[i + 1] if i + 1 < len(bounds) else end
        if coach is None:
            continue  # unknown: the next holder's row reaches back over it
        if rows and rows[-1][0] == coach:
            rows[-1][2] = hi
        else:
            rows.append([coach, lo, hi])
    if rows:
        rows[0][1] = start
        for previous, following in zip(rows, rows[1:], strict=False):
            following[1] = previous[2] if previous[2] is not None else following[1]
    return [tuple(row) for row in rows]


def upgrade():
    bind = op.get_bind()
    meta = sa.MetaData()
    clients = sa.Table("clients", meta, autoload_with=bind)
    enrollments = sa.Table("enrollments", meta, autoload_with=bind)
    assignments = sa.Table("client_assignments", meta, autoload_with=bind)
    audit = sa.Table("audit_events", meta, autoload_with=bind)
    sessions = sa.Table("sessions", meta, autoload_with=bind)
    appointments = sa.Table("appointments", meta, autoload_with=bind)

    events: dict[int, list[tuple[datetime, date]]] = defaultdict(list)
    for client_id, occurred_at in bind.execute(
        sa.select(audit.c.client_id, audit.c.occurred_at).where(
            audit.c.entity_type == "client",
            audit.c.action == "update",
            audit.c.detail == "reassigned",
            audit.c.client_id.is_not(None),
        )
    ):
        events[client_id].append((occurred_at, _as_date(occurred_at)))

    stored: dict[int, list] = defaultdict(list)
    for row in bind.execute(
        sa.select(assignments).order_by(
            assignments.c.client_id, assignments.c.starts_on, assignments.c.id
        )
    ):
        stored[row.client_id].append(row)

    first_intake = dict(
        bind.execute(
            sa.select(enrollments.c.client_id, sa.func.min(enrollments.c.intake_date)).group_by(
                enrollments.c.client_id
            )
        ).all()
    )

    def contacts_of(client_id: int) -> list[tuple[date, int]]:
        found = [
            (_as_date(day), coach)
            for day, coach in bind.execute(
                sa.select(sessions.c.date, sessions.c.coach_id).where(
                    sessions.c.client_id == client_id, sessions.c.archived_at.is_(None)
                )
            )
        ]
        if not found:
            found = [
                (_as_date(at), coach)
                for at, coach in bind.execute(
                    sa.select(appointments.c.scheduled_at, appointments.c.coach_id).where(
                        appointments.c.client_id == client_id,
                        appointments.c.archived_at.is_(None),
                    )
                )
            ]
        return found

    now = datetime.now(timezone.utc)
    new_rows: list[dict] = []
    for client_id, coach_id, created_at in bind.execute(
        sa.select(clients.c.id, clients.c.coach_id, clients.c.created_at).order_by(clients.c.id)
    ):
        start = first_intake.get(client_id)
        start = _as_date(start) if start is not None else _as_date(created_at or now)
        rows = stored.get(client_id)
        if not rows:
            days = [day for _at, day in events.get(client_id, [])]
            contacts = contacts_of(client_id) if days else []
            holders = _holders(start, None, coach_id, days, contacts)
            replace = None
        else:
            # The implied first row of a history begun by a reassignment of this release.
            first = rows[0]
            if first.created_by_id is not None or first.ends_on is None:
                continue
            made = first.created_at
            older = [day for at, day in events.get(client_id, []) if made is None or at < made]
            if not older:
                continue
            holders = _holders(
                _as_date(first.starts_on),
                _as_date(first.ends_on),
                first.coach_id,
                older,
                contacts_of(client_id),
            )
            if len(holders) < 2:
                continue
            replace = first.id
        if replace is not None:
            bind.execute(assignments.delete().where(assignments.c.id == replace))
        for i, (coach, lo, hi) in enumerate(holders):
            new_rows.append(
                {
                    "client_id": client_id,
                    "coach_id": coach,
                    "starts_on": lo,
                    "ends_on": hi,
                    "reason": REASON if i > 0 else None,
                    "created_at": now,
                }
            )
        if len(new_rows) >= 1000:
            bind.execute(assignments.insert(), new_rows)
            new_rows = []
    if new_rows:
        bind.execute(assignments.insert(), new_rows)


def downgrade():
    pass
