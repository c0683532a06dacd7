"""The small demo for seed 1 and a fixed day is the same, row for row, as when the digest in
tests/data/demo_small_seed1.sha256 was recorded (before the demo became a package).

The digest covers every column of every table in primary-key order, encrypted columns read
back decrypted, values written in one canonical form so SQLite and PostgreSQL agree. Password
hashes are left out: argon2 salts each hash. If the demo is changed on purpose, record the new
digest (the failing assertion prints it) and say why in the commit.
"""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from coachapp.demo import build_demo
from coachapp.extensions import db as _db
from coachapp.models import Base
from tests.helpers import DATA

FIXTURE = DATA / "demo_small_seed1.sha256"


def _canonical(value: object) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return repr(value)


def canonical_digest() -> str:
    """SHA-256 of every row of every table (password hashes left out), in primary-key order."""
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "password_hash"]
        rows = _db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        digest.update(table.name.encode())
        for row in rows:
            digest.update("|".join(_canonical(v) for v in row).encode())
            digest.update(b"\n")
    return digest.hexdigest()


def _recorded() -> tuple[str, int, date, str]:
    fields = dict(line.split("=", 1) for line in FIXTURE.read_text().split() if "=" in line)
    return (
        fields["scale"],
        int(fields["seed"]),
        date.fromisoformat(fields["today"]),
        fields["sha256"],
    )


def test_small_demo_for_seed_1_is_unchanged(db):
    scale, seed, today, expected = _recorded()
    build_demo(scale, seed, today=today)
    assert canonical_digest() == expected
