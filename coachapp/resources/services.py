"""Directory services: create and edit entries (deactivate, never delete). No HTTP here.

The rules of an entry are written here only (``check_resource``) for the pages and the API
alike: a mutual-aid meeting is a recovery support resource. A refusal raises
``ResourceRuleError`` before anything changes.
"""

from __future__ import annotations

from coachapp import audit, records
from coachapp.extensions import db
from coachapp.models import Organization, Resource, User
from coachapp.models.enums import AuditAction, ResourceCategory, Role
from coachapp.resources.queries import schedule_text

RESOURCE_FIELDS = (
    "name",
    "category",
    "description",
    "phone",
    "email",
    "website",
    "address",
    "last_verified_on",
    "active",
    "meeting_model",
    "meeting_format",
    "meeting_open",
    "meeting_day",
    "meeting_time",
    "meeting_end_time",
    "meeting_schedule",
    "conference_url",
)


MEETING_CATEGORY_MESSAGE = "A mutual-aid meeting is a recovery support resource."


class ResourceRuleError(records.RuleError):
    """The rules of the directory refuse an entry; ``errors`` names each field to blame."""


def check_resource(values: dict) -> None:
    """The rules of a directory entry whose columns are ``values`` (all of them: on an edit,
    the entry's merged with the changes). Raises ``ResourceRuleError``:

    - ``category``: a mutual-aid meeting (one with a ``meeting_model``) is
      ``recovery_support``.
    """
    if values.get("meeting_model") and values.get("category") != ResourceCategory.RECOVERY_SUPPORT:
        raise ResourceRuleError("category", MEETING_CATEGORY_MESSAGE)


def _with_schedule(data: dict) -> dict:
    """Write the readable schedule from the day and times when none was typed."""
    data = dict(data)
    if data.get("meeting_model") and not data.get("meeting_schedule"):
        start, end = data.get("meeting_time"), data.get("meeting_end_time")
        if data.get("meeting_day") is not None or start is not None:
            data["meeting_schedule"] = schedule_text(
                [data["meeting_day"]] if data.get("meeting_day") is not None else [],
                start.strftime("%H:%M") if start else None,
                end.strftime("%H:%M") if end else None,
            )
    return data


def _organization(
    organization_id: int | None, new_organization: str | None, *, actor: User
) -> int | None:
    if new_organization:
        org = Organization(name=new_organization)
        db.session.add(org)
        db.session.flush()
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            entity_type="organization",
            entity_id=org.id,
            fields=["name"],
        )
        return org.id
    return organization_id


def create_resource(
    data: dict,
    *,
    organization_id: int | None = None,
    new_organization: str | None = None,
    actor: User,
) -> Resource:
    """Add a directory entry. An admin's entries are shared by every program; a supervisor's
    or program manager's belong to their program. Refuses what ``check_resource`` refuses."""
    check_resource(data)
    data = _with_schedule(data)
    resource = Resource(
        program_id=None if actor.role == Role.ADMIN else actor.program_id,
        organization_id=_organization(organization_id, new_organization, actor=actor),
        **{key: data.get(key) for key in RESOURCE_FIELDS if key != "active"},
        active=data.get("active", True) is not False,
    )
    db.session.add(resource)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="resource",
        entity_id=resource.id,
        fields=[
            key
            for key in (*RESOURCE_FIELDS, "organization_id")
            if getattr(resource, key) not in (None, "")
        ],
    )
    return resource


def update_resource(
    resource: Resource,
    data: dict,
    *,
    organization_id: int | None = None,
    new_organization: str | None = None,
    actor: User,
) -> list[str]:
    """Change a directory entry; ``active=False`` takes it out of new referrals (its referrals
    stay). Returns the names of the fields that changed. Refuses what ``check_resource``
    refuses of the entry as it would be."""
    check_resource({key: getattr(resource, key) for key in RESOURCE_FIELDS} | data)
    data = _with_schedule(data)
    changes = {key: data[key] for key in RESOURCE_FIELDS if key in data}
    changes["organization_id"] = _organization(organization_id, new_organization, actor=actor)
    changed = records.apply_changes(resource, changes)
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="resource",
            entity_id=resource.id,
            fields=changed,
        )
    return changed
