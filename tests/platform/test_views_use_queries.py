"""Views call queries and services only (ARCHITECTURE.md): no statement is built in a view.

A view may commit or roll back its one transaction and load a row by its primary key
(``db.session.get``); every other read is a named function of the feature's ``queries.py`` and
every change one of its ``services.py``. This walks each ``coachapp/**/views.py`` and fails on a
statement built or run there."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import REPO

ALLOWED_SESSION_CALLS = {"commit", "rollback", "get"}
BUILDERS = {"select", "insert", "update", "delete", "text", "union", "union_all", "exists"}
CLAUSES = {"where", "filter", "filter_by", "order_by", "group_by", "having", "join", "outerjoin"}


def offences(source: str) -> list[str]:
    """What a view module does that belongs in queries or services, as ``line: what``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            names = {alias.name for alias in node.names}
            if names & (BUILDERS | {"func", "and_", "or_"}):
                found.append(f"{node.lineno}: imports {sorted(names)} from {node.module}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in BUILDERS:
            found.append(f"{node.lineno}: {func.id}(...)")
        if isinstance(func, ast.Attribute):
            owner = func.value
            if (
                isinstance(owner, ast.Attribute)
                and owner.attr == "session"
                and isinstance(owner.value, ast.Name)
                and owner.value.id == "db"
                and func.attr not in ALLOWED_SESSION_CALLS
            ):
                found.append(f"{node.lineno}: db.session.{func.attr}(...)")
            if func.attr in CLAUSES and not (
                isinstance(owner, ast.Constant) and isinstance(owner.value, str)
            ):
                found.append(f"{node.lineno}: .{func.attr}(...)")
    return found


def view_modules() -> list[Path]:
    return sorted((REPO / "coachapp").glob("**/views.py"))


def test_no_view_builds_or_runs_a_statement():
    modules = view_modules()
    assert len(modules) >= 15
    wrong = {
        str(path.relative_to(REPO)): found
        for path in modules
        if (found := offences(path.read_text(encoding="utf-8")))
    }
    assert wrong == {}


def test_the_check_catches_a_statement_in_a_view():
    planted = (
        "from sqlalchemy import select\n"
        "def page():\n"
        "    rows = db.session.scalars(select(Client).where(Client.id == 1))\n"
        "    db.session.commit()\n"
        "    return ', '.join(rows)\n"
    )
    found = offences(planted)
    assert any("imports" in f for f in found)
    assert any("select(...)" in f for f in found)
    assert any("db.session.scalars" in f for f in found)
    assert any(".where(...)" in f for f in found)
    assert not any("commit" in f or ".join" in f for f in found)
