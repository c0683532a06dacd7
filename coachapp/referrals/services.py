"""Referral services: refer a client, move a referral through its statuses, edit notes.

Every status a referral takes is kept with its date (``ReferralStatusChange``); the referral's
``connected_on`` / ``closed_on`` always describe its current status. No HTTP here: views pass
plain values and commit once after a service succeeds.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.models import Client, Referral, ReferralStatusChange, Resource, User
from coachapp.models.enums import AuditAction, ReferralStatus

CLOSED = (ReferralStatus.DECLINED, ReferralStatus.NOT_CONNECTED)


class ReferralRuleError(ValueError):
    """A request the rules of referrals refuse; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _check_happened(field: str, on: date, *, client: Client, not_before: date | None = None):
    if on > timeutil.local_today(client.program):
        raise ReferralRuleError(field, "This date is in the future.")
    if not_before is not None and on < not_before:
        raise ReferralRuleError(
            field, f"This date cannot be before the referral was made ({not_before.isoformat()})."
        )


def status_dates(status: str, on: date | None) -> dict:
    """``connected_on`` / ``closed_on`` for a referral whose current status is ``status``."""
    if status == ReferralStatus.CONNECTED:
        return {"connected_on": on, "closed_on": None}
    if status in CLOSED:
        return {"connected_on": None, "closed_on": on}
    return {"connected_on": None, "closed_on": None}


def create_referral(client: Client, data: dict, *, actor: User) -> Referral:
    """Refer ``client`` to ``data["resource"]`` (an active directory entry the caller checked).

    ``data``: resource, referred_on, status (default referred), connected_on (needed for
    connected), closed_on (needed for declined / not connected), notes. The category is copied
    from the resource, so reports stay reproducible when the directory changes. History: a
    ``referred`` row on referred_on, and a second row when created with another status.
    """
    resource: Resource = data["resource"]
    referred_on: date = data["referred_on"]
    status = data.get("status") or ReferralStatus.REFERRED
    if status not in set(ReferralStatus):
        raise ReferralRuleError("status", "Not a valid status.")
    _check_happened("referred_on", referred_on, client=client)
    connected_on, closed_on = data.get("connected_on"), data.get("closed_on")
    if status == ReferralStatus.CONNECTED:
        if connected_on is None:
            raise ReferralRuleError("connected_on", "Give the date the client was connected.")
        _check_happened("connected_on", connected_on, client=client, not_before=referred_on)
    elif connected_on is not None:
        raise ReferralRuleError("connected_on", "Only a connected referral has this date.")
    if status in CLOSED:
        if closed_on is None:
            raise ReferralRuleError("closed_on", "Give the date the referral was closed.")
        _check_happened("closed_on", closed_on, client=client, not_before=referred_on)
    elif closed_on is not None:
        raise ReferralRuleError(
            "closed_on", "Only a declined or not-connected referral has this date."
        )

    referral = Referral(
        client_id=client.id,
        coach_id=client.coach_id,
        resource_id=resource.id,
        category=resource.category,
        referred_on=referred_on,
        status=status,
        connected_on=connected_on,
        closed_on=closed_on,
        notes=data.get("notes"),
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(
        ReferralStatusChange(
            referral_id=referral.id,
            status=ReferralStatus.REFERRED,
            changed_on=referred_on,
            recorded_by_id=actor.id,
        )
    )
    if status != ReferralStatus.REFERRED:
        db.session.add(
            ReferralStatusChange(
                referral_id=referral.id,
                status=status,
                changed_on=connected_on or closed_on,
                recorded_by_id=actor.id,
            )
        )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        client_id=client.id,
        fields=[
            name
            for name in (
                "resource_id",
                "category",
                "referred_on",
                "status",
                "connected_on",
                "closed_on",
                "notes",
            )
            if getattr(referral, name) not in (None, "")
        ],
    )
    return referral


def change_status(
    referral: Referral, *, status: str, on: date, version: int | None, actor: User
) -> ReferralStatusChange:
    """Move ``referral`` to ``status`` as of ``on`` and keep the change in its history.

    connected sets ``connected_on``; declined and not connected set ``closed_on``; back to
    referred clears both. ``on`` may not be in the future nor before the referral was made.
    A stale ``version`` is refused (``records.StaleRecordError``).
    """
    records.ensure_version(referral, version)
    client = referral.client
    if status not in set(ReferralStatus):
        raise ReferralRuleError("status", "Not a valid status.")
    if status == referral.status:
        raise ReferralRuleError("status", f"The referral is {status.replace('_', ' ')} already.")
    _check_happened("changed_on", on, client=client, not_before=referral.referred_on)
    changed = records.apply_changes(referral, {"status": status, **status_dates(status, on)})
    change = ReferralStatusChange(
        referral_id=referral.id, status=status, changed_on=on, recorded_by_id=actor.id
    )
    db.session.add(change)
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="referral",
        entity_id=referral.id,
        client_id=referral.client_id,
        fields=changed,
    )
    return change


def update_notes(
    referral: Referral, notes: str | None, *, version: int | None, actor: User
) -> list[str]:
    """Edit a referral's notes; a stale ``version`` is refused."""
    records.ensure_version(referral, version)
    changed = records.apply_changes(referral, {"notes": notes})
    if changed:
        db.session.flush()
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="referral",
            entity_id=referral.id,
            client_id=referral.client_id,
            fields=changed,
        )
    return changed


def archive_referral(referral: Referral, *, reason: str, actor: User) -> None:
    """Archive (never delete) a referral entered by mistake: who, when, why; audited."""
    records.archive(referral, actor=actor, reason=reason, client_id=referral.client_id)
