"""Recording disclosures. Every code path that discloses a client's information (a consent
summary, an identified export, a record opened through break-the-glass, the patient's copy)
calls ``record`` in the same transaction as its audit event, so one never exists without the
other."""

from __future__ import annotations

from coachapp.extensions import db
from coachapp.models import ConsentRecord, Disclosure, User
from coachapp.models.enums import DisclosureKind


def record(
    kind: DisclosureKind,
    *,
    client_id: int,
    recipient: str,
    purpose: str,
    what: str,
    actor: User | None,
    consent: ConsentRecord | None = None,
) -> Disclosure:
    """Add one disclosure to the current transaction (the caller commits)."""
    row = Disclosure(
        kind=str(kind),
        client_id=client_id,
        consent_id=consent.id if consent is not None else None,
        recipient=recipient[:200],
        purpose=purpose,
        what=what[:500],
        user_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    return row
