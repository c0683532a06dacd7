"""Keeping the report rollups (``models.rollups``) equal to the records, in the transaction of
each change.

Every transaction that changes a client's sessions, appointments, assignment history, program
or standing (archived, merged) recomputes that client's client-month rows from their records
just before it commits, and adds the difference to the coach-month sums. Statements written in
bulk (the demo, a restore of rows) rebuild everything instead. The counts are the sessions'
and appointments' own row sources (``sources``): each rollup column is one condition of theirs,
so the rollups count what the figures count by construction.

``rebuild`` recomputes every row from scratch (``flask reports rebuild``); a test compares it
with the rows kept change by change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    case,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes
from sqlalchemy.sql.dml import Delete, Insert, Update

from coachapp.models import (
    Appointment,
    Client,
    ClientAssignment,
    CoachingSession,
    Enrollment,
    ReportClientMonth,
    ReportCoachMonth,
    ReportEpisode,
    ReportRollupStatus,
)
from coachapp.models.rollups import ROLLUP_COUNTS
from coachapp.reports import rollups
from coachapp.reports.credit import client_counted, held_on, held_spans
from coachapp.reports.rows import RowSource
from coachapp.reports.sources import (
    RETENTION_DAYS,
    appointment_source,
    episode_facts,
    session_source,
)
from coachapp.reports.sqlfuncs import month_start
from coachapp.scope import Period, Scope

_CLIENTS = "reports.upkeep.clients"  # Session.info: clients whose rows this transaction changed
_EVERYTHING = "reports.upkeep.everything"  # Session.info: rows were written in bulk
_CHUNK = 500

# What the rollups are made of: per model, the columns whose change matters (None: any).
WATCHED: dict[type, frozenset[str] | None] = {
    CoachingSession: frozenset(["client_id", "date", "outcome", "duration_minutes", "archived_at"]),
    Appointment: frozenset(
        [
            "client_id",
            "scheduled_at",
            "outcome",
            "accompaniment_planned",
            "coach_accompanied",
            "archived_at",
        ]
    ),
    ClientAssignment: None,
    Client: frozenset(["program_id", "coach_id", "archived_at", "merged_into_id"]),
    Enrollment: frozenset(["client_id", "intake_date", "discharge_date"]),
}
WATCHED_TABLES = {model.__tablename__: columns for model, columns in WATCHED.items()}


# --- The rows, from the records ----------------------------------------------------------------


def _columns(source: RowSource) -> list[Any]:
    """One column per rollup count: 1 for each of ``source``'s records in that count's rowset
    (0 for the other source's counts), and the summed values."""
    rowsets = {column: key for key, column in rollups.SUMMED[source.name].items()}
    values = {
        column: (value, key)
        for (name, value, key), column in rollups.SUMMED_VALUES.items()
        if name == source.name
    }
    columns = []
    for column in ROLLUP_COUNTS:
        if column in rowsets:
            condition = source.conditions[rowsets[column]]
            counted = literal(1) if condition is None else case((condition, 1), else_=0)
        elif column in values:
            value, key = values[column]
            counted = case((source.conditions[key], source.values[value]), else_=0)
        else:
            counted = literal(0)
        columns.append(counted.label(column))
    return columns


def _client_rows(client_ids: list[int] | None) -> Select:
    """``(client_id, month, span_lo, coach_id, program_id, counted, *ROLLUP_COUNTS)`` of
    ``client_ids`` (every client: None), computed from their records."""
    probe = Scope(0), Period(date(2000, 1, 1), date(2000, 1, 1))  # conditions only
    ids = None if client_ids is None else select(Client.id).where(Client.id.in_(client_ids))
    held = held_spans(ids)
    parts = []
    for model, day, build in (
        (CoachingSession, CoachingSession.date, session_source),
        (Appointment, Appointment.scheduled_at, appointment_source),
    ):
        part = (
            select(
                model.client_id.label("client_id"),
                month_start(day).label("month"),
                held.c.lo.label("span_lo"),
                held.c.coach_id.label("coach_id"),
                *_columns(build(*probe)),
            )
            .join(held, held_on(held, model.client_id, day))
            .where(model.archived_at.is_(None))
        )
        if client_ids is not None:
            part = part.where(model.client_id.in_(client_ids))
        parts.append(part)
    records = union_all(*parts).subquery("records")
    counted = client_counted()
    keys = (records.c.client_id, records.c.month, records.c.span_lo, records.c.coach_id)
    return (
        select(
            *keys,
            Client.program_id,
            case((counted, True), else_=False).label("counted"),
            *(func.sum(records.c[column]) for column in ROLLUP_COUNTS),
        )
        .join(Client, Client.id == records.c.client_id)
        .group_by(*keys, Client.program_id, Client.archived_at, Client.merged_into_id)
    )


def _episode_rows(client_ids: list[int] | None) -> Select:
    """The ``ReportEpisode`` rows of ``client_ids`` (every client: None): each episode's
    intake, the span holding the client that day, and its ``episode_facts``."""
    ids = None if client_ids is None else select(Client.id).where(Client.id.in_(client_ids))
    held = held_spans(ids)
    facts = episode_facts()
    counted = client_counted()
    query = (
        select(
            Enrollment.id,
            held.c.lo,
            held.c.coach_id,
            Enrollment.client_id,
            Client.program_id,
            case((counted, True), else_=False),
            Enrollment.intake_date,
            facts["first_contact"],
            *(case((facts[f"retained.{n}"], True), else_=False) for n in RETENTION_DAYS),
        )
        .join(Client, Client.id == Enrollment.client_id)
        .join(held, held_on(held, Enrollment.client_id, Enrollment.intake_date))
    )
    if client_ids is not None:
        query = query.where(Enrollment.client_id.in_(client_ids))
    return query


_EPISODE_COLUMNS = [
    "enrollment_id",
    "span_lo",
    "coach_id",
    "client_id",
    "program_id",
    "counted",
    "intake_date",
    "first_contact",
    *(f"retained_{n}" for n in RETENTION_DAYS),
]
_CLIENT_MONTH_COLUMNS = [
    "client_id",
    "month",
    "span_lo",
    "coach_id",
    "program_id",
    "counted",
    *ROLLUP_COUNTS,
]
_COACH_MONTH_KEY = ("program_id", "coach_id", "month")


def _coach_month_totals(connection: Connection, client_ids: list[int]) -> dict[tuple, list[int]]:
    """The counted client-month rows of ``client_ids`` summed per program, coach and month."""
    rcm = ReportClientMonth.__table__
    keys = [rcm.c[k] for k in _COACH_MONTH_KEY]
    query = (
        select(*keys, *(func.sum(rcm.c[c]) for c in ROLLUP_COUNTS))
        .where(rcm.c.client_id.in_(client_ids), rcm.c.counted.is_(True))
        .group_by(*keys)
    )
    return {tuple(row[:3]): [int(v) for v in row[3:]] for row in connection.execute(query)}


def _upsert(connection: Connection, table: Table):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _add(connection: Connection, deltas: dict[tuple, list[int]]) -> None:
    """Add ``deltas`` to the coach-month sums; rows left at zero everywhere are dropped."""
    deltas = {key: delta for key, delta in deltas.items() if any(delta)}
    if not deltas:
        return
    table = ReportCoachMonth.__table__
    rows = [
        {
            **dict(zip(_COACH_MONTH_KEY, key, strict=True)),
            **dict(zip(ROLLUP_COUNTS, d, strict=True)),
        }
        for key, d in deltas.items()
    ]
    statement = _upsert(connection, table).values(rows)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[k] for k in _COACH_MONTH_KEY],
            set_={c: table.c[c] + statement.excluded[c] for c in ROLLUP_COUNTS},
        )
    )
    connection.execute(
        delete(table).where(
            tuple_(*(table.c[k] for k in _COACH_MONTH_KEY)).in_(list(deltas)),
            *(table.c[c] == 0 for c in ROLLUP_COUNTS),
        )
    )


def refresh(connection: Connection, client_ids: Iterable[int]) -> None:
    """Recompute the client-month rows of ``client_ids`` and adjust the coach-month sums."""
    rcm = ReportClientMonth.__table__
    ids = sorted(set(client_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if connection.dialect.name == "postgresql":
            # One transaction at a time recomputes a client: a second waits here, then reads
            # the first one's records and rows.
            lock = select(Client.id).where(Client.id.in_(chunk)).order_by(Client.id)
            connection.execute(lock.with_for_update())
        before = _coach_month_totals(connection, chunk)
        connection.execute(delete(rcm).where(rcm.c.client_id.in_(chunk)))
        connection.execute(insert(rcm).from_select(_CLIENT_MONTH_COLUMNS, _client_rows(chunk)))
        episodes = ReportEpisode.__table__
        connection.execute(delete(episodes).where(episodes.c.client_id.in_(chunk)))
        connection.execute(insert(episodes).from_select(_EPISODE_COLUMNS, _episode_rows(chunk)))
        after = _coach_month_totals(connection, chunk)
        deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(ROLLUP_COUNTS))
        for key, sums in after.items():
            deltas[key] = [a + b for a, b in zip(deltas[key], sums, strict=True)]
        for key, sums in before.items():
            deltas[key] = [a - b for a, b in zip(deltas[key], sums, strict=True)]
        _add(connection, deltas)


def rebuild(connection: Connection) -> int:
    """Recompute every rollup row from the records; returns the number of client-month rows.
    The rollups may be read afterwards."""
    rcm, cm = ReportClientMonth.__table__, ReportCoachMonth.__table__
    connection.execute(delete(rcm))
    connection.execute(insert(rcm).from_select(_CLIENT_MONTH_COLUMNS, _client_rows(None)))
    keys = [rcm.c[k] for k in _COACH_MONTH_KEY]
    connection.execute(delete(cm))
    connection.execute(
        insert(cm).from_select(
            [*_COACH_MONTH_KEY, *ROLLUP_COUNTS],
            select(*keys, *(func.sum(rcm.c[c]) for c in ROLLUP_COUNTS))
            .where(rcm.c.counted.is_(True))
            .group_by(*keys),
        )
    )
    episodes = ReportEpisode.__table__
    connection.execute(delete(episodes))
    connection.execute(insert(episodes).from_select(_EPISODE_COLUMNS, _episode_rows(None)))
    connection.execute(update(ReportRollupStatus.__table__).values(needs_rebuild=False))
    return connection.execute(select(func.count()).select_from(rcm)).scalar_one()


def needs_rebuild(connection: Connection) -> bool:
    status = ReportRollupStatus.__table__
    return bool(connection.execute(select(status.c.needs_rebuild).where(status.c.id == 1)).scalar())


# --- Noting what a transaction changes ---------------------------------------------------------


def _client_ids(obj: object) -> set[int]:
    """The clients whose rows a change of ``obj`` touches (old and new owner of a record)."""
    if isinstance(obj, Client):
        return {obj.id} if obj.id is not None else set()
    found = {obj.client_id}
    history = attributes.get_history(obj, "client_id")
    found.update(history.added, history.unchanged, history.deleted)
    if "client" in attributes.instance_state(obj).attrs:
        for owner in attributes.get_history(obj, "client").deleted:
            found.add(getattr(owner, "id", None))
    return {v for v in found if v is not None}


def _changed(obj: object, columns: frozenset[str] | None) -> bool:
    if columns is None:
        return True
    attrs = attributes.instance_state(obj).attrs
    return any(attrs[c].history.has_changes() for c in (*columns, "client") if c in attrs)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    """A record moved to another client: note the client it leaves. Its old value is in the
    attribute history only if it was loaded when set; otherwise it is read (still unchanged
    in the database before this flush)."""
    noted: set[int] = session.info.setdefault(_CLIENTS, set())
    for obj in session.dirty:
        if type(obj) not in WATCHED or isinstance(obj, Client):
            continue
        history = attributes.get_history(obj, "client_id")
        if history.deleted or not history.added:
            noted.update(v for v in history.deleted if v is not None)
            continue
        model = type(obj)
        identity = attributes.instance_state(obj).identity
        if identity is not None:
            old = session.execute(select(model.client_id).where(model.id == identity[0])).scalar()
            if old is not None:
                noted.add(old)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """Note the clients of this flush's changes (the collections and attribute histories
    still show what it wrote, and new records have their client's id)."""
    noted: set[int] = session.info.setdefault(_CLIENTS, set())
    for obj in session.new:
        if type(obj) in WATCHED and not isinstance(obj, Client):
            noted.update(_client_ids(obj))
    for obj in (*session.dirty, *session.deleted):
        model = type(obj)
        if model not in WATCHED:
            continue
        if obj not in session.deleted and not _changed(obj, WATCHED[model]):
            continue
        noted.update(_client_ids(obj))


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """Rows written in bulk to a watched table: everything is rebuilt at commit (an UPDATE of
    columns the rollups do not read, such as a key rotation's, and new clients, change none)."""
    statement = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return
    table = statement.table
    if not isinstance(table, Table) or table.name not in WATCHED_TABLES:
        return
    columns = WATCHED_TABLES[table.name]
    if isinstance(statement, Update) and columns is not None:
        values = getattr(statement, "_values", None)
        if values and not {getattr(c, "key", str(c)) for c in values} & columns:
            return
    if isinstance(statement, Insert) and table.name == Client.__tablename__:
        return
    state.session.info[_EVERYTHING] = True


@event.listens_for(Session, "before_commit")
def _keep_up(session: Session) -> None:
    session.flush()  # this transaction's last changes are noted first
    everything = session.info.pop(_EVERYTHING, False)
    clients = session.info.pop(_CLIENTS, set())
    if not everything and not clients:
        return
    connection = session.connection()
    if needs_rebuild(connection):
        return  # nothing to keep until ``flask reports rebuild``
    if everything:
        rebuild(connection)
    else:
        refresh(connection, clients)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CLIENTS, None)
    session.info.pop(_EVERYTHING, None)
    rollups.forget_readiness_of(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    rollups.forget_readiness_of(session)
