"""The migration that opens every existing client's assignment history (c8f2a6d4e0b3): one row
from intake for a client never reassigned, one row per holder where the audit trail has
reassignment events, and the implied first row of a history begun before it refined. On both
databases: the records are made at head, the history removed, and the migration run again."""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select

from coachapp.extensions import db
from coachapp.models import AuditEvent, ClientAssignment
from tests import factories
from tests.helpers import d

BEFORE = "a1c4e8f2b6d0"  # the revision before the backfill


def reassigned_event(client, on: date) -> None:
    db.session.add(
        AuditEvent(
            occurred_at=datetime(on.year, on.month, on.day, 10, tzinfo=timezone.utc),
            action="update",
            entity_type="client",
            entity_id=client.id,
            client_id=client.id,
            fields="coach_id",
            detail="reassigned",
        )
    )


def history(client_id: int) -> list[tuple[int, date, date | None]]:
    return [
        (r.coach_id, r.starts_on, r.ends_on)
        for r in db.session.scalars(
            select(ClientAssignment)
            .where(ClientAssignment.client_id == client_id)
            .order_by(ClientAssignment.starts_on, ClientAssignment.id)
        )
    ]


def test_backfill_opens_a_history_for_every_client(scratch_app):  # noqa: F811
    upgrade()
    program = factories.program()
    supervisor = factories.user("supervisor", program=program)
    a, b, c = (factories.user("coach", program=program, supervisor=supervisor) for _ in range(3))

    never = factories.client(a, intake_date=d(1, 5))
    twice = factories.client(a, intake_date=d(1, 5))
    factories.session(twice, on=d(1, 20), coach=a)
    factories.session(twice, on=d(2, 15), coach=b)
    reassigned_event(twice, d(2, 10))
    reassigned_event(twice, d(3, 1))
    twice.coach_id = c.id
    unknown = factories.client(a, intake_date=d(1, 5))  # an event, no contact to tell who
    reassigned_event(unknown, d(2, 10))
    unknown.coach_id = b.id
    # A history begun by this release's reassignment, after an older one.
    begun = factories.client(a, intake_date=d(1, 5))
    factories.session(begun, on=d(1, 20), coach=a)
    reassigned_event(begun, d(2, 10))
    begun.coach_id = c.id
    db.session.commit()
    db.session.execute(delete(ClientAssignment))
    made = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    db.session.add_all(
        [
            ClientAssignment(
                client_id=begun.id,
                coach_id=b.id,
                starts_on=d(1, 5),
                ends_on=d(3, 1),
                created_at=made,
            ),
            ClientAssignment(
                client_id=begun.id,
                coach_id=c.id,
                starts_on=d(3, 1),
                reason="Caseload balance",
                created_by_id=supervisor.id,
                created_at=made,
            ),
        ]
    )
    reassigned_event(begun, d(3, 1))  # the new reassignment's own event (after the row's making)
    db.session.commit()

    db.session.commit()  # no transaction of this session may hold locks the migrations need
    downgrade(revision=BEFORE)
    upgrade()
    db.session.expire_all()

    assert history(never.id) == [(a.id, d(1, 5), None)]
    assert history(twice.id) == [
        (a.id, d(1, 5), d(2, 10)),
        (b.id, d(2, 10), d(3, 1)),
        (c.id, d(3, 1), None),
    ]
    assert history(unknown.id) == [(b.id, d(1, 5), None)]
    assert history(begun.id) == [
        (a.id, d(1, 5), d(2, 10)),
        (b.id, d(2, 10), d(3, 1)),
        (c.id, d(3, 1), None),
    ]

    # Run again (down and up): nothing doubles.
    db.session.commit()
    downgrade(revision=BEFORE)
    upgrade()
    assert len(history(twice.id)) == 3 and len(history(never.id)) == 1
