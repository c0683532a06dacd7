"""Recording disclosures. Every code path that discloses a client's information (a consent
summary, an identified export, a record opened through break-the-glass, the patient's copy)
calls ``record`` in the same transaction as its audit event, so one never exists without the
other."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from sqlalchemy import insert

from coachapp import audit
from coachapp.disclosures import copy
from coachapp.disclosures.copy import PatientCopy
from coachapp.extensions import db
from coachapp.models import BreakGlassAccess, Client, ConsentRecord, Disclosure, User
from coachapp.models.enums import AuditAction, DisclosureKind


def now() -> datetime:
    """The moment a disclosure is stamped with (UTC): the one place every path here reads the
    clock, so a test can move it."""
    return datetime.now(timezone.utc)


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
        disclosed_at=now(),
        recipient=recipient[:200],
        purpose=purpose,
        what=what[:500],
        user_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    return row


def record_many(
    kind: DisclosureKind,
    rows: Iterable[tuple[int, str]],
    *,
    purpose: str,
    what: str,
    actor: User | None,
    consents: Mapping[int, int] | None = None,
) -> int:
    """Add one disclosure per ``(client_id, recipient)`` of ``rows`` (duplicates once) as ONE
    multi-row insert in the current transaction; the number added. ``consents``: the consent
    (id) each client's disclosure is made under, by client id (none for a client not in it)."""
    stamped = now()
    values = [
        {
            "kind": str(kind),
            "client_id": client_id,
            "consent_id": (consents or {}).get(client_id),
            "disclosed_at": stamped,
            "recipient": recipient[:200],
            "purpose": purpose,
            "what": what[:500],
            "user_id": actor.id if actor is not None else None,
        }
        for client_id, recipient in sorted(set(rows))
    ]
    if values:
        db.session.execute(insert(Disclosure), values)
    return len(values)


BREAK_GLASS_WHAT = "client record viewed"
PATIENT_COPY_PURPOSE = "client's request for a copy of their record"


def record_break_glass_view(grant: BreakGlassAccess, *, actor: User) -> Disclosure:
    """An admin's view of the record through break-the-glass ``grant``: a disclosure to them."""
    return record(
        DisclosureKind.BREAK_GLASS,
        client_id=grant.client_id,
        recipient=f"{actor.name} (administrator, break-the-glass)",
        purpose=grant.reason,
        what=BREAK_GLASS_WHAT,
        actor=actor,
    )


def make_patient_copy(client: Client, *, actor: User, fmt: str, note: str | None) -> PatientCopy:
    """The client's copy of their record, audited as an export and recorded as a disclosure to
    the client, in the current transaction (the caller commits). ``note``: how it will be
    given (kept in the disclosure's "what"; the audit event carries ids and the format only)."""
    made = copy.build(actor, client)
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        entity_type="patient_copy",
        entity_id=client.id,
        client_id=client.id,
        detail=f"patient copy {fmt} client {client.id}",
    )
    what = "copy of the whole record" + (" (JSON file)" if fmt == "json" else " (printable page)")
    if note and note.strip():
        what += f"; given: {note.strip()}"
    record(
        DisclosureKind.PATIENT_COPY,
        client_id=client.id,
        recipient=f"{client.first_name} {client.last_name} (the client)",
        purpose=PATIENT_COPY_PURPOSE,
        what=what,
        actor=actor,
    )
    return made
