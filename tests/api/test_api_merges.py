"""POST /clients/<id>/merge and POST /merges/<id>/undo (api.md): who may, what is refused and
how, and that the duplicate answers 404 to everyone once merged."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coachapp.auth.tokens import create_token
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, CoachingSession, Enrollment
from tests import factories
from tests.api.helpers import API, fields_of
from tests.helpers import discharge


def bearer(user) -> dict:
    secret = create_token(user, "test")[0]
    _db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def two(db, coach, supervisor):
    duplicate = factories.client(coach, first_name="Ana", intake_date=date(2025, 6, 1))
    discharge(duplicate, date(2025, 9, 1))
    survivor = factories.client(coach, first_name="Anna", intake_date=date(2026, 1, 5))
    factories.session(duplicate, on=date(2025, 7, 1))
    return {"s": survivor, "d": duplicate}


def test_supervisor_merges_then_undoes(app, db, two, supervisor, coach):
    s, d = two["s"], two["d"]
    web = app.test_client()
    response = web.post(
        f"{API}/clients/{s.id}/merge",
        headers=bearer(supervisor),
        json={"duplicate_id": d.id, "keep": {"first_name": "duplicate"}},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["survivor_id"] == s.id and body["duplicate_id"] == d.id
    assert body["undone_at"] is None and body["merged_at"]
    assert response.headers["Cache-Control"] == "no-store"
    for user in (supervisor, coach):
        assert web.get(f"{API}/clients/{d.id}", headers=bearer(user)).status_code == 404
    got = web.get(f"{API}/clients/{s.id}", headers=bearer(coach)).get_json()
    assert got["first_name"] == "Ana"
    sessions = web.get(f"{API}/clients/{s.id}/sessions", headers=bearer(coach)).get_json()
    assert sessions["total"] == 1
    listed = web.get(f"{API}/clients", headers=bearer(coach)).get_json()
    assert [c["id"] for c in listed["items"]] == [s.id]

    undone = web.post(f"{API}/merges/{body['id']}/undo", headers=bearer(supervisor))
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["undone_at"]
    assert web.get(f"{API}/clients/{d.id}", headers=bearer(coach)).status_code == 200
    assert web.get(f"{API}/clients/{s.id}", headers=bearer(coach)).get_json()["first_name"] == (
        "Anna"
    )
    assert db.session.scalar(select(CoachingSession.client_id)) == d.id
    again = web.post(f"{API}/merges/{body['id']}/undo", headers=bearer(supervisor))
    assert again.status_code == 422 and "merge" in fields_of(again)
    assert db.session.scalars(
        select(AuditEvent.client_id).where(AuditEvent.entity_type == "client_merge")
    ).all()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duplicate_id": "same"}, "duplicate_id"),
        ({"duplicate_id": "d", "keep": {"shoe_size": "duplicate"}}, "keep"),
        ({"duplicate_id": "d", "keep": {"phone": "mine"}}, "keep"),
        ({"duplicate_id": "d", "keep": ["phone"]}, "keep"),
        ({"duplicate_id": 2**31 - 1}, "duplicate_id"),
        ({"duplicate_id": "elsewhere"}, "duplicate_id"),
        ({}, "duplicate_id"),
    ],
)
def test_bad_input_answers_422_naming_the_field(app, db, two, supervisor, program, body, field):
    far = factories.client(factories.user("coach", program=factories.program()))
    ids = {"same": two["s"].id, "d": two["d"].id, "elsewhere": far.id}
    if body.get("duplicate_id") in ids:
        body = {**body, "duplicate_id": ids[body["duplicate_id"]]}
    response = app.test_client().post(
        f"{API}/clients/{two['s'].id}/merge", headers=bearer(supervisor), json=body
    )
    assert response.status_code == 422, response.get_json()
    assert field in fields_of(response)


def test_already_merged_is_422(app, db, two, supervisor, coach):
    web = app.test_client()
    s, d = two["s"], two["d"]
    url = f"{API}/clients/{s.id}/merge"
    assert web.post(url, headers=bearer(supervisor), json={"duplicate_id": d.id}).status_code == 201
    again = web.post(url, headers=bearer(supervisor), json={"duplicate_id": d.id})
    assert again.status_code == 422
    assert "merged already" in fields_of(again)["duplicate_id"][0]


def test_overlapping_episodes_need_a_resolution_each(app, db, two, supervisor, coach):
    web = app.test_client()
    s = two["s"]
    third = factories.client(coach, intake_date=date(2026, 2, 1))
    mine = db.session.scalar(select(Enrollment.id).where(Enrollment.client_id == s.id))
    theirs = db.session.scalar(select(Enrollment.id).where(Enrollment.client_id == third.id))
    url = f"{API}/clients/{s.id}/merge"
    for body in (
        {"duplicate_id": third.id},
        {"duplicate_id": third.id, "episodes": {str(theirs): "merge"}},
        {"duplicate_id": third.id, "episodes": {str(mine): "combine"}},
        {"duplicate_id": third.id, "episodes": ["combine"]},
    ):
        refused = web.post(url, headers=bearer(supervisor), json=body)
        assert refused.status_code == 422, body
        assert "episodes" in fields_of(refused), body
    message = fields_of(web.post(url, headers=bearer(supervisor), json={"duplicate_id": third.id}))
    assert f"episode {theirs} (2026-02-01 to open)" in message["episodes"][0]
    assert f"episode {mine} (2026-01-05 to open)" in message["episodes"][0]

    made = web.post(
        url,
        headers=bearer(supervisor),
        json={"duplicate_id": third.id, "episodes": {str(theirs): "end_earlier"}},
    )
    assert made.status_code == 201, made.get_json()
    ended = db.session.get(Enrollment, mine)
    assert (ended.discharge_date, ended.discharge_reason) == (date(2026, 1, 31), "other")
    undone = web.post(f"{API}/merges/{made.get_json()['id']}/undo", headers=bearer(supervisor))
    assert undone.status_code == 200
    db.session.expire_all()
    assert db.session.get(Enrollment, mine).discharge_date is None
    assert db.session.get(Enrollment, theirs).client_id == third.id


def test_roles_and_reach(app, db, two, coach, other_supervisor, program_manager):
    web = app.test_client()
    url = f"{API}/clients/{two['s'].id}/merge"
    body = {"duplicate_id": two["d"].id}
    assert web.post(url, headers=bearer(coach), json=body).status_code == 403
    assert web.post(url, headers=bearer(program_manager), json=body).status_code == 403
    assert web.post(url, headers=bearer(other_supervisor), json=body).status_code == 404
    assert web.post(f"{API}/merges/999/undo", headers=bearer(other_supervisor)).status_code == 404
    assert web.post(url, json=body).status_code == 401


def test_undo_outside_the_team_is_404(app, db, two, supervisor, other_supervisor):
    web = app.test_client()
    made = web.post(
        f"{API}/clients/{two['s'].id}/merge",
        headers=bearer(supervisor),
        json={"duplicate_id": two["d"].id},
    ).get_json()
    answer = web.post(f"{API}/merges/{made['id']}/undo", headers=bearer(other_supervisor))
    assert answer.status_code == 404


def test_openapi_describes_merge_and_undo(app):
    paths = app.test_client().get(f"{API}/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/clients/{client_id}/merge"]
    assert "post" in paths["/api/v1/merges/{merge_id}/undo"]
    merge = paths["/api/v1/clients/{client_id}/merge"]["post"]
    assert "episodes" in merge["description"] and "end_earlier" in merge["description"]
    schemas = app.test_client().get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    assert "combine" in schemas["MergeRequest"]["properties"]["episodes"]["description"]
