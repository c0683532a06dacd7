"""Mutual-aid linkage services: groups a client attends, and their sponsor or mentor.

No HTTP here: views pass plain values and commit once after a service succeeds.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.models import Client, MutualAidAttendance, Resource, User
from coachapp.models.enums import AuditAction, MeetingModel, SupportPerson


class MutualAidRuleError(records.RuleError):
    """A request the rules refuse; ``errors`` names each form field to blame (``""``: the
    record as a whole)."""


FUTURE_MESSAGE = "This date is in the future."


def _future(on: date | None, client: Client) -> bool:
    return on is not None and on > timeutil.local_today(client.program)


def _model(data: dict) -> str | None:
    meeting: Resource | None = data.get("meeting")
    return data.get("model") or (meeting.meeting_model if meeting is not None else None)


def check_attendance(client: Client, data: dict) -> None:
    """The rules of ``add_attendance``, asked without writing: a model (or a directory meeting
    that has one) and a ``since`` that has come. Raises ``MutualAidRuleError`` naming every
    field refused."""
    problems: dict[str, str] = {}
    if _model(data) not in set(MeetingModel):
        problems["model"] = "Choose the model, or a meeting from the directory."
    if _future(data.get("since"), client):
        problems["since"] = FUTURE_MESSAGE
    if problems:
        raise MutualAidRuleError(problems)


def add_attendance(client: Client, data: dict, *, actor: User) -> MutualAidAttendance:
    """Record a group the client attends. ``data``: meeting (a directory meeting or None),
    model (defaults to the meeting's), frequency, since."""
    check_attendance(client, data)
    meeting: Resource | None = data.get("meeting")
    model = _model(data)
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


def check_end(row: MutualAidAttendance, *, on: date | None) -> None:
    """The rules of ``end_attendance``, asked without writing (no day given: the form's to
    ask for). Raises ``MutualAidRuleError`` naming every problem."""
    problems: dict[str, str] = {}
    if row.ended_on is not None:
        problems[""] = "This group has ended already."
    if _future(on, row.client):
        problems["ended_on"] = FUTURE_MESSAGE
    elif on is not None and row.since is not None and on < row.since:
        problems["ended_on"] = f"This date cannot be before they started ({row.since.isoformat()})."
    if problems:
        raise MutualAidRuleError(problems)


def end_attendance(row: MutualAidAttendance, *, on: date, actor: User) -> None:
    """The client stopped attending on ``on`` (not in the future, not before ``since``)."""
    check_end(row, on=on)
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


def check_support(client: Client, *, support_person: str | None, since: date | None) -> None:
    """The rules of ``set_support``, asked without writing. Raises ``MutualAidRuleError``
    naming every field refused."""
    problems: dict[str, str] = {}
    if support_person is not None and support_person not in set(SupportPerson):
        problems["support_person"] = "Not a valid choice."
    if support_person is None and since is not None:
        problems["support_person_since"] = (
            "Leave this empty when the client has no sponsor or mentor."
        )
    elif _future(since, client):
        problems["support_person_since"] = FUTURE_MESSAGE
    if problems:
        raise MutualAidRuleError(problems)


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
    check_support(client, support_person=support_person, since=since)
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
