"""Recovery goal services: set a goal, edit it, change its status, archive it.

No HTTP here: views pass plain values and commit once after a service succeeds. The rules of
dates are checked here (not only in the forms) so that the API can reuse them: a goal is opened
on a day that has come; it closes on a day between its opening and today.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.models import Client, Goal, User
from coachapp.models.enums import AuditAction, GoalDomain, GoalStatus

DETAIL_FIELDS = ("domain", "description", "target_date", "opened_on")
CLOSED = (GoalStatus.ACHIEVED, GoalStatus.DISCONTINUED)
MAX_DESCRIPTION = 2000


class GoalRuleError(ValueError):
    """A value the rules of goals refuse; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _check_details(client: Client, data: dict, *, closed_on: date | None = None) -> None:
    if data.get("domain") not in set(GoalDomain):
        raise GoalRuleError("domain", "Choose a domain.")
    description = (data.get("description") or "").strip()
    if not description:
        raise GoalRuleError("description", "Describe the goal.")
    if len(description) > MAX_DESCRIPTION:
        raise GoalRuleError("description", f"Keep it under {MAX_DESCRIPTION} characters.")
    opened_on = data.get("opened_on")
    if not isinstance(opened_on, date):
        raise GoalRuleError("opened_on", "Give the date.")
    if opened_on < EARLIEST_DATE:
        raise GoalRuleError("opened_on", "This date is too far in the past.")
    if opened_on > timeutil.local_today(client.program):
        raise GoalRuleError("opened_on", "This date is in the future.")
    if closed_on is not None and opened_on > closed_on:
        raise GoalRuleError(
            "opened_on", f"The goal was closed on {closed_on.isoformat()}: open it before that."
        )
    target = data.get("target_date")
    if target is not None and target < opened_on:
        raise GoalRuleError("target_date", "The target date cannot be before the goal opened.")


def create_goal(client: Client, data: dict, *, actor: User) -> Goal:
    """Set a recovery goal with ``client``: ``data`` holds domain, description, target_date
    (optional) and opened_on. The goal starts ``active``."""
    data = {**data, "description": (data.get("description") or "").strip()}
    _check_details(client, data)
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
    _check_details(goal.client, data, closed_on=goal.closed_on)
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


def change_status(
    goal: Goal, *, status: str, closed_on: date | None, version: int | None, actor: User
) -> list[str]:
    """Mark a goal ``achieved`` or ``discontinued`` on ``closed_on`` (default: the program's
    today; never in the future nor before the goal opened), or ``active`` again (which clears
    ``closed_on``). Refuses a stale ``version``."""
    records.ensure_version(goal, version)
    if status not in set(GoalStatus):
        raise GoalRuleError("status", "Choose a status.")
    if status in CLOSED:
        today = timeutil.local_today(goal.client.program)
        closed_on = closed_on or today
        if closed_on > today:
            raise GoalRuleError("closed_on", "This date is in the future.")
        if closed_on < goal.opened_on:
            raise GoalRuleError(
                "closed_on",
                f"This date cannot be before the goal opened ({goal.opened_on.isoformat()}).",
            )
    else:
        closed_on = None
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
