"""Staff accounts (admins only, api.md): list, open with an initial password, change,
deactivate with ``active: false``. The rules are ``admin.services``'."""

from __future__ import annotations

from sqlalchemy import select

from coachapp.admin import services
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import committing
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    NoArgs,
    PageArgs,
    UserCreateSchema,
    UserPage,
    UserPatchSchema,
    UserSchema,
)
from coachapp.extensions import db
from coachapp.models import User
from coachapp.models.enums import Role

DETAILS = ("name", "role", "program_id", "supervisor_id", "credential")


def _credential(value: str | None) -> str | None:
    """A credential as stored: trimmed, and none for an empty one."""
    return (value or "").strip() or None


def _set_active(user: User, active: bool | None) -> None:
    if active is False:
        services.deactivate_user(user, actor=api_user())
    elif active is True:
        services.reactivate_user(user, actor=api_user())


@blp.route("/users", methods=["GET"])
@token_required(Role.ADMIN)
@blp.arguments(PageArgs, location="query")
@blp.response(200, UserPage)
def list_users(args):
    """Every staff account, by name."""
    return paginate(select(User).order_by(User.name, User.id), args)


@blp.route("/users", methods=["POST"])
@token_required(Role.ADMIN)
@idempotent
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user(data):
    """Open an account; the password must pass the policy (12 characters or more, not a
    common one). Coaches name a supervisor of their program."""
    details = {key: data.get(key) for key in DETAILS}
    details["name"] = details["name"].strip()
    details["credential"] = _credential(details["credential"])
    with committing():
        user = services.create_user(
            {**details, "team_id": None},
            email=data["email"],
            password=data["password"],
            actor=api_user(),
        )
        _set_active(user, False if data.get("active") is False else None)
    return user


@blp.route("/users/<int:user_id>", methods=["GET"])
@token_required(Role.ADMIN)
@blp.arguments(NoArgs, location="query")
@blp.response(200, UserSchema)
def get_user(args, user_id: int):
    """One staff account."""
    return db.get_or_404(User, user_id)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@token_required(Role.ADMIN)
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def patch_user(data, user_id: int):
    """Change name, role, program or supervisor; ``active: false`` deactivates the account
    (signed out everywhere, tokens revoked), ``true`` lets it sign in again."""
    user = db.get_or_404(User, user_id)
    with committing():
        if any(key in data for key in DETAILS):
            details = {key: getattr(user, key) for key in services.USER_FIELDS}
            details.update({k: v for k, v in data.items() if k in DETAILS})
            if "name" in data:
                details["name"] = data["name"].strip()
            details["credential"] = _credential(details["credential"])
            moved = details["program_id"] != user.program_id
            if moved or details["role"] not in services.IN_TEAMS:
                # Teams are not part of the API: a move out of the program or to a role
                # without teams takes the user off their team.
                details["team_id"] = None
            services.update_user(user, details, actor=api_user())
        _set_active(user, data.get("active"))
    return user
