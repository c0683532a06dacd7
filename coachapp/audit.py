"""Writing the audit trail. Called from services (and the sign-in flow), never from templates.

Rows are append-only: the ORM refuses to update or delete them (see ``_refuse_change``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import has_request_context, request
from sqlalchemy import event

from coachapp.extensions import db
from coachapp.models import AuditEvent, User
from coachapp.models.enums import AuditAction

log = logging.getLogger("coachapp.audit")


def record(
    action: AuditAction | str,
    *,
    actor: User | None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    client_id: int | None = None,
    fields: Iterable[str] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction (it commits with the change it records)."""
    ip = request.remote_addr if has_request_context() else None
    user_id = actor.id if actor is not None and getattr(actor, "is_authenticated", True) else None
    program_id = actor.program_id if user_id is not None else None
    event_row = AuditEvent(
        action=str(action),
        user_id=user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        client_id=client_id,
        program_id=program_id,
        ip_address=ip,
        fields=",".join(sorted(fields)) if fields else None,
        detail=detail[:500] if detail else None,
    )
    db.session.add(event_row)
    log.info(
        "audit action=%s user=%s entity=%s:%s client=%s",
        action,
        user_id,
        entity_type,
        entity_id,
        client_id,
    )
    return event_row


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001
    raise RuntimeError("audit events are append-only")
