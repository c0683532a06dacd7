"""A client's BARC-10 assessments: list and record; the total is computed (api.md)."""

from __future__ import annotations

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import audit_read, committing, scoped_client, today
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    AssessmentCreateSchema,
    AssessmentPage,
    AssessmentSchema,
    PageArgs,
)
from coachapp.assessments import services
from coachapp.models import Assessment
from coachapp.models.assessments import ITEM_COLUMNS

# The service blames the answer's form field (item1..item10); the API has one list.
RENAME = dict.fromkeys(ITEM_COLUMNS, "items")


def assessment_out(assessment: Assessment) -> dict:
    return {
        "id": assessment.id,
        "client_id": assessment.client_id,
        "administered_on": assessment.administered_on,
        "items": assessment.items,
        "total": assessment.total,
    }


@blp.route("/clients/<int:client_id>/assessments", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, AssessmentPage)
def list_assessments(args, client_id: int):
    """The client's BARC-10 assessments, newest first."""
    client = scoped_client(client_id)
    audit_read(client, "assessment")
    query = (
        access.client_child_select(Assessment, api_user())
        .where(Assessment.client_id == client.id)
        .order_by(Assessment.administered_on.desc(), Assessment.id.desc())
    )
    page = paginate(query, args)
    page["items"] = [assessment_out(a) for a in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/assessments", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(AssessmentCreateSchema)
@blp.response(201, AssessmentSchema)
def create_assessment(data, client_id: int):
    """Record a BARC-10: ten answers 1..6 in the statements' order; ``administered_on``
    defaults to today and is never in the future."""
    client = scoped_client(client_id)
    data.setdefault("administered_on", today(client.program))
    with committing(RENAME):
        assessment = services.create_assessment(client, data, actor=api_user())
        out = assessment_out(assessment)
    return out
