"""The resource directory: read by anyone signed in; written by supervisors, program managers
and admins (api.md). Entries are deactivated (``active: false``), never deleted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import committing
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    ResourceCreateSchema,
    ResourcePage,
    ResourcePatchSchema,
    ResourceQueryArgs,
    ResourceSchema,
)
from coachapp.extensions import db
from coachapp.models import Organization, Resource
from coachapp.resources import queries, services
from coachapp.resources.services import WRITERS

FIELDS = ("name", "category", "phone", "email", "website", "address", "description", "active")
SHOW = {None: "all", True: "active", False: "inactive"}


def resource_out(resource: Resource) -> dict:
    data = {key: getattr(resource, key) for key in FIELDS}
    data.update(
        id=resource.id,
        organization=resource.organization.name if resource.organization else None,
    )
    return data


def _organization(name: str | None) -> dict:
    """``organization_id`` / ``new_organization`` for the services, from the organization's
    name: an existing organization of that name, else a new one."""
    name = (name or "").strip()
    if not name:
        return {"organization_id": None, "new_organization": None}
    existing = db.session.scalar(
        select(Organization.id).where(Organization.name == name).order_by(Organization.id).limit(1)
    )
    if existing is not None:
        return {"organization_id": existing, "new_organization": None}
    return {"organization_id": None, "new_organization": name}


def _values(data: dict) -> dict:
    values = {key: data[key] for key in FIELDS if key in data}
    if "name" in values:
        values["name"] = values["name"].strip()
    return values


def _answer(resource: Resource) -> dict:
    db.session.flush()
    db.session.expire(resource, ["organization"])
    return resource_out(resource)


@blp.route("/resources", methods=["GET"])
@token_required()
@blp.arguments(ResourceQueryArgs, location="query")
@blp.response(200, ResourcePage)
def list_resources(args):
    """Directory entries the user may read (shared ones and their program's), by name; ``q``
    searches names, organizations, addresses (ZIP codes too) and descriptions; ``active``
    filters."""
    query = queries.directory(
        api_user(),
        q=args.get("q", ""),
        category=args.get("category", ""),
        show=SHOW[args.get("active")],
    )
    page = paginate(query, args, options=[selectinload(Resource.organization)])
    page["items"] = [resource_out(r) for r in page["items"]]
    return page


@blp.route("/resources", methods=["POST"])
@token_required(*WRITERS)
@idempotent
@blp.arguments(ResourceCreateSchema)
@blp.response(201, ResourceSchema)
def create_resource(data):
    """Add a directory entry: an admin's is shared by every program, a supervisor's or
    program manager's belongs to their program."""
    with committing():
        resource = services.create_resource(
            _values(data), **_organization(data.get("organization")), actor=api_user()
        )
        out = _answer(resource)
    return out


@blp.route("/resources/<int:resource_id>", methods=["PATCH"])
@token_required(*WRITERS)
@blp.arguments(ResourcePatchSchema)
@blp.response(200, ResourceSchema)
def patch_resource(data, resource_id: int):
    """Change a directory entry; ``active: false`` takes it out of new referrals. A mutual-aid
    meeting stays a ``recovery_support`` resource."""
    resource = queries.get_visible_resource_or_404(resource_id, api_user())
    if "organization" in data:
        organization = _organization(data["organization"])
    else:
        organization = {"organization_id": resource.organization_id, "new_organization": None}
    with committing():
        services.update_resource(resource, _values(data), **organization, actor=api_user())
        out = _answer(resource)
    return out
