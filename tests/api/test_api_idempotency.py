"""``Idempotency-Key`` on every POST of the API: a request sent again with the same key returns
the first response, marked ``Idempotent-Replayed: true``, and creates nothing twice; the same key
with another request is 422; keys are per user and kept 24 hours; the stored answer is
encrypted; the second of two concurrent requests replays the first's answer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text, update

from coachapp.api import idempotency
from coachapp.extensions import db as _db
from coachapp.models import CoachingSession, IdempotencyKey, ReportChange
from tests.api.helpers import ENDPOINTS, fill, row_counts
from tests.helpers import raw_dump

KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
NOTE = "Spoke about the custody hearing"
SESSION = {
    "duration_minutes": 30,
    "modality": "phone",
    "kind": "coaching",
    "outcome": "completed",
    "note": NOTE,
}
POSTS = sorted(endpoint for endpoint, (_, method, *_rest) in ENDPOINTS.items() if method == "POST")


def post_session(browser, world, key: str | None = "retry-1", who: str = "coach", body=None):
    headers = dict(world["tokens"][who])
    if key is not None:
        headers[KEY] = key
    url = f"/api/v1/clients/{world['ids']['client']}/sessions"
    return browser.post(url, headers=headers, json=SESSION if body is None else body)


# The sessions the shared world holds already (one to edit, one signed): not counted.
WORLD_SESSIONS: set[int] = set()


@pytest.fixture(autouse=True)
def _no_world_sessions_yet():
    WORLD_SESSIONS.clear()


@pytest.fixture
def world(world):
    WORLD_SESSIONS.update({world["ids"]["session"], world["ids"]["signed_session"]})
    return world


def sessions() -> int:
    """The sessions the test's requests created."""
    _db.session.rollback()
    return _db.session.scalar(
        select(func.count(CoachingSession.id)).where(CoachingSession.id.not_in(WORLD_SESSIONS))
    )


def report_changes() -> int:
    return _db.session.scalar(select(func.coalesce(func.sum(ReportChange.changes), 0)))


def test_every_post_operation_documents_the_header(anon):
    document = anon.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or method == "parameters":
                continue
            names = [p["name"] for p in operation.get("parameters", [])]
            assert (KEY in names) == (method == "post"), (method, path)


@pytest.mark.parametrize("endpoint", POSTS)
def test_a_retry_returns_the_first_response_and_creates_nothing_twice(app, world, endpoint):
    who, method, url, body, _ = ENDPOINTS[endpoint]
    ids = world["ids"]
    browser = app.test_client()
    if endpoint == "api.reenroll_client":  # a discharged client comes back
        discharge = ENDPOINTS["api.discharge_client"]
        browser.post(discharge[2].format(**ids), headers=world["tokens"][who], json=discharge[3])
    headers = world["tokens"][who] | {KEY: f"{endpoint}-0001"}
    first = browser.post(url.format(**ids), headers=headers, json=fill(body, ids))
    assert first.status_code in (200, 201), first.get_json()
    assert REPLAYED not in first.headers
    _db.session.rollback()
    after_first, changes = row_counts(), report_changes()
    assert after_first["idempotency_keys"] == 1

    again = browser.post(url.format(**ids), headers=headers, json=fill(body, ids))
    assert again.status_code == first.status_code
    assert again.get_data() == first.get_data()
    assert again.headers[REPLAYED] == "true"
    assert again.headers["Cache-Control"] == "no-store"
    _db.session.rollback()
    assert row_counts() == after_first  # no record, no audit event, no key
    assert report_changes() == changes


def test_the_answer_under_a_key_is_the_committed_record(anon, world):
    """Inside a keyed request the commit waits for the answer: the answer still reads what was
    saved (the new episode's dates, the referral's history)."""
    ids, headers = world["ids"], world["tokens"]["coach"]
    made = anon.post(
        "/api/v1/clients",
        headers=headers | {KEY: "c-1"},
        json={"first_name": "Ana", "last_name": "Lima", "intake_date": "2026-02-01"},
    ).get_json()
    assert (made["intake_date"], made["status"], made["version"]) == ("2026-02-01", "active", 1)
    gone = anon.post(
        f"/api/v1/clients/{made['id']}/discharge",
        headers=headers | {KEY: "c-2"},
        json={"discharge_date": "2026-03-01", "discharge_reason": "moved"},
    ).get_json()
    assert (gone["status"], gone["discharge_date"]) == ("discharged", "2026-03-01")
    referral = anon.post(
        f"/api/v1/clients/{ids['client']}/referrals",
        headers=headers | {KEY: "c-3"},
        json={"resource_id": ids["resource"]},
    ).get_json()
    assert [h["status"] for h in referral["history"]] == ["referred"]
    assert anon.get(f"/api/v1/clients/{made['id']}", headers=headers).get_json() == gone


def test_a_keyed_change_is_counted_once_for_the_stored_reports(app, world):
    browser = app.test_client()
    before = report_changes()
    assert post_session(browser, world, key="r-1").status_code == 201
    _db.session.rollback()
    assert report_changes() == before + 1  # as without a key: the key's row is not a change
    assert post_session(browser, world, key="r-1").headers[REPLAYED] == "true"
    _db.session.rollback()
    assert report_changes() == before + 1


def test_without_the_header_each_request_is_its_own(app, world):
    browser = app.test_client()
    first, second = post_session(browser, world, key=None), post_session(browser, world, key=None)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    assert REPLAYED not in second.headers
    assert sessions() == 2
    assert _db.session.scalar(select(func.count(IdempotencyKey.id))) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"body": SESSION | {"duration_minutes": 31}},  # another body
        {
            "path": "/api/v1/clients/{client}/goals",
            "body": {"domain": "housing", "description": "x"},
        },
    ],
)
def test_the_same_key_for_another_request_is_422_and_changes_nothing(app, world, change):
    browser = app.test_client()
    assert post_session(browser, world, key="k-1").status_code == 201
    _db.session.rollback()
    before = row_counts()
    url = change.get("path", "/api/v1/clients/{client}/sessions").format(**world["ids"])
    response = browser.post(
        url, headers=world["tokens"]["coach"] | {KEY: "k-1"}, json=change["body"]
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and list(error["fields"]) == [KEY]
    _db.session.rollback()
    assert row_counts() == before


def test_the_same_json_spelled_differently_is_the_same_request(app, world):
    browser = app.test_client()
    headers = world["tokens"]["coach"] | {KEY: "k-2", "Content-Type": "application/json"}
    url = f"/api/v1/clients/{world['ids']['client']}/sessions"
    first = browser.post(
        url,
        headers=headers,
        data='{"duration_minutes":30,"modality":"phone","kind":"coaching","outcome":"completed"}',
    )
    again = browser.post(
        url,
        headers=headers,
        data='{ "outcome": "completed", "kind": "coaching",\n "modality": "phone", '
        '"duration_minutes": 30 }',
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers[REPLAYED] == "true" and sessions() == 1


def test_another_users_same_key_is_another_key(app, world):
    browser = app.test_client()
    mine = post_session(browser, world, key="shared-key", who="coach")
    theirs = post_session(browser, world, key="shared-key", who="supervisor")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert REPLAYED not in theirs.headers
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert sessions() == 2


def test_a_key_older_than_24_hours_is_not_replayed_and_is_pruned(app, world):
    browser = app.test_client()
    first = post_session(browser, world, key="old-key")
    _db.session.execute(
        update(IdempotencyKey).values(created_at=IdempotencyKey.created_at - timedelta(hours=25))
    )
    _db.session.commit()
    again = post_session(browser, world, key="old-key")
    assert again.status_code == 201 and REPLAYED not in again.headers
    assert again.get_json()["id"] != first.get_json()["id"]
    assert sessions() == 2
    [row] = _db.session.scalars(select(IdempotencyKey))  # the old one is gone
    made = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=timezone.utc)
    assert made > datetime.now(timezone.utc) - timedelta(hours=1)


def test_a_refused_request_leaves_the_key_free(app, world):
    browser = app.test_client()
    refused = post_session(browser, world, key="k-3", body=SESSION | {"duration_minutes": 0})
    assert refused.status_code == 422
    assert _db.session.scalar(select(func.count(IdempotencyKey.id))) == 0
    fixed = post_session(browser, world, key="k-3")
    assert fixed.status_code == 201 and REPLAYED not in fixed.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "two words", "tab\tkey"])
def test_a_malformed_key_is_422_naming_the_header(app, world, key):
    response = post_session(app.test_client(), world, key=key)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [KEY]
    assert sessions() == 0


def test_the_stored_answer_is_encrypted(app, db, world):
    response = post_session(app.test_client(), world, key="k-4")
    assert NOTE in response.get_data(as_text=True)
    raw = db.session.execute(text("SELECT response_body, key_digest FROM idempotency_keys")).one()
    assert raw.response_body.startswith("gAAAAA") and NOTE not in raw.response_body
    assert "k-4" not in raw_dump(db)


def test_the_loser_of_a_race_replays_the_winners_answer(app, world, monkeypatch):
    """Two requests with one key at once: the second looked before the first committed, so it
    found no key; its insert then meets the first's row (the unique key: on PostgreSQL it waits
    for the first's commit), it rolls back whole and answers with the first's response."""
    browser = app.test_client()
    winner = post_session(browser, world, key="race")
    looked = []
    real_stored = idempotency._stored

    def not_yet_committed(user_id, key_digest):
        looked.append(key_digest)
        return None if len(looked) == 1 else real_stored(user_id, key_digest)

    monkeypatch.setattr(idempotency, "_stored", not_yet_committed)
    loser = post_session(browser, world, key="race")
    assert len(looked) == 2
    assert loser.status_code == 201 and loser.headers[REPLAYED] == "true"
    assert loser.get_data() == winner.get_data()
    assert sessions() == 1


@pytest.fixture
def own_database_app(tmp_path):
    """An app on a database of its own that several connections share for real (a file for
    SQLite, a new database on PostgreSQL): the suite's in-memory SQLite has one connection."""
    from coachapp import create_app
    from tests.helpers import (
        TestClient,
        create_scratch_database,
        drop_scratch_database,
        make_test_config,
        on_postgres,
    )

    url = (
        create_scratch_database("coachapp_idem")
        if on_postgres()
        else f"sqlite:///{tmp_path / 'idempotency.sqlite3'}"
    )
    app = create_app(make_test_config(url))
    app.test_client_class = TestClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()
    if on_postgres():
        drop_scratch_database(url)


def test_two_requests_at_once_with_one_key_create_one_record(own_database_app, monkeypatch):
    """Both look for the key before either has committed (a barrier holds them there); one
    inserts it and commits its session, the other's insert meets the unique key, waits for
    that commit, rolls back and replays the first's answer."""
    import threading

    from coachapp.auth.tokens import create_token
    from tests import factories

    app = own_database_app
    program = factories.program()
    supervisor = factories.user("supervisor", program=program)
    coach = factories.user("coach", program=program, supervisor=supervisor)
    client = factories.client(coach)
    token, _row = create_token(coach, "race")
    _db.session.commit()
    headers = {"Authorization": f"Bearer {token}", KEY: "at-once"}
    url = f"/api/v1/clients/{client.id}/sessions"

    both_looked = threading.Barrier(2, timeout=20)
    first_look = threading.local()
    real_stored = idempotency._stored

    def stored_then_wait(user_id, key_digest):
        found = real_stored(user_id, key_digest)
        if not getattr(first_look, "done", False):
            first_look.done = True
            both_looked.wait()
        return found

    monkeypatch.setattr(idempotency, "_stored", stored_then_wait)
    responses = []

    def send():
        responses.append(app.test_client().post(url, headers=headers, json=SESSION))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(responses) == 2
    assert [r.status_code for r in responses] == [201, 201]
    assert sorted(r.headers.get(REPLAYED, "") for r in responses) == ["", "true"]
    assert responses[0].get_data() == responses[1].get_data()
    assert sessions() == 1
    assert _db.session.scalar(select(func.count(IdempotencyKey.id))) == 1
