"""BARC-10 services: record an assessment (the total is computed here), archive it.

No HTTP here: views and the API pass plain values and commit once after a service succeeds.
The rules of a BARC-10 are written here only (``check_assessment``), for the pages and the API
alike: a date that has come, ten answers each from 1 to 6. A refusal raises
``AssessmentRuleError`` before anything changes.
"""

from __future__ import annotations

from datetime import date

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.models import Assessment, Client, User
from coachapp.models.assessments import ITEM_COLUMNS
from coachapp.models.enums import AuditAction, Role

ITEM_MESSAGE = "Choose an answer from 1 (strongly disagree) to 6 (strongly agree)."
ANSWERS = range(1, 7)


class AssessmentRuleError(records.RuleError):
    """Values the rules of the BARC-10 refuse; ``errors`` names each field to blame
    (``administered_on``, ``items``, or the answer's ``item1`` .. ``item10``)."""


def barc10_total(items: list[int]) -> int:
    """The BARC-10 total: the sum of the ten answers, 10 to 60."""
    return sum(items)


def check_assessment(client: Client, data: dict) -> list[int]:
    """The rules of a BARC-10 of ``client`` (``data``: administered_on, items), for the pages
    and the API alike; returns the ten answers. Raises ``AssessmentRuleError`` naming every
    field refused: ``administered_on`` from 1900 to the program's today; ten ``items``, each
    a whole number from 1 to 6 (a wrong one blames its statement, ``item1`` .. ``item10``)."""
    problems: dict[str, str] = {}
    on = data.get("administered_on")
    if not isinstance(on, date):
        problems["administered_on"] = "Give the date."
    elif on < EARLIEST_DATE:
        problems["administered_on"] = "This date is too far in the past."
    elif on > timeutil.local_today(client.program):
        problems["administered_on"] = "This date is in the future."
    items = list(data.get("items") or [])
    if len(items) != len(ITEM_COLUMNS):
        problems["items"] = "Answer all ten statements."
    else:
        for column, value in zip(ITEM_COLUMNS, items, strict=True):
            if isinstance(value, bool) or not isinstance(value, int) or value not in ANSWERS:
                problems[column] = ITEM_MESSAGE
    if problems:
        raise AssessmentRuleError(problems)
    return items


def create_assessment(client: Client, data: dict, *, actor: User) -> Assessment:
    """Record a BARC-10 for ``client``: ``data`` holds administered_on and items (ten
    integers 1–6, in the order of the statements). The total is computed, never taken."""
    items = check_assessment(client, data)
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
