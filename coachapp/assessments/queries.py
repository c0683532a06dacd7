"""Read queries of BARC-10 assessments, built on the access rule."""

from __future__ import annotations

from sqlalchemy import bindparam

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Assessment, Client, User
from coachapp.models.assessments import BARC10_REMISSION_LINE


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/assessments/_client_panel.html (see coachapp.clients.panels): the
    client's BARC-10 totals in date order, the change from the first to the latest, and the
    chart's data (the 47 line drawn beside). One query, whatever the number of assessments."""
    query = access.built_once(
        user,
        "assessments.client_panel",
        build=lambda: (
            access.client_child_select(Assessment, user)
            .where(Assessment.client_id == bindparam("panel_client_id"))
            .order_by(Assessment.administered_on, Assessment.id)
        ),
    )
    assessments = db.session.scalars(query, {"panel_client_id": client.id}).all()
    change = assessments[-1].total - assessments[0].total if len(assessments) > 1 else None
    return {
        "assessments": assessments,
        "newest_first": list(reversed(assessments)),
        "change": change,
        "line": BARC10_REMISSION_LINE,
        "chart": {
            "labels": [a.administered_on.isoformat() for a in assessments],
            "totals": [a.total for a in assessments],
            "line": BARC10_REMISSION_LINE,
        },
    }
