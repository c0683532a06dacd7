"""Directory services: create and edit entries (deactivate, never delete), and edit the
taxonomy mapping HSDS imports consult. No HTTP here.

The rules of an entry are written here only (``check_resource``) for the pages and the API
alike: a mutual-aid meeting is a recovery support resource. A refusal raises
``ResourceRuleError`` before anything changes.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from coachapp import audit, records
from coachapp.extensions import db
from coachapp.models import Organization, Resource, TaxonomyMapping, User
from coachapp.models.enums import AuditAction, ResourceCategory, Role
from coachapp.resources.queries import schedule_text
from coachapp.resources.taxonomy import CODE_TERM, MATCHES, normalise_term

# Who may edit the directory (and the taxonomy mapping its imports consult).
WRITERS = (Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.ADMIN)

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


# --- The taxonomy mapping -----------------------------------------------------------------------

MAX_TERM = 200
MAPPING_FIELDS = ("match", "term", "category")


class MappingRuleError(records.RuleError):
    """The rules of the taxonomy mapping refuse a line; ``errors`` names each field to blame."""


def can_change_mapping(user: User, mapping: TaxonomyMapping) -> bool:
    """Admins change every line; supervisors and program managers their program's (a shared
    line is overridden by adding the same term to their program's)."""
    if user.role == Role.ADMIN:
        return True
    return mapping.program_id is not None and mapping.program_id == user.program_id


def check_mapping(values: dict, *, program_id: int | None, mapping_id: int | None = None) -> dict:
    """The line's columns, normalised (``term`` in upper case for a code, lower case
    otherwise), or ``MappingRuleError``: a known match and category, a term of 1 to 200
    characters (a code: letters, digits, dots and hyphens), and no other line of the same scope
    with the same match and term."""
    errors: dict[str, str] = {}
    match = values.get("match") or ""
    if match not in MATCHES:
        errors["match"] = "Choose how the term is matched."
    category = values.get("category") or ""
    if category not in set(ResourceCategory):
        errors["category"] = "Choose a category of the directory."
    raw = values.get("term") or ""
    term = normalise_term(match, raw) if isinstance(raw, str) else ""
    if not term:
        errors["term"] = "Give the term."
    elif len(term) > MAX_TERM or "\x00" in term:
        errors["term"] = f"A term is at most {MAX_TERM} characters."
    elif match == "code" and not CODE_TERM.match(term):
        errors["term"] = 'A code is letters, digits, dots and hyphens, e.g. "BH" or "RX-8450".'
    elif match == "word" and not re.search(r"\w", term):
        errors["term"] = "A word has at least one letter or digit."
    if errors:
        raise MappingRuleError(errors)
    scope = (
        TaxonomyMapping.program_id.is_(None)
        if program_id is None
        else TaxonomyMapping.program_id == program_id
    )
    query = select(TaxonomyMapping.id).where(
        scope, TaxonomyMapping.match == match, TaxonomyMapping.term == term
    )
    if mapping_id is not None:
        query = query.where(TaxonomyMapping.id != mapping_id)
    if db.session.scalar(query) is not None:
        raise MappingRuleError("term", "This term already has a line here: change that one.")
    return {"match": match, "term": term, "category": category}


def create_mapping(data: dict, *, actor: User) -> TaxonomyMapping:
    """Add a line to the taxonomy mapping: an admin's is shared by every program, a
    supervisor's or program manager's belongs to their program (as directory entries do)."""
    program_id = None if actor.role == Role.ADMIN else actor.program_id
    values = check_mapping(data, program_id=program_id)
    mapping = TaxonomyMapping(program_id=program_id, **values)
    db.session.add(mapping)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="taxonomy_mapping",
        entity_id=mapping.id,
        fields=list(MAPPING_FIELDS),
    )
    return mapping


def update_mapping(mapping: TaxonomyMapping, data: dict, *, actor: User) -> list[str]:
    """Change a line; returns the names of the fields that changed."""
    values = check_mapping(
        {key: getattr(mapping, key) for key in MAPPING_FIELDS} | data,
        program_id=mapping.program_id,
        mapping_id=mapping.id,
    )
    changed = records.apply_changes(mapping, values)
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="taxonomy_mapping",
            entity_id=mapping.id,
            fields=changed,
        )
    return changed


def delete_mapping(mapping: TaxonomyMapping, *, actor: User) -> None:
    """Remove a line: its terms map by the remaining lines, then the default, at the next
    import. A setting, not a record: deleted, and the audit trail says so."""
    audit.record(
        AuditAction.ARCHIVE,
        actor=actor,
        entity_type="taxonomy_mapping",
        entity_id=mapping.id,
        fields=list(MAPPING_FIELDS),
        detail="deleted",
    )
    db.session.delete(mapping)
    db.session.flush()
