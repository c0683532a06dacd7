"""Pages through Flask's test client: signed in with the real form (CSRF on), timed (wall and
this process's CPU), and the SQL of each request counted and timed: its statements, and the sum
of the time between ``before_cursor_execute`` and ``after_cursor_execute`` of each."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from coachapp import timeutil
from coachapp.demo import DEMO_PASSWORD, DEMO_USERS
from coachapp.extensions import db
from coachapp.models import Client, CoachingSession, Program, User

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BenchError(RuntimeError):
    """The benchmark cannot measure what it was asked to (a page failed, a user is missing)."""


def demo_email(role: str) -> str:
    return dict(DEMO_USERS)[role]


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign ``client`` in through the login form, CSRF token and all."""
    page = client.get("/auth/login")
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    data = {"email": email, "password": password}
    if match:
        data["csrf_token"] = match.group(1)
    response = client.post("/auth/login", data=data)
    if response.status_code != 302 or "/auth/login" in response.headers.get("Location", ""):
        raise BenchError(f"sign-in as {email} failed ({response.status_code})")


# The cheapest page a signed-in user can GET: the session is read and the user loaded (its only
# statement), the layout rendered around text that is computed once per process. The reference
# of the throughput ratio (issue 21: the session, the user and the headers are every page's
# fixed cost; the ratio measures a page's own work). A coach's pages all count the coach's
# tasks for the menu badge (one query), so no coach page is as light as this one.
TRIVIAL_PAGE = "/reports/definitions"
TRIVIAL_ROLE = "program_manager"


class QueryCounter:
    """Counts the SQL statements the app's engine runs and sums their time (one process, one
    request at a time): ``count`` statements; ``seconds`` (wall) and ``cpu_seconds`` (this
    process's CPU) between each statement's ``before_cursor_execute`` and
    ``after_cursor_execute``, the cursor's ``execute`` (on SQLite the rows a statement returns
    after its first are read by the fetch that follows, which is not counted). On SQLite the
    database runs in this process, so its CPU time is the one to set beside the page's CPU time
    (wall time also counts the waits of a busy machine); on PostgreSQL the work is the server's
    and only the wall time means something."""

    def __init__(self, app: Flask) -> None:
        self.count = 0
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self._started = self._cpu_started = 0.0
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self.count += 1
        self._started, self._cpu_started = time.perf_counter(), time.process_time()

    def _after(self, *_args) -> None:
        self.seconds += time.perf_counter() - self._started
        self.cpu_seconds += time.process_time() - self._cpu_started

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def last_12_months(today: date) -> tuple[date, date]:
    """The report page's default period: the 12 whole calendar months before today's month."""
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


@dataclass
class Subjects:
    """Who and what the pages are measured for, read from the demo program."""

    program_id: int
    today: date
    period: tuple[date, date]
    busiest_client_id: int
    busiest_sessions: int


def subjects(app: Flask) -> Subjects:
    """The demo program, its local today, and the demo coach's client with the most sessions."""
    with app.app_context():
        program = db.session.scalar(select(Program).order_by(Program.id).limit(1))
        if program is None:
            raise BenchError("no program: build the demo first")
        coach_id = db.session.scalar(select(User.id).where(User.email == demo_email("coach")))
        busiest = db.session.execute(
            select(Client.id, func.count(CoachingSession.id).label("n"))
            .join(CoachingSession, CoachingSession.client_id == Client.id)
            .where(
                Client.coach_id == coach_id,
                Client.archived_at.is_(None),
                Client.merged_into_id.is_(None),
            )
            .group_by(Client.id)
            .order_by(func.count(CoachingSession.id).desc(), Client.id)
            .limit(1)
        ).first()
        if busiest is None:
            raise BenchError("the demo coach has no client with sessions")
        today = timeutil.local_today(program)
        result = Subjects(program.id, today, last_12_months(today), busiest.id, busiest.n)
        db.session.remove()
    return result


@dataclass
class PageResult:
    name: str
    url: str
    role: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time (SQLite: all)
    sql_ms: list[float] = field(default_factory=list)  # its statements' execute, wall time
    sql_cpu_ms: list[float] = field(default_factory=list)  # the same, this process's CPU
    queries: list[int] = field(default_factory=list)
    available: bool = True

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None

    @property
    def median_cpu_ms(self) -> float | None:
        return statistics.median(self.cpu_ms) if self.cpu_ms else None

    @property
    def median_sql_ms(self) -> float | None:
        return statistics.median(self.sql_ms) if self.sql_ms else None

    @property
    def median_sql_cpu_ms(self) -> float | None:
        return statistics.median(self.sql_cpu_ms) if self.sql_cpu_ms else None

    @property
    def cpu_over_sql(self) -> float | None:
        """Median CPU ÷ median CPU of its SQL: how far the page is from its own SQL (SQLite,
        where the database's work is this process's)."""
        cpu, sql = self.median_cpu_ms, self.median_sql_cpu_ms
        return cpu / sql if cpu is not None and sql else None

    @property
    def wall_over_sql(self) -> float | None:
        """Median wall time ÷ median wall time of its SQL (PostgreSQL)."""
        wall, sql = self.median_ms, self.median_sql_ms
        return wall / sql if wall is not None and sql else None

    @property
    def query_count(self) -> int | None:
        """The statements of one request (the largest seen, should they ever differ)."""
        return max(self.queries) if self.queries else None


# What is done before each view of a page: nothing, or drop the stored reports (the report
# page then computes its figures, as on the first view after a change to its period).
KEEP, FORGET = "keep", "forget"


def page_plan(app: Flask, who: Subjects) -> list[tuple[str, str, str, bool, str]]:
    """``(name, url, role, available, before_each_view)`` of every page measured. The report
    page twice: computed (no stored report: the first view of a period, or the first after a
    change dated in it) and stored (every view after that, until such a change)."""
    start, end = who.period
    report = f"/reports/?preset=custom&start={start.isoformat()}&end={end.isoformat()}"
    reports = "reports.index" in app.view_functions
    return [
        ("caseload /clients/", "/clients/", "coach", True, KEEP),
        (
            f"client page /clients/{who.busiest_client_id}",
            f"/clients/{who.busiest_client_id}",
            "coach",
            True,
            KEEP,
        ),
        (
            "supervisor dashboard /team/",
            "/team/",
            "supervisor",
            "team.dashboard" in app.view_functions,
            KEEP,
        ),
        ("report page, computed /reports/", report, "program_manager", reports, FORGET),
        ("report page, stored /reports/", report, "program_manager", reports, KEEP),
        (
            f"signed-in trivial page {TRIVIAL_PAGE}",
            TRIVIAL_PAGE,
            TRIVIAL_ROLE,
            "reports.definitions" in app.view_functions,
            KEEP,
        ),
    ]


def forget_stored_reports(app: Flask) -> None:
    from coachapp.reports import store

    with app.app_context():
        store.forget()
        db.session.commit()
        db.session.remove()


def time_pages(app: Flask, runs: int, *, warmup: int = 1) -> list[PageResult]:
    """Each page ``warmup`` times untimed, then ``runs`` times timed, as its demo user."""
    who = subjects(app)
    counter = QueryCounter(app)
    try:
        return _time_pages(app, who, counter, runs, warmup)
    finally:
        counter.close()


def _time_pages(
    app: Flask, who: Subjects, counter: QueryCounter, runs: int, warmup: int
) -> list[PageResult]:
    clients: dict[str, FlaskClient] = {}
    results = []
    for name, url, role, available, before_each_view in page_plan(app, who):
        result = PageResult(name, url, role, available=available)
        results.append(result)
        if not available:
            continue
        if role not in clients:
            clients[role] = app.test_client()
            sign_in(clients[role], demo_email(role))
        client = clients[role]
        for i in range(warmup + runs):
            if before_each_view == FORGET:
                forget_stored_reports(app)
            before, sql_before, sql_cpu = counter.count, counter.seconds, counter.cpu_seconds
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            response.get_data()
            elapsed = (time.perf_counter() - started) * 1000
            cpu_elapsed = (time.process_time() - cpu) * 1000
            if response.status_code != 200:
                raise BenchError(f"{url} answered {response.status_code} for the {role}")
            if i >= warmup:
                result.times_ms.append(elapsed)
                result.cpu_ms.append(cpu_elapsed)
                result.sql_ms.append((counter.seconds - sql_before) * 1000)
                result.sql_cpu_ms.append((counter.cpu_seconds - sql_cpu) * 1000)
                result.queries.append(counter.count - before)
    return results
