"""Referral services: refer a client, move a referral through its statuses, edit notes.

Every status a referral takes is kept with its date (``ReferralStatusChange``); the referral's
``connected_on`` / ``closed_on`` always describe its current status. No HTTP here: views and the
API pass plain values and commit once after a service succeeds.

The rules of a referral are written here only, for the pages and the API alike: an active
directory resource of the client's program; dates that have come and not before the referral
was made; a connection needs its date (``connected_on``), a closing (declined, not connected)
its date (``closed_on``), and no other status has either. A refusal raises
``ReferralRuleError`` before anything changes.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.models import Client, Referral, ReferralStatusChange, Resource, User
from coachapp.models.enums import AuditAction, ReferralStatus
from coachapp.resources import queries as directory

CLOSED = (ReferralStatus.DECLINED, ReferralStatus.NOT_CONNECTED)
RESOURCE_MESSAGE = "Choose an active resource from the list."
CONNECTED_ON_NEEDED = "Give the date the client was connected."
# A date given for a status that has none.
MISPLACED = {
    "connected_on": "Only a connected referral has this date.",
    "closed_on": "Only a declined or not-connected referral has this date.",
}


class ReferralRuleError(records.RuleError):
    """A request the rules of referrals refuse; ``field`` names the form field to blame."""


def date_field(status: str) -> str | None:
    """The referral's column that carries the date of ``status``: ``connected_on`` for
    connected, ``closed_on`` for declined and not connected, none for referred."""
    if status == ReferralStatus.CONNECTED:
        return "connected_on"
    if status in CLOSED:
        return "closed_on"
    return None


def check_dates_fit_status(status: str, dates: dict) -> None:
    """Only the date of ``status`` may be given (``dates``: ``connected_on``, ``closed_on``,
    either may be absent or None); another one raises ``ReferralRuleError``."""
    for key, message in MISPLACED.items():
        if dates.get(key) is not None and date_field(status) != key:
            raise ReferralRuleError(key, message)


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


def referable_resource(client: Client, resource_id: int | None) -> Resource:
    """The active directory resource ``resource_id`` that ``client`` may be referred to (a
    shared one or their program's); ``ReferralRuleError`` for any other id, or none."""
    resource = directory.referable_resource(client.program_id, resource_id)
    if resource is None:
        raise ReferralRuleError("resource_id", RESOURCE_MESSAGE)
    return resource


def create_referral(client: Client, data: dict, *, actor: User) -> Referral:
    """Refer ``client`` to the directory resource ``data["resource_id"]``.

    ``data``: resource_id (an active resource of the client's program or shared), referred_on,
    status (default referred), connected_on (needed for connected), closed_on (needed for
    declined / not connected), notes. The category is copied from the resource, so reports
    stay reproducible when the directory changes. History: a ``referred`` row on referred_on,
    and a second row when created with another status.
    """
    resource = referable_resource(client, data.get("resource_id"))
    referred_on: date = data["referred_on"]
    status = data.get("status") or ReferralStatus.REFERRED
    if status not in set(ReferralStatus):
        raise ReferralRuleError("status", "Not a valid status.")
    _check_happened("referred_on", referred_on, client=client)
    check_dates_fit_status(status, data)
    connected_on, closed_on = data.get("connected_on"), data.get("closed_on")
    if status == ReferralStatus.CONNECTED:
        if connected_on is None:
            raise ReferralRuleError("connected_on", CONNECTED_ON_NEEDED)
        _check_happened("connected_on", connected_on, client=client, not_before=referred_on)
    if status in CLOSED:
        if closed_on is None:
            raise ReferralRuleError("closed_on", "Give the date the referral was closed.")
        _check_happened("closed_on", closed_on, client=client, not_before=referred_on)

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


def check_status_change(referral: Referral, *, status: str | None, on: date | None) -> None:
    """The rules of ``change_status``, asked without writing. Raises ``ReferralRuleError``
    naming every field refused (``status``, ``changed_on``); the day is judged even when no
    valid status was chosen, so every problem shows at once."""
    problems: dict[str, str] = {}
    if status not in set(ReferralStatus):
        problems["status"] = "Not a valid status."
    elif status == referral.status:
        problems["status"] = f"The referral is {status.replace('_', ' ')} already."
    if on is None:
        if status == ReferralStatus.CONNECTED:
            problems["changed_on"] = CONNECTED_ON_NEEDED
    else:
        try:
            _check_happened(
                "changed_on", on, client=referral.client, not_before=referral.referred_on
            )
        except ReferralRuleError as exc:
            problems.update(exc.errors)
    if problems:
        raise ReferralRuleError(problems)


def change_status(
    referral: Referral, *, status: str, on: date | None, version: int | None, actor: User
) -> ReferralStatusChange:
    """Move ``referral`` to ``status`` as of ``on`` and keep the change in its history.

    connected sets ``connected_on`` (``on`` is needed: the day the client was connected);
    declined and not connected set ``closed_on`` (``on`` defaults to the program's today);
    back to referred clears both. ``on`` may not be in the future nor before the referral was
    made; refusals blame ``changed_on``. A stale ``version`` is refused
    (``records.StaleRecordError``).
    """
    records.ensure_version(referral, version)
    check_status_change(referral, status=status, on=on)
    on = on or timeutil.local_today(referral.client.program)
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
