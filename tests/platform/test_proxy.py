"""Behind reverse proxies (PROXY_FIX_X_FOR): whose address the sign-in throttle, the API's
per-address limit and the audit trail count.

Each test builds its own app through ``create_app`` (the proxy setting is applied there), on a
database of its own. The "proxy" is the TCP peer the app sees (REMOTE_ADDR); the header is what
it, or a client pretending to be one, sent.
"""

from __future__ import annotations

import os
import subprocess  # noqa: S404 - reads config.py in a fresh interpreter
import sys
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.ctx import AppContext
from sqlalchemy import select

from coachapp import create_app
from coachapp.extensions import db, limiter
from coachapp.models import AuditEvent
from coachapp.models.enums import AuditAction
from tests import factories
from tests.helpers import (
    REPO,
    create_scratch_database,
    drop_scratch_database,
    make_test_config,
    on_postgres,
)

PROXY = "10.0.0.5"  # the load balancer, as the app's TCP peer
ALICE = "203.0.113.7"  # two users' own addresses
BOB = "198.51.100.23"


@pytest.fixture
def app_behind(tmp_path) -> Iterator[Callable[[int], Flask]]:
    """``app_behind(n)``: an app built for ``PROXY_FIX_X_FOR=n`` on an empty database of its
    own, with a coach (password ``factories.PASSWORD``), limits low enough to reach, and its
    context pushed."""
    made: list[tuple[AppContext, str]] = []  # each app's pushed context, and its database

    def build(hops: int) -> Flask:
        url = (
            create_scratch_database("coachapp_proxy")
            if on_postgres()
            else f"sqlite:///{tmp_path / f'proxy-{len(made)}.sqlite3'}"
        )
        config = type(
            "ProxyTestConfig",
            (make_test_config(url),),
            {"PROXY_FIX_X_FOR": hops, "LOGIN_RATE_LIMIT": "3 per minute"},
        )
        app = create_app(config)
        app.config["API_RATE_LIMIT"] = "2 per minute"
        context = app.app_context()
        context.push()
        made.append((context, url))
        db.create_all()
        limiter.reset()
        return app

    yield build

    for context, url in reversed(made):
        db.session.remove()
        db.engine.dispose()
        context.pop()
        if url.startswith("postgresql"):
            drop_scratch_database(url)
    limiter.reset()


def failed_sign_in(app: Flask, email: str, *, peer: str, forwarded_for: str | None) -> int:
    """POST a wrong password from TCP peer ``peer`` with this X-Forwarded-For; the status."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    response = app.test_client().post(
        "/auth/login",
        data={"email": email, "password": "not the right password"},
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )
    return response.status_code


def failed_sign_in_addresses() -> list[str | None]:
    rows = db.session.scalars(
        select(AuditEvent.ip_address)
        .where(AuditEvent.action == str(AuditAction.LOGIN_FAILED))
        .order_by(AuditEvent.id)
    )
    return list(rows)


# -- one trusted proxy -------------------------------------------------------------------------


def test_one_trusted_proxy_audits_the_address_it_forwarded(app_behind):
    app = app_behind(1)
    coach = factories.user("coach")

    assert failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=ALICE) == 200
    # A client that sends its own X-Forwarded-For gets the proxy's entry appended after it: only
    # that last entry, written by the proxy, is believed.
    assert failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=f"{BOB}, {ALICE}") == 200
    # Without the header (a health check from the proxy's host), the peer is the client.
    assert failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=None) == 200

    db.session.remove()
    assert failed_sign_in_addresses() == [ALICE, ALICE, PROXY]


def test_one_trusted_proxy_throttles_each_user_on_their_own(app_behind):
    app = app_behind(1)
    coach = factories.user("coach")

    alice = [failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=ALICE) for _ in range(4)]
    assert alice == [200, 200, 200, 429]
    # Bob comes through the same proxy and has not tried yet.
    assert failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=BOB) == 200
    # Alice cannot get round her limit by prepending another address.
    spoofed = failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=f"192.0.2.99, {ALICE}")
    assert spoofed == 429


def test_one_trusted_proxy_keys_the_api_limit_by_the_forwarded_address(app_behind):
    app = app_behind(1)
    browser = app.test_client()

    def status(address: str) -> int:
        return browser.get(
            "/api/v1/me",
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": PROXY},
        ).status_code

    assert [status(ALICE) for _ in range(3)] == [401, 401, 429]
    assert status(BOB) == 401


def test_one_trusted_proxy_takes_the_scheme_it_forwarded(app_behind):
    app = app_behind(1)
    seen: list[tuple[str, bool]] = []

    @app.after_request
    def note(response):
        from flask import request

        seen.append((request.remote_addr, request.is_secure))
        return response

    app.test_client().get(
        "/healthz",
        headers={"X-Forwarded-For": ALICE, "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    assert seen == [(ALICE, True)]


# -- no trusted proxy (the default) ----------------------------------------------------------


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app_behind):
    app = app_behind(0)
    coach = factories.user("coach")

    assert failed_sign_in(app, coach.email, peer=PROXY, forwarded_for=ALICE) == 200
    assert failed_sign_in(app, coach.email, peer=BOB, forwarded_for=ALICE) == 200

    db.session.remove()
    assert failed_sign_in_addresses() == [PROXY, BOB]


def test_without_trusted_proxies_a_made_up_address_does_not_escape_the_throttle(app_behind):
    app = app_behind(0)
    coach = factories.user("coach")

    made_up = [f"192.0.2.{n}" for n in range(1, 6)]
    statuses = [failed_sign_in(app, coach.email, peer=BOB, forwarded_for=a) for a in made_up]
    assert statuses == [200, 200, 200, 429, 429]


def test_without_trusted_proxies_the_scheme_header_is_ignored(app_behind):
    app = app_behind(0)
    seen: list[bool] = []

    @app.after_request
    def note(response):
        from flask import request

        seen.append(request.is_secure)
        return response

    app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert seen == [False]


# -- the setting -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("", "0"), ("1", "1"), ("2", "2")])
def test_the_setting_is_read_from_the_environment(value, expected):
    env = {k: v for k, v in os.environ.items() if k != "PROXY_FIX_X_FOR"}
    if value is not None:
        env["PROXY_FIX_X_FOR"] = value
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import config; print(config.Config.PROXY_FIX_X_FOR)"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == expected
