"""SUPRT follow-up interviews in SQL: the windows of ``schedule`` as rows, the follow-up rates of
a report, the interviews due this week. Aggregates only, never a query per row or per client.

The rates (coachapp/reports/metrics.md, "Follow-up interviews (SUPRT)"), for each kind K of
baseline, six-month (the SUPRT *follow-up rate*, held to ``TARGET`` = 80%) and closeout:

- ``followups.K.due`` (denominator): interviews of kind K of in-scope clients' episodes that
  are due (``schedule``: a six-month interview replaced by the closeout, or the closeout of an
  episode still open, is not due, and never counts) and whose window **closed in the period**:
  its last day is in ``[start, end]`` and before today (a window that closes today or later is
  still open: it is not counted yet);
- ``followups.K.done`` (numerator): of those, the ones with a live (not archived) record whose
  ``done_on`` is inside the window;
- ``followups.K.outside_window``: of those, recorded outside the window (early or late): kept
  and shown, never counted as done;
- ``followups.K.not_done``: of those, nothing recorded (missed);
- ``followups.K.rate`` = ``done / due`` (4 decimals; ``None`` when ``due`` is 0).

``due = done + outside_window + not_done``. The scope is the report's: a coach or team filter
credits each interview to the coach who held the client on its window's last day, as the other
figures credit their records ("Credit to coaches").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Date,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from coachapp.extensions import db
from coachapp.followups.schedule import DUE_SOON_DAYS, KIND_LABELS, SIX_MONTHS, WINDOW_DAYS
from coachapp.models import Client, Enrollment, FollowUpInterview, User
from coachapp.models.enums import InterviewKind
from coachapp.reports.credit import (
    credited_coach,
    credits,
    held_on,
    held_spans,
    program_clients,
    scope_clients,
)
from coachapp.reports.sqlfuncs import add_days
from coachapp.scope import Period, Scope, rate

TARGET = 0.8  # SAMHSA holds the SUPRT follow-up (six-month) rate to 80%
KINDS = tuple(k.value for k in InterviewKind)
PARTS = ("due", "done", "outside_window", "not_done")


class add_months(GenericFunction):  # noqa: N801 - SQL function name
    """``add_months(date, n)``: ``n`` calendar months later, clipped to the month's last day
    (Aug 31 + 6 months = Feb 28, or Feb 29 in a leap year), as ``schedule.add_months``."""

    type = Date()
    inherit_cache = True


@compiles(add_months)
def _add_months_default(element, compiler, **kw):
    # PostgreSQL's date + interval clips to the month's last day already.
    day, n = list(element.clauses)
    return (
        f"CAST(({compiler.process(day, **kw)} + "
        f"make_interval(months => CAST({compiler.process(n, **kw)} AS INTEGER))) AS DATE)"
    )


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    # SQLite rolls an overflow into the next month (Aug 31 + 6 months = Mar 3): when the day of
    # the month changed, go back to the last day of the month before.
    day, n = list(element.clauses)
    d = compiler.process(day, **kw)
    shifted = f"date({d}, printf('%+d months', {compiler.process(n, **kw)}))"
    return (
        f"(CASE WHEN strftime('%d', {shifted}) = strftime('%d', {d}) THEN {shifted} "
        f"ELSE date({shifted}, 'start of month', '-1 day') END)"
    )


def window_rows(clients):
    """The due interviews of the episodes of ``clients`` (a subquery with ``id`` and
    ``coach_id``, e.g. ``scope_clients``) as a subquery: ``enrollment_id, client_id, coach_id,
    kind, opens, closes, target``. Interviews that are not due have no row (``schedule``)."""
    intake, discharge = Enrollment.intake_date, Enrollment.discharge_date
    target = add_months(intake, SIX_MONTHS)
    six_opens = add_days(target, -WINDOW_DAYS)

    def part(kind: str, opens, closes, target_value, *conditions) -> Select:
        return (
            select(
                Enrollment.id.label("enrollment_id"),
                clients.c.id.label("client_id"),
                clients.c.coach_id.label("coach_id"),
                literal(kind, String).label("kind"),
                _as_date(opens).label("opens"),
                _as_date(closes).label("closes"),
                _as_date(target_value).label("target"),
            )
            .select_from(clients)
            .join(Enrollment, Enrollment.client_id == clients.c.id)
            .where(*conditions)
        )

    return union_all(
        part(InterviewKind.BASELINE, intake, add_days(intake, WINDOW_DAYS), literal(None, Date)),
        part(
            InterviewKind.SIX_MONTH,
            six_opens,
            add_days(target, WINDOW_DAYS),
            target,
            or_(discharge.is_(None), discharge >= six_opens),
        ),
        part(
            InterviewKind.CLOSEOUT,
            discharge,
            add_days(discharge, WINDOW_DAYS),
            literal(None, Date),
            discharge.is_not(None),
        ),
    ).subquery("interview_windows")


def _as_date(expression):
    return type_coerce(expression, Date)


def _live_record(windows):
    """The join condition of a window to its live (not archived) record."""
    return and_(
        FollowUpInterview.enrollment_id == windows.c.enrollment_id,
        FollowUpInterview.kind == windows.c.kind,
        FollowUpInterview.archived_at.is_(None),
    )


def _inside(windows):
    return and_(
        FollowUpInterview.done_on >= windows.c.opens, FollowUpInterview.done_on <= windows.c.closes
    )


# --- The rates of a report ------------------------------------------------------------------


def rate_counts(scope: Scope, period: Period, *, today: date) -> dict[str, dict[str, int]]:
    """``{kind: {due, done, outside_window, not_done}}`` for every kind: one query.

    With a coach or team scope an interview counts for the coach who held the client on its
    window's last day (metrics.md, "Credit to coaches": the day it falls due or is missed)."""
    credited = credits(scope)
    windows = window_rows(program_clients(scope) if credited else scope_clients(scope))
    recorded = FollowUpInterview.id.is_not(None)
    inside = and_(recorded, _inside(windows))
    query = (
        select(
            windows.c.kind,
            func.count().label("due"),
            func.count().filter(inside).label("done"),
            func.count().filter(and_(recorded, not_(_inside(windows)))).label("outside_window"),
            func.count().filter(FollowUpInterview.id.is_(None)).label("not_done"),
        )
        .select_from(windows)
        .outerjoin(FollowUpInterview, _live_record(windows))
        .where(
            windows.c.closes >= period.start,
            windows.c.closes <= period.end,
            windows.c.closes < today,
        )
        .group_by(windows.c.kind)
    )
    if credited:
        held = held_spans()
        query = query.join(held, held_on(held, windows.c.client_id, windows.c.closes)).where(
            credited_coach(scope, held.c.coach_id)
        )
    found = {row.kind: row for row in db.session.execute(query)}
    return {
        kind: {part: int(getattr(found[kind], part) or 0) if kind in found else 0 for part in PARTS}
        for kind in KINDS
    }


def figures(scope: Scope, period: Period, *, today: date) -> dict:
    """``{baseline|six_month|closeout: {due, done, outside_window, not_done, rate}, target}``:
    what ``GET /reports/followups``, the report page and the exports show."""
    counts = rate_counts(scope, period, today=today)
    out: dict = {
        kind: {**counts[kind], "rate": rate(counts[kind]["done"], counts[kind]["due"])}
        for kind in KINDS
    }
    out["target"] = TARGET
    return out


def flat_rows(result: dict) -> list[tuple[str, object, int | None, int | None]]:
    """``(key, value, numerator, denominator)`` of every figure, for the exports."""
    rows: list[tuple[str, object, int | None, int | None]] = []
    for kind in KINDS:
        c = result[kind]
        rows.append((f"followups.{kind}.rate", c["rate"], c["done"], c["due"]))
        for part in PARTS:
            rows.append((f"followups.{kind}.{part}", c[part], None, None))
    rows.append(("followups.target", result["target"], None, None))
    return rows


# --- Interviews due this week ---------------------------------------------------------------


def due_soon(windows, today: date):
    """Due this week: window open today, nothing recorded, last day at most ``DUE_SOON_DAYS``
    days away (so windows in their last days are always in)."""
    return and_(
        windows.c.opens <= today,
        windows.c.closes >= today,
        windows.c.closes <= today + timedelta(days=DUE_SOON_DAYS),
        FollowUpInterview.id.is_(None),
    )


def open_now(windows, today: date):
    return and_(windows.c.opens <= today, windows.c.closes >= today, FollowUpInterview.id.is_(None))


def opening_soon(windows, today: date):
    return and_(
        windows.c.opens > today,
        windows.c.opens <= today + timedelta(days=DUE_SOON_DAYS),
        FollowUpInterview.id.is_(None),
    )


def visible_windows(client_ids: Select, coach_id: int | None = None):
    """``window_rows`` of the clients whose ids ``client_ids`` selects (built on the access
    rule: ``access.visible_client_ids``), optionally those of one coach."""
    clients = select(Client.id.label("id"), Client.coach_id.label("coach_id")).where(
        Client.id.in_(client_ids)
    )
    if coach_id is not None:
        clients = clients.where(Client.coach_id == coach_id)
    return window_rows(clients.subquery("list_clients"))


def due_soon_ids(client_ids: Select, today: date) -> Select:
    """``SELECT enrollment_id`` of the interviews due this week (for the task count)."""
    windows = visible_windows(client_ids)
    return (
        select(windows.c.enrollment_id)
        .select_from(windows)
        .outerjoin(FollowUpInterview, _live_record(windows))
        .where(due_soon(windows, today))
    )


@dataclass(frozen=True)
class DueRow:
    client_id: int
    client_name: str
    coach_name: str
    kind: str
    opens: date
    closes: date
    bucket: str  # "due" (this week), "open", "opening"

    @property
    def label(self) -> str:
        return KIND_LABELS[InterviewKind(self.kind)]

    def days_left(self, today: date) -> int:
        return (self.closes - today).days

    def days_to_open(self, today: date) -> int:
        return (self.opens - today).days


BUCKETS = ("due", "open", "opening")
LIST_LIMIT = 500


def due_list(
    client_ids: Select, today: date, *, coach_id: int | None = None, limit: int = LIST_LIMIT
) -> tuple[list[DueRow], dict[str, int]]:
    """The interviews of the clients ``client_ids`` selects that are due this week, open, or
    opening in the next 7 days (nothing recorded), soonest first: two queries (the rows, at
    most ``limit``, and the count of each bucket)."""
    windows = visible_windows(client_ids, coach_id)
    bucket = case(
        (due_soon(windows, today), literal("due")),
        (open_now(windows, today), literal("open")),
        else_=literal("opening"),
    )
    listed = or_(open_now(windows, today), opening_soon(windows, today))
    base = (
        select()
        .select_from(windows)
        .outerjoin(FollowUpInterview, _live_record(windows))
        .where(listed)
    )
    counts = dict.fromkeys(BUCKETS, 0)
    for name, n in db.session.execute(
        base.add_columns(bucket.label("bucket"), func.count()).group_by(bucket)
    ):
        counts[name] = n
    rows = db.session.execute(
        base.join(Client, Client.id == windows.c.client_id)
        .join(User, User.id == Client.coach_id)
        .add_columns(
            windows.c.client_id,
            Client.first_name,
            Client.last_name,
            Client.preferred_name,
            User.name,
            windows.c.kind,
            windows.c.opens,
            windows.c.closes,
            bucket.label("bucket"),
        )
        .order_by(
            case((bucket == "opening", 1), else_=0),
            windows.c.closes,
            windows.c.opens,
            Client.last_name,
            Client.id,
        )
        .limit(limit)
    ).all()
    return [_due_row(r, r.bucket) for r in rows], counts


def due_soon_rows(client_ids: Select, today: date, limit: int) -> list[DueRow]:
    """The first ``limit`` interviews due this week (soonest last day first): one query."""
    return due_soon_result(db.session.execute(due_soon_rows_query(client_ids, today, limit)))


def due_soon_result(result) -> list[DueRow]:
    """The rows of ``due_soon_rows_query`` run (for a caller that keeps the statement)."""
    return [_due_row(r, "due") for r in result.all()]


def due_soon_rows_query(client_ids: Select, today: date, limit: int) -> Select:
    """The statement of ``due_soon_rows``."""
    windows = visible_windows(client_ids)
    return (
        select(
            windows.c.client_id,
            Client.first_name,
            Client.last_name,
            Client.preferred_name,
            User.name,
            windows.c.kind,
            windows.c.opens,
            windows.c.closes,
        )
        .select_from(windows)
        .outerjoin(FollowUpInterview, _live_record(windows))
        .join(Client, Client.id == windows.c.client_id)
        .join(User, User.id == Client.coach_id)
        .where(due_soon(windows, today))
        .order_by(windows.c.closes, Client.last_name, Client.id)
        .limit(limit)
    )


def _due_row(r, bucket: str) -> DueRow:
    return DueRow(
        client_id=r.client_id,
        client_name=f"{r.preferred_name or r.first_name} {r.last_name}",
        coach_name=r.name,
        kind=r.kind,
        opens=r.opens,
        closes=r.closes,
        bucket=bucket,
    )


def counts_by_coach(scope: Scope, today: date) -> list[dict]:
    """Program managers' view: per coach in scope, how many interviews are due this week, open,
    opening in the next 7 days. Counts only, no client named; one query."""
    windows = window_rows(scope_clients(scope))
    query = (
        select(
            User.id,
            User.name,
            func.count().filter(due_soon(windows, today)).label("due"),
            func.count()
            .filter(open_now(windows, today), not_(due_soon(windows, today)))
            .label("open"),
            func.count().filter(opening_soon(windows, today)).label("opening"),
        )
        .select_from(windows)
        .join(User, User.id == windows.c.coach_id)
        .outerjoin(FollowUpInterview, _live_record(windows))
        .where(or_(open_now(windows, today), opening_soon(windows, today)))
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    )
    return [
        {"coach_id": r.id, "coach_name": r.name, "due": r.due, "open": r.open, "opening": r.opening}
        for r in db.session.execute(query)
    ]
