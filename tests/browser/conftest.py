"""Browser tests: Playwright for Python driving Debian's Chromium against the app served on
127.0.0.1 from a thread, on its own SQLite file (or, when TEST_DATABASE_URL names a PostgreSQL
server, on a scratch database of its own). Skipped, with a message, when Chromium or Playwright
is missing; .ci/run installs both and fails if anything skipped.

Journeys run twice (desktop and phone; see BROWSER_VIEWPORTS) against one served app, so a
journey that changes records makes its own with ``site.make(...)`` instead of changing the
shared ones.

Two served apps: ``site``, a handful of records made with the factories, and ``demo_site``, the
small demo program of coachapp/demo/ (60 clients, 3,000 sessions, a year-long backlog of notes
waiting for the demo supervisor), for the pages as a program sees them at real volume."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from coachapp import create_app
from coachapp.appointments import services as appointment_services
from coachapp.demo import DEMO_PASSWORD, DEMO_USERS, build_demo
from coachapp.extensions import db
from coachapp.models import (
    ConsentRecord,
    MutualAidAttendance,
    SupervisionNote,
    SupervisionNoteCoach,
    TaxonomyMapping,
    User,
    session_goals,
)
from coachapp.models.enums import ConsentCategory
from coachapp.plans import services as plan_services
from coachapp.sessions import services as session_services
from coachapp.team import services as team_services
from tests import factories
from tests.helpers import (
    create_scratch_database,
    drop_scratch_database,
    make_test_config,
    on_postgres,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class Site:
    """The served app and its seeded people. Everyone's password is ``factories.PASSWORD``.

    - program: "Browser Program"; supervisor (supervisor@example.org) supervises coach
      (coach@example.org) and other_coach; program_manager (manager@example.org); admin
      (admin@example.org, no program);
    - mine: a client of coach; theirs: a client of other_coach.
    """

    url: str
    app: Any
    program: Any
    coach: Any
    other_coach: Any
    supervisor: Any
    program_manager: Any
    admin: Any
    mine: Any
    theirs: Any

    def make(self, build: Callable[..., Any], *args, **kwargs) -> Any:
        """Run ``build`` (a factory) in the served app's context; return the new row's id
        (or the result itself when it has no id)."""
        with self.app.app_context():
            row = build(*args, **kwargs)
            db.session.commit()
            return getattr(row, "id", row)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The app served on 127.0.0.1 with a small program: a supervisor, two coaches with a client
    each, a program manager and an admin."""
    if on_postgres():
        url = create_scratch_database("coachapp_browser")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('site') / 'browser.sqlite3'}"
    app = create_app(make_test_config(url))
    app.config["WTF_CSRF_ENABLED"] = True  # the browser does it for real
    with app.app_context():
        db.create_all()
        program = factories.program("Browser Program")
        sup = factories.user(
            "supervisor", program=program, name="Sam Supervisor", email="supervisor@example.org"
        )
        coach = factories.user(
            "coach", program=program, supervisor=sup, name="Casey Coach", email="coach@example.org"
        )
        other = factories.user("coach", program=program, supervisor=sup, name="Oscar Other")
        manager = factories.user(
            "program_manager", program=program, name="Morgan Manager", email="manager@example.org"
        )
        admin = factories.user("admin", name="Ada Admin", email="admin@example.org")
        mine = factories.client(coach, first_name="José", last_name="Ñúñez")
        theirs = factories.client(other, first_name="Zoë", last_name="Brontë")
        db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Site(
            f"http://127.0.0.1:{server.server_port}",
            app,
            program,
            coach,
            other,
            sup,
            manager,
            admin,
            mine,
            theirs,
        )
        server.shutdown()
        _close_sessions()
        db.engine.dispose()
    if on_postgres():
        drop_scratch_database(url)


def _close_sessions() -> None:
    """Close the current app context's database session at the end of a served app. Its
    connection may already be gone: the other served app (``demo_site``) drops its scratch
    database when it ends, ending that database's connections, and the database of both is
    thrown away here anyway."""
    try:
        db.session.remove()
    except DBAPIError:
        db.session.registry.clear()


@dataclass
class DemoSite:
    """The served app with the small demo program (seed 1, dated today).

    ``emails`` maps each role ("coach", "supervisor", "program_manager", "admin") to its demo
    user's address; every demo user signs in with ``password``. The demo supervisor supervises
    every coach of the small demo; the demo coach is one of them."""

    url: str
    app: Any
    password: str
    emails: dict[str, str]

    def make(self, build: Callable[..., Any], *args, **kwargs) -> Any:
        """Run ``build`` in the served app's context and commit; return its result."""
        with self.app.app_context():
            result = build(*args, **kwargs)
            db.session.commit()
            return result


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """``app`` served on 127.0.0.1 from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The app served on 127.0.0.1 with the small demo program built (as ``make run`` and
    ``make screenshots`` serve it), on its own SQLite file or PostgreSQL scratch database."""
    if on_postgres():
        url = create_scratch_database("coachapp_browser_demo")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    app = create_app(make_test_config(url))
    app.config["WTF_CSRF_ENABLED"] = True  # the browser does it for real
    try:
        with app.app_context():
            db.create_all()
            build_demo("small", seed=1)
            db.session.remove()
        # Not yielded inside the app context: the tests that follow on this worker would run
        # on top of it. ``DemoSite.make`` and the served requests push their own.
        with served(app) as base_url:
            yield DemoSite(base_url, app, DEMO_PASSWORD, dict(DEMO_USERS))
        with app.app_context():
            _close_sessions()
            db.engine.dispose()
    finally:
        if on_postgres():
            drop_scratch_database(url)


@contextlib.contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright for Python; skips, saying why, when either is
    missing (.ci/run installs both and fails on a skip)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[dev]')")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is missing: apt-get install -y chromium fonts-liberation")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def browser():
    with launched_chromium() as chromium:
        yield chromium


# BROWSER_VIEWPORTS=desktop runs the journeys at desktop size only: CI's PostgreSQL leg does,
# since what the phone size checks (layout, menus, no horizontal scroll) does not depend on the
# database and runs in the SQLite leg.
VIEWPORTS = [v for v in os.environ.get("BROWSER_VIEWPORTS", "desktop,phone").split(",") if v]
if not VIEWPORTS or set(VIEWPORTS) - {"desktop", "phone"}:
    raise ValueError("BROWSER_VIEWPORTS: desktop, phone or both, separated by a comma")


@pytest.fixture(params=VIEWPORTS)
def page(request, browser):
    """A fresh page at desktop or phone size; fails the test on any console error."""
    viewport = PHONE if request.param == "phone" else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.viewport_name = request.param
    yield page
    context.close()
    # A 404 page is expected where a test asks for one, and a form shown again with its
    # messages answers 422 (Chromium logs both as a failed load); anything else is real.
    real = [e for e in errors if "404" not in e and "status of 422" not in e]
    assert real == [], f"console errors: {real}"


@pytest.fixture(scope="session")
def records(site):
    """A client of coach@example.org with something in every panel of the client page: a goal,
    sessions (one addressing the goal, notes waiting for review, one signed off with a comment,
    one returned for revision with a reply, older ones past the page's latest ten), appointments
    today and later this week, one attended with the coach along, a housing referral, two
    BARC-10 check-ins, a mutual-aid group; and a meeting in the directory.

    Also: a client reassigned to the coach with a hand-off note (okay to call and text); a
    coach of the same supervisor with a queue of notes long enough to page (more than one page
    of the review queue); the supervisor's calendar subscription; a taxonomy line of the
    program. Built once for the served app, shared by tests/browser/test_accessibility.py and
    tests/browser/test_keyboard_access.py."""

    def build():
        coach = db.session.scalar(select(User).where(User.email == "coach@example.org"))
        today = date.today()
        client = factories.client(
            coach,
            first_name="Siobhan",
            last_name="O'Brien",
            intake_date=today - timedelta(60),
            email="siobhan.obrien.recovery1@example.com",
            phone="(217) 555-0113",
        )
        goal = factories.goal(client, opened_on=today - timedelta(50))
        for days_ago in (40, 20, 3):
            session = factories.session(
                client,
                on=today - timedelta(days_ago),
                note="Talked through the housing application.",
                next_steps="Bring the ID to the next visit.",
            )
        db.session.execute(session_goals.insert().values(session_id=session.id, goal_id=goal.id))
        # The caseload's supervisor blocks: a comment on a signed-off note, a note to acknowledge.
        supervisor = db.session.get(User, coach.supervisor_id)
        team_services.sign_off(session, comment="Clear next steps.", actor=supervisor)
        # A note returned for revision, answered by the coach: a review thread and a task.
        returned = factories.session(
            client, on=today - timedelta(4), note="Met at the library.", next_steps="Call."
        )
        team_services.return_for_revision(
            returned, comment="Say what was agreed, and by when.", actor=supervisor
        )
        session_services.reply_to_review(
            returned, "Will add the agreed date to the note.", actor=coach
        )
        # Older sessions than the client page's latest ten, signed off (not in the queue).
        for days_ago in range(5, 16):
            factories.session(
                client,
                on=today - timedelta(days_ago),
                note="Weekly check-in by phone.",
                modality="phone",
                reviewed_by_id=supervisor.id,
                reviewed_at=datetime.combine(today, time(9)),
            )
        note = SupervisionNote(
            supervisor_id=supervisor.id,
            date=today - timedelta(2),
            duration_minutes=60,
            format="individual",
            topics="Boundaries and self-care",
        )
        db.session.add(note)
        db.session.flush()
        db.session.add(SupervisionNoteCoach(note_id=note.id, coach_id=coach.id))
        factories.appointment(client, at=datetime.combine(today, time(23, 30)), kind="medical")
        factories.appointment(
            client, at=datetime.combine(today + timedelta(2), time(10)), kind="legal_court"
        )
        factories.appointment(
            client, at=datetime.combine(today - timedelta(7), time(9)), outcome="no_show"
        )
        accompanied = factories.appointment(
            client,
            at=datetime.combine(today - timedelta(1), time(10)),
            outcome="attended",
            accompaniment_planned=True,
            coach_accompanied=True,
            location="Riverton Health Center",
        )
        shelter = factories.resource(name="Harbor Emergency Shelter", phone="555-0142")
        factories.referral(client, shelter, referred_on=today - timedelta(10))
        factories.assessment(client, on=today - timedelta(45), items=(3,) * 10)
        factories.assessment(client, on=today - timedelta(5), items=(4, 5, 4, 4, 5, 4, 4, 5, 4, 4))
        meeting = factories.resource(
            name="Tuesday Night Open Meeting",
            category="recovery_support",
            meeting_model="na",
            meeting_format="in_person",
            meeting_open=True,
            meeting_day=2,
            meeting_time=time(19),
            meeting_end_time=time(20),
            address="12 Depot St",
            email="tuesday-night-group@riverton-recovery-fellowship.example.org",
            website="https://riverton-recovery-fellowship.example.org/meetings/tuesday-night",
        )
        db.session.add(
            MutualAidAttendance(
                client_id=client.id,
                resource_id=meeting.id,
                model="na",
                frequency="weekly",
                since=today - timedelta(30),
            )
        )
        # A client handed over from the other coach, with a note for the receiving coach.
        other = db.session.get(User, site.other_coach.id)
        handed = factories.client(
            other,
            first_name="Malia",
            last_name="Fonoti",
            phone="(217) 555-0178",
            okay_to_call=True,
            okay_to_text=True,
        )
        team_services.reassign(
            handed,
            coach,
            actor=supervisor,
            reason="Caseload balance",
            handoff_note="Prefers texts before 10. Court date on the 14th; she wants a ride.",
        )
        # A coach of the same supervisor with a queue longer than one page, long ago.
        queue_coach = factories.user(
            "coach",
            program=supervisor.program,
            supervisor=supervisor,
            name="Quinn Queue",
            email="quinn.queue@example.org",
        )
        queued = factories.client(queue_coach, first_name="Arlo", last_name="Pendry")
        for n in range(30):
            factories.session(
                queued, on=today - timedelta(200 + n), note=f"Queued note {n}: a phone check-in."
            )
        appointment_services.create_feed_token(supervisor)
        mapping = TaxonomyMapping(
            program_id=supervisor.program_id, match="code", term="AXE-1", category="housing"
        )
        db.session.add(mapping)
        # A recovery plan: version 1 signed by both (the client's signature typed), version 2
        # in draft.
        plan = plan_services.start_plan(
            client, {"strengths": "Keeps every appointment", "goal_ids": [goal.id]}, actor=coach
        )
        plan_services.sign_plan(plan, signer="client", typed_name="S O", attested=True, actor=coach)
        plan_services.sign_plan(plan, signer="coach", typed_name="C C", attested=True, actor=coach)
        draft = plan_services.start_plan(client, actor=coach)
        # A TPO consent naming every category: its summary shows every section.
        consent = ConsentRecord(
            client_id=client.id,
            consent_type="tpo",
            recipient="my treating providers, health plans, and the program's operations staff",
            purpose="Treatment, payment and health care operations",
            categories=",".join(sorted(c.value for c in ConsentCategory)),
            information_disclosed="",
            statements_version="2024-02",
            signed_on=today - timedelta(10),
            expires_on=today + timedelta(20),
        )
        db.session.add(consent)
        db.session.flush()
        return {
            "consent": consent.id,
            "client": client.id,
            "plan": plan.id,
            "draft": draft.id,
            "meeting": meeting.id,
            "returned": returned.id,
            "signed": session.id,
            "accompanied": accompanied.id,
            "handed": handed.id,
            "queue_coach": queue_coach.id,
            "mapping": mapping.id,
        }

    return site.make(build)
