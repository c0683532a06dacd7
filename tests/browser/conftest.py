"""Browser tests: Playwright for Python driving Debian's Chromium against the app served on
127.0.0.1 from a thread, on its own SQLite file. Skipped, with a message, when Chromium or
Playwright is missing; .ci/run installs both and fails if anything skipped."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from coachapp import create_app
from coachapp.extensions import db
from tests import factories
from tests.conftest import make_test_config

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
    url: str
    coach: object
    other_coach: object
    mine: object
    theirs: object


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The app served on 127.0.0.1 with a small team: two coaches and a client each."""
    path = tmp_path_factory.mktemp("site") / "browser.sqlite3"
    app = create_app(make_test_config(f"sqlite:///{path}"))
    app.config["WTF_CSRF_ENABLED"] = True  # the browser does it for real
    with app.app_context():
        db.create_all()
        program = factories.program("Browser Program")
        sup = factories.user("supervisor", program=program, name="Sam Supervisor")
        coach = factories.user(
            "coach", program=program, supervisor=sup, name="Casey Coach", email="coach@example.org"
        )
        other = factories.user("coach", program=program, supervisor=sup, name="Oscar Other")
        mine = factories.client(coach, first_name="José", last_name="Ñúñez")
        theirs = factories.client(other, first_name="Zoë", last_name="Brontë")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Site(f"http://127.0.0.1:{server.server_port}", coach, other, mine, theirs)
        server.shutdown()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[dev]')")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is missing: apt-get install -y chromium fonts-liberation")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=["desktop", "phone"])
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
    # A 404 page is expected where a test asks for one; anything else is a real error.
    real = [e for e in errors if "404" not in e]
    assert real == [], f"console errors: {real}"
