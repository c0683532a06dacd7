"""Screenshots of the main pages for the README: ``make screenshots``.

Builds the small demo program (coachapp/demo/) in a throwaway SQLite file, serves the app on
127.0.0.1 with the development settings, signs in as each demo user in Chromium and writes
``docs/screenshots/<page>-<desktop|phone>.png`` (1280×800 and 390×844, the visible part of the
page). The names are fixed, so new screenshots replace the old ones.

    python -m tests.browser.screenshots [--out DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from coachapp import create_app
from coachapp.demo import DEMO_PASSWORD, DEMO_USERS, build_demo
from coachapp.extensions import db
from coachapp.models import Client, Goal, User
from config import Config
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": PHONE}
EMAILS = dict(DEMO_USERS)


@dataclass(frozen=True)
class Shot:
    name: str  # the file name without size and extension
    role: str
    path: str  # may name {client}: a client of the demo coach (serve_demo)


SHOTS = (
    Shot("coach-caseload", "coach", "/clients/"),
    Shot("coach-client", "coach", "/clients/{client}"),
    Shot("coach-log-session", "coach", "/clients/{client}/sessions/new"),
    Shot("coach-appointments-week", "coach", "/appointments/week"),
    Shot("coach-mutual-aid-directory", "coach", "/resources/?model=any"),
    Shot("supervisor-team", "supervisor", "/team/"),
    Shot("manager-report", "program_manager", "/reports/"),
    Shot("admin-users", "admin", "/admin/users"),
)


def serve_demo(database: Path):
    """The app with the small demo program, served from a thread; returns (url, server)."""
    settings = type(
        "ScreenshotConfig",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "LOG_LEVEL": "WARNING",
        },
    )
    app = create_app(settings)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with app.app_context():
        db.create_all()
        build_demo("small", seed=1)
        coach = db.session.scalar(select(User.id).where(User.email == EMAILS["coach"]))
        # The demo coach's first client with an active goal: the session form has goals to tick.
        client = db.session.scalar(
            select(Client.id)
            .where(
                Client.coach_id == coach,
                Client.id.in_(
                    select(Goal.client_id).where(
                        Goal.status == "active", Goal.archived_at.is_(None)
                    )
                ),
            )
            .order_by(Client.id)
            .limit(1)
        )
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server, client


def sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/auth/login" not in address)


def take(out: Path, only: set[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = [s for s in SHOTS if not only or s.name in only]
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        url, server, client = serve_demo(Path(tmp) / "demo.sqlite3")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size, viewport in SIZES.items():
                for role in dict.fromkeys(s.role for s in shots):
                    # No animation: charts are drawn in full when the page has loaded.
                    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
                    page = context.new_page()
                    sign_in(page, url, EMAILS[role])
                    for shot in (s for s in shots if s.role == role):
                        page.goto(url + shot.path.format(client=client))
                        page.wait_for_load_state("networkidle")
                        target = out / f"{shot.name}-{size}.png"
                        page.screenshot(path=str(target), animations="disabled", caret="hide")
                        written.append(target)
                        print(f"{target.relative_to(ROOT)}", flush=True)
                    context.close()
        finally:
            browser.close()
            server.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go")
    parser.add_argument("--only", nargs="*", default=[], help="page names, e.g. coach-client")
    args = parser.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print("Chromium is missing: apt-get install -y chromium fonts-liberation", file=sys.stderr)
        return 1
    unknown = set(args.only) - {s.name for s in SHOTS}
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    take(args.out, set(args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
