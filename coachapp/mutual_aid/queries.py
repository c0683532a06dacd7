"""Read queries of mutual-aid linkage, reached through the (access-checked) client."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Client, MutualAidAttendance, Resource, User
from coachapp.resources.queries import MODEL_LABELS, program_condition


def meetings(program_id: int | None) -> Select:
    """Active directory meetings (a mutual-aid model set) a client of the program can attend."""
    return (
        select(Resource)
        .where(
            Resource.active.is_(True),
            Resource.meeting_model.is_not(None),
            program_condition(program_id),
        )
        .order_by(Resource.meeting_model, Resource.name, Resource.id)
    )


def meeting(program_id: int | None, resource_id: int | None) -> Resource | None:
    if resource_id is None:
        return None
    return db.session.scalar(meetings(program_id).where(Resource.id == resource_id))


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/mutual_aid/_client_panel.html: the groups the client attends
    (current first, then ended) with their meetings, and their sponsor or mentor. Two queries
    whatever the number of groups (attendance, their meetings)."""
    rows = db.session.scalars(
        access.client_child_select(MutualAidAttendance, user)
        .where(MutualAidAttendance.client_id == client.id)
        .options(selectinload(MutualAidAttendance.resource))
        .order_by(
            MutualAidAttendance.ended_on.is_not(None),
            MutualAidAttendance.since.desc().nulls_last(),
            MutualAidAttendance.id.desc(),
        )
    ).all()
    return {
        "current": [row for row in rows if row.ended_on is None],
        "ended": [row for row in rows if row.ended_on is not None],
        "support_person": client.support_person,
        "support_person_since": client.support_person_since,
        "model_labels": MODEL_LABELS,
    }
