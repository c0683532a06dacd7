"""Read queries of mutual-aid linkage, reached through the (access-checked) client."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from coachapp import access
from coachapp.extensions import db
from coachapp.models import Client, MutualAidAttendance, Organization, Resource, User
from coachapp.models.enums import MeetingFormat, MeetingModel
from coachapp.resources.queries import MODEL_LABELS, narrow, program_condition

PICKER_LIMIT = 25  # meetings the picker lists at once; the others are counted


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


@dataclass(frozen=True)
class MeetingFilters:
    """What the meeting picker narrows by: words of the name, place or ZIP code; a day
    (0 = Sunday); a model; a format. Values outside the allowed ones are read as "any"."""

    text: str = ""
    day: int | None = None
    model: str = ""
    fmt: str = ""

    @classmethod
    def read(cls, text, day, model, fmt) -> MeetingFilters:
        text = text if isinstance(text, str) else ""
        day = day if isinstance(day, str) and day in {str(d) for d in range(7)} else ""
        return cls(
            text=text[:100].strip(),
            day=int(day) if day else None,
            model=model if model in set(MeetingModel) else "",
            fmt=fmt if fmt in set(MeetingFormat) else "",
        )


@dataclass(frozen=True)
class MeetingChoices:
    """The meetings the picker lists (at most ``PICKER_LIMIT``) and how many matched."""

    items: list[Resource]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


def find_meetings(program_id: int | None, filters: MeetingFilters) -> Select:
    """The program's active meetings narrowed by the picker's filters, by name then day and
    time. The words match the name, organization, address (ZIP codes as whole words) and
    description, as the directory's search does."""
    query = meetings(program_id).outerjoin(Organization, Resource.organization)
    if filters.day is not None:
        query = query.where(Resource.meeting_day == filters.day)
    if filters.model:
        query = query.where(Resource.meeting_model == filters.model)
    if filters.fmt:
        query = query.where(Resource.meeting_format == filters.fmt)
    return narrow(query, q=filters.text).order_by(None)


def meeting_choices(
    program_id: int | None, filters: MeetingFilters, *, limit: int = PICKER_LIMIT
) -> MeetingChoices:
    """The first ``limit`` meetings of the picker and the number of all that match: two
    queries (a COUNT and the page of rows), plus one for their organizations."""
    query = find_meetings(program_id, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.options(selectinload(Resource.organization))
        .order_by(
            Resource.name,
            Resource.meeting_day.nulls_last(),
            Resource.meeting_time.nulls_last(),
            Resource.id,
        )
        .limit(limit)
    ).all()
    return MeetingChoices(items=list(items), total=total)


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/mutual_aid/_client_panel.html: the groups the client attends
    (current first, then ended) with their meetings, and their sponsor or mentor. One query
    whatever the number of groups (attendance with their meetings joined: the page's query
    count does not depend on whether the client attends any)."""
    rows = db.session.scalars(
        access.client_child_select(MutualAidAttendance, user)
        .where(MutualAidAttendance.client_id == client.id)
        .options(joinedload(MutualAidAttendance.resource))
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
