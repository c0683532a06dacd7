"""Mutual-aid linkage services: groups a client attends, and their sponsor or mentor.

No HTTP here: views pass plain values and commit once after a service succeeds.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.models import Client, MutualAidAttendance, Resource, User
from coachapp.models.enums import AuditAction, MeetingModel, SupportPerson


class MutualAidRuleError(ValueError):
    """A request the rules refuse; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _not_future(field: str, on: date | None, client: Client) -> None:
    if on is not None and on > timeutil.local_today(client.program):
        raise MutualAidRuleError(field, "This date is in the future.")


def add_attendance(client: Client, data: dict, *, actor: User) -> MutualAidAttendance:
    """Record a group the client attends. ``data``: meeting (a directory meeting or None),
    model (defaults to the meeting's), frequency, since."""
    meeting: Resource | None = data.get("meeting")
    model = data.get("model") or (meeting.meeting_model if meeting is not None else None)
    if model not in set(MeetingModel):
        raise MutualAidRuleError("model", "Choose the model, or a meeting from the directory.")
    _not_future("since", data.get("since"), client)
    row = MutualAidAttendance(
        client_id=client.id,
        resource_id=meeting.id if meeting is not None else None,
        model=model,
        frequency=data.get("frequency"),
        since=data.get("since"),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="mutual_aid_attendance",
        entity_id=row.id,
        client_id=client.id,
        fields=[
            name
            for name in ("resource_id", "model", "frequency", "since")
            if getattr(row, name) not in (None, "")
        ],
    )
    return row


def end_attendance(row: MutualAidAttendance, *, on: date, actor: User) -> None:
    """The client stopped attending on ``on`` (not in the future, not before ``since``)."""
    if row.ended_on is not None:
        raise MutualAidRuleError("", "This group has ended already.")
    _not_future("ended_on", on, row.client)
    if row.since is not None and on < row.since:
        raise MutualAidRuleError(
            "ended_on", f"This date cannot be before they started ({row.since.isoformat()})."
        )
    row.ended_on = on
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="mutual_aid_attendance",
        entity_id=row.id,
        client_id=row.client_id,
        fields=["ended_on"],
    )


def archive_attendance(row: MutualAidAttendance, *, reason: str, actor: User) -> None:
    """Archive (never delete) a group entered by mistake: who, when, why; audited."""
    records.archive(row, actor=actor, reason=reason, client_id=row.client_id)


def set_support(
    client: Client,
    *,
    support_person: str | None,
    since: date | None,
    version: int | None,
    actor: User,
) -> list[str]:
    """Set whether the client has a sponsor or a mentor (or neither) and since when.

    Optimistic locking on the client's version: a stale form is refused."""
    records.ensure_version(client, version)
    if support_person is not None and support_person not in set(SupportPerson):
        raise MutualAidRuleError("support_person", "Not a valid choice.")
    if support_person is None and since is not None:
        raise MutualAidRuleError(
            "support_person_since", "Leave this empty when the client has no sponsor or mentor."
        )
    _not_future("support_person_since", since, client)
    changed = records.apply_changes(
        client, {"support_person": support_person, "support_person_since": since}
    )
    if changed:
        db.session.flush()
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="client",
            entity_id=client.id,
            client_id=client.id,
            fields=changed,
        )
    return changed
