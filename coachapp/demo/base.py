"""The demo builder's state and plumbing, shared by its parts (staff, clients, records,
supervision)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from coachapp.demo.plan import (
    CHUNK_ROWS,
    FUTURE_DAYS,
    HISTORY_DAYS,
    RESET_SEQUENCE,
    UTC,
    ClientPlan,
    DemoScale,
)
from coachapp.demo.profiles import ProfileRows
from coachapp.demo.vocabulary import (
    FIRST_NAMES,
    LAST_NAMES,
    OTHER_SCRIPT_NAMES,
)
from coachapp.extensions import db


class BuilderBase:
    """The builder's state and plumbing: dates, the random stream, ids and bulk inserts."""

    def __init__(self, scale: DemoScale, seed: int, today: date) -> None:
        self.scale = scale
        self.rng = random.Random(seed)  # nosec B311
        self.rnd = self.rng.random
        # Follow-up interviews draw from their own stream: the other rows stay as they were.
        self.interview_rnd = random.Random(seed * 7919 + 17).random  # nosec B311
        # The client profiles draw from their own generator: the other rows stay as they were.
        self.profiles = ProfileRows(seed, self.new_id)
        self.today = today
        self.t = HISTORY_DAYS  # today's day index
        start = today - timedelta(days=HISTORY_DAYS)
        self.days = [start + timedelta(days=i) for i in range(HISTORY_DAYS + FUTURE_DAYS + 1)]
        # Records are stamped at 22:00 UTC of their day (evening in the program's zone).
        self.stamps = [datetime(d.year, d.month, d.day, 22, tzinfo=UTC) for d in self.days]
        self.counts: dict[str, int] = {}
        self.next_ids: dict[str, int] = {}
        self.is_postgres = db.engine.dialect.name == "postgresql"

        self.program_id = 0
        self.coach_ids: list[int] = []
        self.coach_supervisor: dict[int, int] = {}
        self.coach_team: dict[int, int] = {}
        self.supervisor_ids: list[int] = []
        self.team_ids: list[int] = []
        self.resources_by_category: dict[str, list[tuple[int, str]]] = {}
        self.meetings: list[tuple[int, str]] = []  # (resource id, model)
        self.plans: list[ClientPlan] = []
        # Per coach: sorted first-intake day and client id, for supervision notes.
        self.caseload: dict[int, list[tuple[int, int]]] = {}

    # --- plumbing ---

    def day(self, offset: int) -> date:
        """The date ``offset`` days after the start of the history (may fall outside it)."""
        if 0 <= offset < len(self.days):
            return self.days[offset]
        return self.days[0] + timedelta(days=offset)

    def stamp(self, offset: int) -> datetime:
        """A timestamp on day ``offset``, never later than yesterday evening."""
        offset = min(offset, self.t - 1)
        if offset >= 0:
            return self.stamps[offset]
        d = self.day(offset)
        return datetime(d.year, d.month, d.day, 22, tzinfo=UTC)

    def pick(self, pool: Sequence[Any]) -> Any:
        return pool[int(self.rnd() * len(pool))]

    def start_ids(self, *models: Any) -> None:
        """Ids continue after any rows already there (an admin made before the demo, say)."""
        for model in models:
            table = model.__table__
            self.counts[table.name] = 0
            if "id" in table.c:
                current = db.session.scalar(select(func.max(table.c.id))) or 0
                self.next_ids[table.name] = current + 1

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def write(self, target: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        name = target.name if isinstance(target, Table) else target.__tablename__
        # render_nulls: without it the ORM leaves a row's None columns out of its INSERT, rows
        # with different None columns stop sharing one statement, and executemany turns into
        # one execute per row (three times slower at the medium scale).
        statement = insert(target).execution_options(render_nulls=True)
        for start in range(0, len(rows), CHUNK_ROWS):
            db.session.execute(statement, rows[start : start + CHUNK_ROWS])
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def reset_sequences(self) -> None:
        """PostgreSQL hands out ids from sequences that explicit ids did not advance."""
        if not self.is_postgres:
            return
        for table in self.next_ids:  # names from the metadata, never from input
            db.session.execute(text(RESET_SEQUENCE.format(table=table)))

    # --- names ---

    def person_name(self) -> tuple[str, str]:
        if self.rnd() < 0.05:
            return self.pick(OTHER_SCRIPT_NAMES)
        return self.pick(FIRST_NAMES), self.pick(LAST_NAMES)

    def first_client_id(self) -> int:
        return self.next_ids["clients"] - len(self.plans)
