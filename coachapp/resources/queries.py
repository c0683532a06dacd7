"""Read queries of the resource directory.

Directory entries are not client data: any signed-in user may read them. An entry is shared by
every program (``program_id`` NULL) or belongs to one program; a user sees the shared ones and
their own program's (an admin, who manages the directory, sees all).
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from coachapp.extensions import db
from coachapp.models import Organization, Resource, User
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory, Role

ANY_MEETING = "any"
PER_PAGE = 25
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MODEL_LABELS = {
    "aa": "AA",
    "na": "NA",
    "smart_recovery": "SMART Recovery",
    "lifering": "LifeRing",
    "dual_recovery": "Dual recovery",
    "family": "Family groups",
    "other": "Other",
}


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def program_condition(program_id: int | None):
    """Entries a program may use: the shared ones and its own."""
    if program_id is None:
        return Resource.program_id.is_(None)
    return or_(Resource.program_id.is_(None), Resource.program_id == program_id)


def visible_resources(user: User) -> Select:
    """``SELECT resources`` the user may read in the directory."""
    if user is None or not getattr(user, "is_authenticated", False):
        return select(Resource).where(false())
    if user.role == Role.ADMIN:
        return select(Resource)
    return select(Resource).where(program_condition(user.program_id))


def get_visible_resource_or_404(resource_id: int, user: User) -> Resource:
    return db.one_or_404(
        visible_resources(user)
        .where(Resource.id == resource_id)
        .options(selectinload(Resource.organization))
    )


def directory(
    user: User,
    *,
    q: str = "",
    category: str = "",
    model: str = "",
    fmt: str = "",
    show: str = "active",
) -> Select:
    """The directory as the browse page shows it: searched by name, organization or
    description; filtered by category, meeting model and meeting format; active entries only
    unless ``show`` says otherwise."""
    query = visible_resources(user).outerjoin(Organization, Resource.organization)
    if show == "active":
        query = query.where(Resource.active.is_(True))
    elif show == "inactive":
        query = query.where(Resource.active.is_(False))
    if category in set(ResourceCategory):
        query = query.where(Resource.category == category)
    if model == ANY_MEETING:
        query = query.where(Resource.meeting_model.is_not(None))
    elif model in set(MeetingModel):
        query = query.where(Resource.meeting_model == model)
    if fmt in set(MeetingFormat):
        query = query.where(Resource.meeting_format == fmt)
    term = q.strip()
    if term:
        pattern = f"%{like_escape(term)}%"
        query = query.where(
            or_(
                Resource.name.ilike(pattern, escape="\\"),
                Organization.name.ilike(pattern, escape="\\"),
                Resource.description.ilike(pattern, escape="\\"),
            )
        )
    return query.options(selectinload(Resource.organization)).order_by(Resource.name, Resource.id)


def referable_resources(program_id: int | None, *, category: str = "", q: str = "") -> Select:
    """Active entries a client of ``program_id`` can be referred to, by category then name."""
    query = select(Resource).where(Resource.active.is_(True), program_condition(program_id))
    if category in set(ResourceCategory):
        query = query.where(Resource.category == category)
    term = q.strip()
    if term:
        query = query.where(Resource.name.ilike(f"%{like_escape(term)}%", escape="\\"))
    return query.order_by(Resource.category, Resource.name, Resource.id)


def referable_resource(program_id: int | None, resource_id: int | None) -> Resource | None:
    if resource_id is None:
        return None
    return db.session.scalar(
        select(Resource).where(
            Resource.id == resource_id,
            Resource.active.is_(True),
            program_condition(program_id),
        )
    )


def organization_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organization.id, Organization.name).order_by(Organization.name, Organization.id)
    )
    return [(row.id, row.name) for row in rows]


def meeting_summary(resource: Resource) -> str:
    """ "Tuesdays 19:00–20:00" from the structured meeting fields, or the free-text schedule."""
    if resource.meeting_schedule:
        return resource.meeting_schedule
    return schedule_text(
        [resource.meeting_day] if resource.meeting_day is not None else [],
        resource.meeting_time.strftime("%H:%M") if resource.meeting_time else None,
        resource.meeting_end_time.strftime("%H:%M") if resource.meeting_end_time else None,
    )


def schedule_text(
    days: list[int], start: str | None, end: str | None, languages: list[str] | None = None
) -> str:
    """A readable weekly schedule: "Mondays and Thursdays 19:00–20:00, English"."""
    names = [DAY_NAMES[d] + "s" for d in sorted(set(days)) if 0 <= d <= 6]
    if len(names) > 1:
        day_part = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        day_part = names[0] if names else ""
    time_part = ""
    if start:
        time_part = f"{start}–{end}" if end else start
    text = " ".join(part for part in (day_part, time_part) if part)
    if not text:
        text = "By appointment" if not languages else ""
    if languages:
        text = ", ".join(part for part in (text, ", ".join(languages)) if part)
    return text[:200]
