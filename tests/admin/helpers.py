"""Helpers shared by the admin tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from coachapp.extensions import db as _db
from coachapp.models import AuditEvent


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(row):
    """The row as the database has it now (requests run in their own session)."""
    _db.session.expire_all()
    return _db.session.get(type(row), row.id)


def errors_of(page: str, field_id: str) -> str:
    """The text of the error block the render_field macro puts beside ``field_id``."""
    match = re.search(rf'id="{field_id}-errors"[^>]*>(.*?)</div>\s*</div>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def audit_rows(entity_type: str | None = None) -> list[AuditEvent]:
    """Audit events about ``entity_type`` written by the admin pages (not sign-ins)."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity_type:
        query = query.where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.action.not_in(("login", "login_failed", "logout")),
        )
    return list(_db.session.scalars(query))


def form_login(browser, email: str, password: str):
    """The real sign-in form (CSRF is off in TestConfig)."""
    return browser.post("/auth/login", data={"email": email, "password": password})


def admin_get_urls(user_id: int, program_id: int, team_id: int) -> list[str]:
    return [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{user_id}/edit",
        "/admin/programs",
        "/admin/programs/new",
        f"/admin/programs/{program_id}/edit",
        "/admin/teams",
        "/admin/teams/new",
        f"/admin/teams/{team_id}/edit",
    ]
