"""The duplicate finder (GET /duplicates, the supervisors' page): pairs of their team's clients
with the same birth date and names alike, each with its reason; nothing outside the team."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coachapp.auth.tokens import create_token
from coachapp.extensions import db as _db
from coachapp.merges import queries
from coachapp.models import AuditEvent, DuplicateDismissal
from tests import factories

BORN = date(1988, 7, 14)


@pytest.fixture
def people(db, coach, other_coach):
    def make(first, last, who=coach, born=BORN):
        return factories.client(who, first_name=first, last_name=last, date_of_birth=born)

    return {
        "same": (make("José", "Núñez"), make("jose", "NUNEZ")),
        "swapped": (make("Kim", "Lee"), make("Lee", "Kim")),
        "nickname": (make("Bill", "Okafor"), make("William", "Okafor")),
        "typo": (make("Kathryn", "Maddox"), make("Kathrin", "Maddox")),
        "unlike": (make("Ana", "Silva"), make("Omar", "Haddad")),
        "other_birthday": (make("Rae", "Stone"), make("Rae", "Stone", born=date(1990, 1, 1))),
        "other_team": (make("Ivy", "Moss"), make("Ivy", "Moss", who=other_coach)),
    }


def bearer(user) -> dict:
    secret = create_token(user, "test")[0]
    _db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def ids(pair) -> set[int]:
    return {pair[0].id, pair[1].id}


def test_pairs_and_reasons(people, supervisor):
    found = {
        frozenset((p.first.id, p.second.id)): p.reason for p in queries.likely_pairs(supervisor)
    }
    assert "Same name" in found[frozenset(ids(people["same"]))]
    assert "swapped" in found[frozenset(ids(people["swapped"]))]
    assert "nickname" in found[frozenset(ids(people["nickname"]))]
    assert "Similar names" in found[frozenset(ids(people["typo"]))]
    for kind in ("unlike", "other_birthday", "other_team"):
        assert frozenset(ids(people[kind])) not in found, kind
    assert len(found) == 4


def test_api_and_page(app, people, supervisor, coach, other_supervisor):
    web = app.test_client()
    token = bearer(supervisor)
    body = web.get("/api/v1/duplicates", headers=token).get_json()
    assert body["total"] == 4
    assert {frozenset(i["client_ids"]) for i in body["items"]} >= {frozenset(ids(people["same"]))}
    coach_token = bearer(coach)
    assert web.get("/api/v1/duplicates", headers=coach_token).status_code == 403
    other = bearer(other_supervisor)
    assert web.get("/api/v1/duplicates", headers=other).get_json()["total"] == 0

    page = app.test_client(user=supervisor).get("/duplicates").get_data(as_text=True)
    first, second = people["swapped"]
    assert first.code in page and "Compare and merge" in page
    assert f"duplicate_id={second.id}" in page


def test_not_a_duplicate_leaves_the_list_for_good(app, db, people, supervisor, other_supervisor):
    first, second = people["swapped"]
    browser = app.test_client(user=supervisor)
    answer = browser.post(
        "/duplicates/dismiss", data={"first_id": second.id, "second_id": first.id}
    )
    assert answer.status_code == 302
    listed = {frozenset((p.first.id, p.second.id)) for p in queries.likely_pairs(supervisor)}
    assert frozenset(ids(people["swapped"])) not in listed and len(listed) == 3
    assert db.session.scalars(
        select(AuditEvent.client_id).where(AuditEvent.entity_type == "duplicate_dismissal")
    ).all()
    # Again: nothing more; another team's supervisor: not found; nonsense: a message.
    assert (
        browser.post(
            "/duplicates/dismiss", data={"first_id": first.id, "second_id": second.id}
        ).status_code
        == 302
    )
    assert db.session.scalar(select(func.count()).select_from(DuplicateDismissal)) == 1
    outsider = app.test_client(user=other_supervisor)
    assert (
        outsider.post(
            "/duplicates/dismiss", data={"first_id": first.id, "second_id": second.id}
        ).status_code
        == 404
    )
    page = browser.post("/duplicates/dismiss", data={"first_id": "x"}, follow_redirects=True)
    assert "Choose a pair" in page.get_data(as_text=True)
