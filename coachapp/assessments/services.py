"""BARC-10 services: record an assessment (the total is computed here), archive it.

No HTTP here: views pass plain values and commit once after a service succeeds.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.models import Assessment, Client, User
from coachapp.models.assessments import ITEM_COLUMNS
from coachapp.models.enums import AuditAction, Role


class AssessmentRuleError(ValueError):
    """A value the rules of the BARC-10 refuse; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def barc10_total(items: list[int]) -> int:
    """The BARC-10 total: the sum of the ten answers, 10 to 60."""
    return sum(items)


def _check(client: Client, data: dict) -> list[int]:
    on = data.get("administered_on")
    if not isinstance(on, date):
        raise AssessmentRuleError("administered_on", "Give the date.")
    if on < EARLIEST_DATE:
        raise AssessmentRuleError("administered_on", "This date is too far in the past.")
    if on > timeutil.local_today(client.program):
        raise AssessmentRuleError("administered_on", "This date is in the future.")
    items = list(data.get("items") or [])
    if len(items) != len(ITEM_COLUMNS):
        raise AssessmentRuleError("items", "Answer all ten statements.")
    for column, value in zip(ITEM_COLUMNS, items, strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6:
            raise AssessmentRuleError(
                column, "Choose an answer from 1 (strongly disagree) to 6 (strongly agree)."
            )
    return items


def create_assessment(client: Client, data: dict, *, actor: User) -> Assessment:
    """Record a BARC-10 for ``client``: ``data`` holds administered_on and items (ten
    integers 1–6, in the order of the statements). The total is computed, never taken."""
    items = _check(client, data)
    assessment = Assessment(
        client_id=client.id,
        coach_id=actor.id if actor.role == Role.COACH else client.coach_id,
        administered_on=data["administered_on"],
        total=barc10_total(items),
        **dict(zip(ITEM_COLUMNS, items, strict=True)),
    )
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="assessment",
        entity_id=assessment.id,
        client_id=client.id,
        fields=["administered_on", *ITEM_COLUMNS, "total"],
    )
    return assessment


def archive_assessment(assessment: Assessment, *, reason: str, actor: User) -> None:
    """Archive (never delete) an assessment entered by mistake: who, when, why; audited."""
    records.archive(assessment, actor=actor, reason=reason, client_id=assessment.client_id)
