"""Small factories for test data. Every name here is synthetic."""

from __future__ import annotations

import itertools
from datetime import date

from coachapp.auth.passwords import hash_password
from coachapp.clients.services import name_key, next_client_code
from coachapp.extensions import db
from coachapp.models import Client, Enrollment, Program, User

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def program(name: str | None = None, timezone: str = "UTC") -> Program:
    row = Program(name=name or f"Program {next(_counter)}", timezone=timezone)
    db.session.add(row)
    db.session.commit()
    return row


def user(
    role: str,
    *,
    program: Program | None = None,
    supervisor: User | None = None,
    name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
) -> User:
    n = next(_counter)
    row = User(
        email=email or f"{role}{n}@example.org",
        name=name or f"{role.title()} {n}",
        role=role,
        password_hash=_hash(password),
        program_id=program.id if program else None,
        supervisor_id=supervisor.id if supervisor else None,
        active=active,
    )
    db.session.add(row)
    db.session.commit()
    return row


def client(
    coach: User,
    *,
    first_name: str = "Jordan",
    last_name: str | None = None,
    intake_date: date = date(2026, 1, 5),
    date_of_birth: date | None = date(1990, 4, 2),
    status: str = "active",
    **fields,
) -> Client:
    last_name = last_name or f"Rivera{next(_counter)}"
    row = Client(
        program_id=coach.program_id,
        code=next_client_code(coach.program_id),
        first_name=first_name,
        last_name=last_name,
        name_key=name_key(first_name, last_name),
        date_of_birth=date_of_birth,
        coach_id=coach.id,
        status=status,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(Enrollment(client_id=row.id, intake_date=intake_date))
    db.session.commit()
    return row
