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
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from coachapp import create_app
from coachapp.demo import DEMO_PASSWORD, DEMO_USERS, build_demo
from coachapp.extensions import db
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
