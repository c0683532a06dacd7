"""Recovery goal services: set a goal, edit it, change its status, archive it.

No HTTP here: views pass plain values and commit once after a service succeeds. The rules of a
goal are written here only, for the pages and the API alike: it is opened on a day that has
come, its target not before that; it closes (achieved or discontinued) on a day between its
opening and today, and only a closed goal has a closing date. A refusal raises
``GoalRuleError`` before anything changes.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.limits import MAX_GOAL_DESCRIPTION as MAX_DESCRIPTION
from coachapp.models import Client, Goal, User
from coachapp.models.enums import AuditAction, GoalDomain, GoalStatus

DETAIL_FIELDS = ("domain", "description", "target_date", "opened_on")
CLOSED = (GoalStatus.ACHIEVED, GoalStatus.DISCONTINUED)


CLOSED_ON_ONLY_WHEN_CLOSED = "Only an achieved or discontinued goal has this date."


class GoalRuleError(records.RuleError):
    """Values the rules of goals refuse; ``errors`` names each field to blame."""


def check_goal(client: Client, data: dict, *, closed_on: date | None = None) -> None:
    """The rules of a goal's details (``data``: domain, description, target_date, opened_on)
    for ``client``; ``closed_on`` is the goal's closing day on an edit. Raises
    ``GoalRuleError`` naming every field refused."""
    problems: dict[str, str] = {}
    if data.get("domain") not in set(GoalDomain):
        problems["domain"] = "Choose a domain."
    description = (data.get("description") or "").strip()
    if not description:
        problems["description"] = "Describe the goal."
    elif len(description) > MAX_DESCRIPTION:
        problems["description"] = f"Keep it under {MAX_DESCRIPTION} characters."
    opened_on = data.get("opened_on")
    if not isinstance(opened_on, date):
        problems["opened_on"] = "Give the date."
    elif opened_on < EARLIEST_DATE:
        problems["opened_on"] = "This date is too far in the past."
    elif opened_on > timeutil.local_today(client.program):
        problems["opened_on"] = "This date is in the future."
    elif closed_on is not None and opened_on > closed_on:
        problems["opened_on"] = (
            f"The goal was closed on {closed_on.isoformat()}: open it before that."
        )
    target = data.get("target_date")
    if isinstance(opened_on, date) and target is not None and target < opened_on:
        problems["target_date"] = "The target date cannot be before the goal opened."
    if problems:
        raise GoalRuleError(problems)


def create_goal(client: Client, data: dict, *, actor: User) -> Goal:
    """Set a recovery goal with ``client``: ``data`` holds domain, description, target_date
    (optional) and opened_on. The goal starts ``active``."""
    data = {**data, "description": (data.get("description") or "").strip()}
    check_goal(client, data)
    goal = Goal(
        client_id=client.id,
        status=GoalStatus.ACTIVE,
        created_by_id=actor.id,
        **{key: data.get(key) for key in DETAIL_FIELDS},
    )
    db.session.add(goal)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="goal",
        entity_id=goal.id,
        client_id=client.id,
        fields=[key for key in DETAIL_FIELDS if data.get(key) not in (None, "")] + ["status"],
    )
    return goal


def update_goal(goal: Goal, data: dict, *, version: int | None, actor: User) -> list[str]:
    """Edit a goal's domain, description and dates; refuses a stale ``version``."""
    records.ensure_version(goal, version)
    data = {**data, "description": (data.get("description") or "").strip()}
    check_goal(goal.client, data, closed_on=goal.closed_on)
    changed = records.apply_changes(goal, {key: data.get(key) for key in DETAIL_FIELDS})
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="goal",
            entity_id=goal.id,
            client_id=goal.client_id,
            fields=changed,
        )
    return changed


def check_status(goal: Goal, *, status: str | None, closed_on: date | None) -> None:
    """The rules of ``change_status``, asked without writing. Raises ``GoalRuleError``
    naming every field refused; a ``closed_on`` in the future or before the goal opened is
    refused even when no valid status was chosen, so every problem shows at once."""
    problems: dict[str, str] = {}
    if status not in set(GoalStatus):
        problems["status"] = "Choose a status."
    if closed_on is not None:
        today = timeutil.local_today(goal.client.program)
        if status in set(GoalStatus) and status not in CLOSED:
            problems["closed_on"] = CLOSED_ON_ONLY_WHEN_CLOSED
        elif closed_on > today:
            problems["closed_on"] = "This date is in the future."
        elif closed_on < goal.opened_on:
            problems["closed_on"] = (
                f"This date cannot be before the goal opened ({goal.opened_on.isoformat()})."
            )
    if problems:
        raise GoalRuleError(problems)


def change_status(
    goal: Goal, *, status: str, closed_on: date | None, version: int | None, actor: User
) -> list[str]:
    """Mark a goal ``achieved`` or ``discontinued`` on ``closed_on`` (default: the program's
    today; never in the future nor before the goal opened), or ``active`` again (which clears
    ``closed_on``; giving one is refused). Refuses a stale ``version``."""
    records.ensure_version(goal, version)
    check_status(goal, status=status, closed_on=closed_on)
    closed_on = (
        (closed_on or timeutil.local_today(goal.client.program)) if status in CLOSED else None
    )
    changed = records.apply_changes(goal, {"status": status, "closed_on": closed_on})
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="goal",
            entity_id=goal.id,
            client_id=goal.client_id,
            fields=changed,
        )
    return changed


def archive_goal(goal: Goal, *, reason: str, actor: User) -> None:
    """Archive (never delete) a goal entered by mistake; the sessions keep their link."""
    records.archive(goal, actor=actor, reason=reason, client_id=goal.client_id)
