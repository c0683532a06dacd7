"""Logs carry ids, never names, note text, emails, passwords or tokens (security.md).

Every log record of every logger, at every level, is captured while a coach and an API client
do the things that carry private text: sign in (right and wrong), add a client, log a session
with a note, search by name, send hostile input, use a token. Then nothing private may appear
in any record's message, arguments or the JSON line the app writes."""

from __future__ import annotations

import logging

from coachapp.auth.tokens import create_token
from coachapp.logs import JsonFormatter
from tests import factories
from tests.helpers import intake_data, session_data

FIRST, LAST = "Wilhelmina", "Quackenbush"
NOTE = "Disclosed a relapse after the custody hearing"
NEXT_STEPS = "Phone the sober-living house manager"
EMAIL = "casey.private@example.org"
WRONG_PASSWORD = "not-the-right-one-123"  # noqa: S105 - a test value


def everything_logged(records: list[logging.LogRecord]) -> str:
    formatter = JsonFormatter()
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(formatter.format(record))
    return "\n".join(parts)


def test_no_private_text_reaches_any_log(app, db, anon, login, program, supervisor, caplog):
    coach = factories.user(
        "coach", program=program, supervisor=supervisor, name="Casey Private", email=EMAIL
    )
    token, _row = create_token(coach, "laptop")
    db.session.commit()
    caplog.set_level(logging.DEBUG)  # the root logger: every logger, every level
    caplog.set_level(logging.DEBUG, logger="coachapp")  # the app's own loggers, debug included

    anon.post("/auth/login", data={"email": EMAIL, "password": WRONG_PASSWORD})
    anon.post("/auth/login", data={"email": "nobody.known@example.org", "password": "x" * 12})
    anon.post("/auth/login", data={"email": EMAIL, "password": factories.PASSWORD})

    browser = login(coach)
    response = browser.post(
        "/clients/new",
        data=intake_data(coach_id=coach.id, first_name=FIRST, last_name=LAST, notes=NOTE),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client_id = int(response.location.rstrip("/").rsplit("/", 1)[-1])
    response = browser.post(
        f"/clients/{client_id}/sessions/new",
        data=session_data(note=NOTE, next_steps=NEXT_STEPS),
    )
    assert response.status_code == 302
    browser.get(f"/clients/?q={LAST}")
    browser.post(f"/clients/{client_id}/sessions/new", data={"note": NOTE, "date": "nonsense"})
    browser.get(f"/clients/{client_id}/summary?recipient={LAST}")

    bearer = {"Authorization": f"Bearer {token}"}
    assert anon.get("/api/v1/clients", headers=bearer).status_code == 200
    anon.get(f"/api/v1/clients?q={LAST}", headers=bearer)
    anon.post(
        "/api/v1/clients",
        json={"first_name": FIRST, "last_name": LAST, "notes": NOTE, "intake_date": "bad"},
        headers=bearer,
    )
    anon.get("/api/v1/clients", headers={"Authorization": f"Bearer {token}x"})

    records = list(caplog.records)
    assert any(r.name == "coachapp.request" for r in records)  # the capture does see the app
    logged = everything_logged(records)
    for private in (FIRST, LAST, NOTE, NEXT_STEPS, EMAIL, "Casey Private", WRONG_PASSWORD, token):
        assert private not in logged, f"{private!r} reached a log"
    assert factories.PASSWORD not in logged
