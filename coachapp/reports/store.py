"""Stored reports: a report computed once is served again until a change could alter it.

A whole-program report for a year reads every session of that year (about a second of SQL at
a statewide program's size, bench/README.md). Its figures are a function of the records, the
scope and the period only, and most changes are dated today: a session logged this morning
cannot alter a report that ended last month. So:

- every transaction that changes something a report reads (``TRACKED``: the columns of
  metrics.py's queries) adds one to the ``report_changes`` row of the month of the earliest
  date it touched, just before it commits, in the same transaction (a change that touches
  every period, such as a client moved to another coach, counts in the 1900-01 row);
- a report is stored with ``changes_token``: the rows and sum of the counts of every month up
  to its period's end, read *before* its figures are computed. It is served while that token
  is unchanged, and computed (and stored) again otherwise.

Why that is exact: counts only grow. A change the computation could have missed was committed
after the token was read, and its count, committed with it, changes the token. A change the
computation saw, committed before, is already in the token.

The funder figures and the SUPRT follow-up rates are stored beside the report, each under its
own ``definitions``. The follow-up rates also depend on the day (a window counts once it has
closed before today): that day is part of their token (``followup_report``).

The report page's rendered body is stored beside them too (``stored_page``), under the same
token read before anything is computed: it is served exactly while the figures would be.

Changes made outside the app (SQL typed into a console) are not counted: ``flask reports
forget`` drops every stored report after such work. ``DEFINITIONS`` is part of the key: a
release that changes what a figure means changes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import MANYTOONE, Session, attributes, object_mapper
from sqlalchemy.sql.dml import Delete, Insert, Update

from coachapp.extensions import db
from coachapp.followups import metrics as followup_metrics
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    ClientAssignment,
    ClientProfile,
    ClientStatusRecord,
    CoachingSession,
    Enrollment,
    FollowUpInterview,
    Goal,
    Referral,
    ReportChange,
    StoredReport,
    StoredReportPage,
    SupervisionNote,
    SupervisionNoteCoach,
    User,
)
from coachapp.models.base import utcnow
from coachapp.reports import metrics, outcomes
from coachapp.scope import Period, Scope

# Change this when a definition of metrics.py changes what a stored figure would be.
DEFINITIONS = "metrics.md 2026-12-05"
# The funder figures (``outcomes``) are stored beside the report under their own key, so the
# report's stored JSON (and the API that returns it) keeps exactly its keys.
FUNDER_DEFINITIONS = "funder figures 2026-12-06"
FOLLOWUP_DEFINITIONS = "followups 2026-12-06"  # the follow-up rates, under their own key too
EVERY_PERIOD = date(1900, 1, 1)
KEEP_FOR = timedelta(days=30)  # a stored report is dropped this long after it was computed
_EARLIEST = "reports.store.earliest"  # Session.info key: this transaction's earliest change


@dataclass(frozen=True)
class Tracked:
    """What reports read of a model: ``columns`` (their change matters) and ``dates`` (the
    earliest of their old and new values is the first period it can alter; none: every
    period). ``inserts``: whether a new row alone can alter a figure."""

    columns: frozenset[str]
    dates: tuple[str, ...] = ()
    inserts: bool = True


def _tracked(columns: str, dates: tuple[str, ...] = (), *, inserts: bool = True) -> Tracked:
    return Tracked(frozenset(columns.split()), dates, inserts)


# Every column metrics.py reads (tests/reports/test_report_store.py checks the report's SQL
# against it).
TRACKED: dict[type, Tracked] = {
    CoachingSession: _tracked("client_id date outcome duration_minutes archived_at", ("date",)),
    Appointment: _tracked(
        "client_id scheduled_at outcome accompaniment_planned coach_accompanied archived_at",
        ("scheduled_at",),
    ),
    Referral: _tracked(
        "client_id category referred_on status connected_on archived_at", ("referred_on",)
    ),
    Goal: _tracked("client_id status opened_on closed_on archived_at", ("opened_on", "closed_on")),
    Assessment: _tracked("id client_id administered_on total archived_at", ("administered_on",)),
    Enrollment: _tracked("id client_id intake_date discharge_date", ("intake_date",)),
    SupervisionNote: _tracked("id date duration_minutes archived_at", ("date",)),
    # A note's coaches: dated by their note (see _link_dates).
    SupervisionNoteCoach: _tracked("note_id coach_id"),
    # A new client counts through their episodes and records, each tracked above.
    Client: _tracked(
        "id program_id coach_id merged_into_id archived_at date_of_birth", inserts=False
    ),
    # Credit to coaches: a reassignment alters periods from the changed row's start onward.
    ClientAssignment: _tracked("id client_id coach_id starts_on ends_on", ("starts_on",)),
    # The funder figures (outcomes.py): demographics are undated (a change counts for every
    # period); a status row counts from its date (rows dated after a period's end never do).
    ClientProfile: _tracked(
        "client_id gender_identity race_ethnicity veteran_status primary_substance insurance "
        "referral_source"
    ),
    ClientStatusRecord: _tracked("id client_id kind status as_of archived_at", ("as_of",)),
    User: _tracked("id program_id role active name supervisor_id"),
    # The follow-up rates (followups/metrics.py): dated by the intake of the record's episode
    # (see _interview_dates). The episodes, clients and credit are tracked above.
    FollowUpInterview: _tracked("id enrollment_id kind done_on archived_at"),
}
TRACKED_TABLES: dict[str, Tracked] = {model.__tablename__: t for model, t in TRACKED.items()}


# --- Counting changes --------------------------------------------------------------------------


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _values(obj: object, key: str) -> list[Any] | None:
    """Old and new values of one attribute (loading it if it has expired); None when it was
    set without its old value ever being loaded."""
    history = attributes.get_history(obj, key)
    persistent = attributes.instance_state(obj).has_identity
    if history.has_changes() and not history.deleted and persistent:
        return None
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _changed(obj: object, tracked: Tracked) -> bool:
    """Whether a tracked column of a persistent row was set to another value (nothing is
    loaded to find out: an attribute that was set is in the history)."""
    passive = attributes.PASSIVE_NO_INITIALIZE
    if any(attributes.get_history(obj, k, passive).has_changes() for k in tracked.columns):
        return True
    return any(  # record.client = other sets client_id only during the flush
        attributes.get_history(obj, rel.key, passive).has_changes()
        for rel in object_mapper(obj).relationships
        if rel.direction is MANYTOONE and {c.key for c in rel.local_columns} & tracked.columns
    )


def _link_dates(session: Session, link: SupervisionNoteCoach) -> list[Any] | None:
    note = link.note if "note" in attributes.instance_state(link).dict else None
    if note is None:
        with session.no_autoflush:
            note = session.get(SupervisionNote, link.note_id) if link.note_id else None
    return _values(note, "date") if note is not None else None


def _interview_dates(session: Session, row: FollowUpInterview) -> list[Any] | None:
    """The intake dates of the episode (old and new) of a follow-up interview. Every window
    of an episode closes on or after its intake (baseline: intake + 30 days; six-month: the
    target + 30 days; closeout: the discharge + 30 days, a discharge never before its intake),
    and a record counts only in the period holding its window's last day, whatever its
    ``done_on`` (a late record counts as "outside the window" in an earlier period): so no
    period that ended before the intake can be altered. None (every period) when an episode
    cannot be found."""
    history = attributes.get_history(row, "enrollment", attributes.PASSIVE_NO_INITIALIZE)
    episodes = [e for e in (*history.added, *history.unchanged, *history.deleted) if e is not None]
    ids = _values(row, "enrollment_id")
    if ids is None:
        return None
    with session.no_autoflush:
        for episode_id in ids:
            episode = session.get(Enrollment, episode_id)
            if episode is None:
                return None
            episodes.append(episode)
    if not episodes:
        return None
    found: list[Any] = []
    for episode in episodes:
        values = _values(episode, "intake_date")
        if not values:
            return None
        found.extend(values)
    return found


def _earliest(session: Session, obj: object, tracked: Tracked) -> date | None:
    """The first day ``obj``'s change can alter (EVERY_PERIOD if any), or None if it alters
    no report."""
    state = attributes.instance_state(obj)
    if state.has_identity and not state.deleted and obj not in session.deleted:
        if not _changed(obj, tracked):
            return None
    elif not state.has_identity and not tracked.inserts:
        return None
    if isinstance(obj, SupervisionNoteCoach):
        found = _link_dates(session, obj)
    elif isinstance(obj, FollowUpInterview):
        found = _interview_dates(session, obj)
    else:
        found = []
        for key in tracked.dates:
            values = _values(obj, key)
            if values is None:
                found = None
                break
            found.extend(values)
    if not found:
        return EVERY_PERIOD
    return min(_as_date(v) for v in found)


def _note(session: Session, day: date) -> None:
    current = session.info.get(_EARLIEST)
    session.info[_EARLIEST] = day if current is None else min(current, day)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        tracked = TRACKED.get(type(obj))
        if tracked is None:
            continue
        day = _earliest(session, obj, tracked)
        if day is not None:
            _note(session, day)


def _statement_columns(statement: Update) -> set[str] | None:
    """The columns an UPDATE sets in ``.values()``; None when it does not say (values given
    with the parameters, as an UPDATE by primary key with a list of rows does)."""
    values = getattr(statement, "_values", None)
    if not values:
        return None
    return {getattr(column, "key", str(column)) for column in values}


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """INSERT, UPDATE or DELETE statements on a tracked table count for every period (an
    UPDATE of columns reports do not read, such as a key rotation's, counts for none)."""
    statement = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return
    table = statement.table
    tracked = TRACKED_TABLES.get(table.name) if isinstance(table, Table) else None
    if tracked is None:
        return
    if isinstance(statement, Update):
        columns = _statement_columns(statement)
        if columns is not None and not columns & tracked.columns:
            return
    if isinstance(statement, Insert) and not tracked.inserts:
        return
    _note(state.session, EVERY_PERIOD)


def _insert(connection, table: Table):
    """INSERT with ON CONFLICT (an upsert), in the connection's dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


@event.listens_for(Session, "before_commit")
def _count_changes(session: Session) -> None:
    session.flush()  # this transaction's last changes are noted first
    earliest = session.info.pop(_EARLIEST, None)
    if earliest is None:
        return
    connection = session.connection()
    table = ReportChange.__table__
    statement = _insert(connection, table).values(month=earliest.replace(day=1), changes=1)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.month], set_={"changes": table.c.changes + 1}
        )
    )


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_EARLIEST, None)


# --- Storing reports ---------------------------------------------------------------------------


def scope_key(scope: Scope) -> str:
    key = f"program={scope.program_id}"
    if scope.supervisor_id is not None:
        key += f";supervisor={scope.supervisor_id}"
    if scope.coach_id is not None:
        key += f";coach={scope.coach_id}"
    return key


def changes_token(end: date) -> str:
    rows, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(ReportChange.changes), 0)).where(
            ReportChange.month <= end
        )
    ).one()
    return f"{rows}:{total}"


def _key(scope: Scope, period: Period, definitions: str = DEFINITIONS):
    return (
        StoredReport.scope_key == scope_key(scope),
        StoredReport.start == period.start,
        StoredReport.end == period.end,
        StoredReport.definitions == definitions,
    )


def _stored(
    scope: Scope,
    period: Period,
    definitions: str,
    compute,
    *,
    as_of: str = "",
    changes: str | None = None,
) -> dict:
    """The stored figures of ``definitions`` if their token is unchanged, else ``compute``'s,
    stored. ``as_of`` (figures that depend on more than the records, e.g. the day) is part of
    the token: another value computes them again and replaces the row. ``changes``: the
    changes' part of the token, read by the caller before anything was computed (else now)."""
    token = (changes_token(period.end) if changes is None else changes) + as_of
    stored = db.session.execute(
        select(StoredReport.changes_token, StoredReport.payload).where(
            *_key(scope, period, definitions)
        )
    ).first()
    if stored is not None and stored.changes_token == token:
        return json.loads(stored.payload)
    payload = json.dumps(compute(scope, period), separators=(",", ":"))
    _save(scope, period, token, payload, definitions)
    return json.loads(payload)


def detailed_report(scope: Scope, period: Period, *, changes: str | None = None) -> dict:
    """``metrics.detailed_report``, stored: read back while nothing it counts has changed,
    else computed and stored (the caller commits). The stored JSON is what is returned both
    times, so a first and a second view never differ. ``changes``: ``changes_token``, read
    by the caller before (else now)."""
    return _stored(scope, period, DEFINITIONS, metrics.detailed_report, changes=changes)


def funder_report(scope: Scope, period: Period, *, changes: str | None = None) -> dict:
    """``outcomes.funder_report`` (housing and employment, every breakdown), stored the same
    way under its own key: unsuppressed; the small-cell rule is applied where it is shown."""
    return _stored(scope, period, FUNDER_DEFINITIONS, outcomes.funder_report, changes=changes)


def followup_report(
    scope: Scope, period: Period, *, today: date, changes: str | None = None
) -> dict:
    """``followups.metrics.figures`` (the SUPRT follow-up rates), stored the same way under
    their own key. A window counts once it has closed before ``today``, so the day is in the
    token: a new day computes them again, except for a period that ended before it (its
    windows all closed by ``end + 1``, the day used for it from then on)."""
    as_of = followup_day(period, today)
    return _stored(
        scope,
        period,
        FOLLOWUP_DEFINITIONS,
        lambda scope, period: followup_metrics.figures(scope, period, today=as_of),
        as_of=f"@{as_of.isoformat()}",
        changes=changes,
    )


def followup_day(period: Period, today: date) -> date:
    """The day the follow-up rates of ``period`` are computed as of, seen on ``today``."""
    return min(today, period.end + timedelta(days=1))


def outcome_report(scope: Scope, period: Period) -> dict:
    """``metrics.outcome_report``, from the stored detailed report."""
    report = detailed_report(scope, period)
    return {k: v for k, v in report.items() if k not in ("counts", "barc10")}


def _save(
    scope: Scope, period: Period, token: str, payload: str, definitions: str = DEFINITIONS
) -> None:
    table = StoredReport.__table__
    values = {
        "scope_key": scope_key(scope),
        "start": period.start,
        "end": period.end,
        "definitions": definitions,
        "changes_token": token,
        "payload": payload,
        "computed_at": utcnow(),
    }
    statement = _insert(db.session.connection(), table).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.scope_key, table.c.start, table.c.end, table.c.definitions],
            set_={k: statement.excluded[k] for k in ("changes_token", "payload", "computed_at")},
        )
    )
    db.session.execute(delete(StoredReport).where(StoredReport.computed_at < utcnow() - KEEP_FOR))


def forget() -> int:
    """Drop every stored report, and the pages rendered from them (the caller commits); how
    many reports there were."""
    db.session.execute(delete(StoredReportPage))
    return db.session.execute(delete(StoredReport)).rowcount


# --- Storing the report page's body ------------------------------------------------------------
#
# The report page's body (its tables, the charts' data, the links behind each number) is a
# function of the stored figures, the scope, the period and the page's code, plus what the
# viewer's role shows (``variant``: the caller's digest of those). It is kept beside the figures
# under their token, read before anything is computed, so it is served exactly while all three
# stored parts (the report, the funder figures, the follow-up rates) would be served as stored.


@dataclass(frozen=True)
class StoredPage:
    """What ``stored_page`` read in one statement: the changes' token (before anything is
    computed), the token the stored figures of this period are served under today, and the
    stored body if it was rendered under that token."""

    changes: str
    token: str
    body: bytes | None


def _stored_page_statement():
    """``stored_page``'s statement, built once: its values are bound parameters."""
    months = select(ReportChange.changes).where(ReportChange.month <= bindparam("end")).subquery()
    page = select(StoredReportPage.changes_token).where(
        StoredReportPage.scope_key == bindparam("scope_key"),
        StoredReportPage.start == bindparam("start"),
        StoredReportPage.end == bindparam("end"),
        StoredReportPage.variant == bindparam("variant"),
    )
    return select(
        select(func.count()).select_from(months).scalar_subquery(),
        select(func.coalesce(func.sum(months.c.changes), 0)).scalar_subquery(),
        page.scalar_subquery(),
        page.with_only_columns(StoredReportPage.body).scalar_subquery(),
    )


_STORED_PAGE = _stored_page_statement()


def stored_page(scope: Scope, period: Period, variant: str, *, today: date) -> StoredPage:
    """The changes' token and the stored body of the report page, in one statement."""
    row = db.session.execute(
        _STORED_PAGE,
        {
            "scope_key": scope_key(scope),
            "start": period.start,
            "end": period.end,
            "variant": variant,
        },
    ).one()
    changes = f"{row[0]}:{row[1]}"
    token = f"{changes}@{followup_day(period, today).isoformat()}"
    return StoredPage(changes, token, row[3] if row[2] == token else None)


def save_page(scope: Scope, period: Period, variant: str, token: str, body: bytes) -> None:
    """Keep ``body``, rendered from figures read under ``token`` (the caller commits)."""
    table = StoredReportPage.__table__
    statement = _insert(db.session.connection(), table).values(
        scope_key=scope_key(scope),
        start=period.start,
        end=period.end,
        variant=variant,
        changes_token=token,
        body=body,
        computed_at=utcnow(),
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.scope_key, table.c.start, table.c.end, table.c.variant],
            set_={k: statement.excluded[k] for k in ("changes_token", "body", "computed_at")},
        )
    )
    db.session.execute(
        delete(StoredReportPage).where(StoredReportPage.computed_at < utcnow() - KEEP_FOR)
    )
