"""The merge page: a supervisor picks the duplicate, compares both, chooses whose value each
field keeps and confirms; refusals stay beside the fields with the input kept; the duplicate's
pages lead to the record kept; Undo from the merge history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from coachapp.models import Client, ClientMerge, CoachingSession
from tests import factories
from tests.helpers import discharge


@pytest.fixture
def two(db, coach):
    duplicate = factories.client(
        coach, first_name="Ana", last_name="Lopez", intake_date=date(2025, 6, 1), phone="555-0142"
    )
    discharge(duplicate, date(2025, 9, 1))
    survivor = factories.client(
        coach, first_name="Anna", last_name="López", intake_date=date(2026, 1, 5)
    )
    factories.session(duplicate, on=date(2025, 7, 1))
    return {"s": survivor, "d": duplicate}


def keep_all(value: str = "survivor") -> dict:
    from coachapp.merges.services import KEEP_FIELDS

    return {f"keep_{name}": value for name in KEEP_FIELDS}


def test_the_client_page_offers_the_merge_to_the_supervisor_only(login, two, supervisor, coach):
    url = f"/clients/{two['s'].id}"
    assert "Merge a duplicate" in login(supervisor).get(url).get_data(as_text=True)
    assert "Merge a duplicate" not in login(coach).get(url).get_data(as_text=True)
    assert login(coach).get(f"{url}/merge").status_code == 403


def test_compare_shows_both_side_by_side(login, two, supervisor):
    s, d = two["s"], two["d"]
    page = login(supervisor).get(f"/clients/{s.id}/merge?duplicate_id={d.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert d.code in html and "555-0142" in html and "Sessions" in html
    # The duplicate's phone is suggested where this record has none; the names stay.
    assert re.search(r'<input checked[^>]*id="keep_phone-1"', html)
    assert re.search(r'<input checked[^>]*id="keep_first_name-0"', html)


def test_merge_without_confirmation_is_refused_beside_the_box(db, login, two, supervisor):
    s, d = two["s"], two["d"]
    response = login(supervisor).post(
        f"/clients/{s.id}/merge",
        data={"duplicate_id": d.id, "compared_id": d.id, "merge": "Merge", **keep_all("duplicate")},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tick the box" in html and "confirm-errors" in html
    assert db.session.scalar(select(ClientMerge)) is None


def test_overlapping_episodes_are_refused_beside_the_choice(db, login, coach, two, supervisor):
    third = factories.client(coach, intake_date=date(2026, 2, 1))
    response = login(supervisor).post(
        f"/clients/{two['s'].id}/merge",
        data={
            "duplicate_id": third.id,
            "compared_id": third.id,
            "merge": "Merge",
            "confirm": "y",
            **keep_all(),
        },
    )
    assert response.status_code == 422
    assert "duplicate_id-errors" in response.get_data(as_text=True)
    assert "overlap" in response.get_data(as_text=True)


def test_merge_then_redirect_then_undo(db, login, two, supervisor, coach):
    s, d = two["s"], two["d"]
    browser = login(supervisor)
    response = browser.post(
        f"/clients/{s.id}/merge",
        data={
            "duplicate_id": d.id,
            "compared_id": d.id,
            "merge": "Merge",
            "confirm": "y",
            **keep_all(),
            "keep_phone": "duplicate",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, d.id).merged_into_id == s.id
    assert db.session.get(Client, s.id).phone == "555-0142"
    # The duplicate's pages lead to the record kept; its POSTs find nothing.
    moved = login(coach).get(f"/clients/{d.id}")
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/clients/{s.id}")
    assert login(coach).post(f"/clients/{d.id}/archive").status_code == 404
    caseload = login(coach).get("/clients/").get_data(as_text=True)
    assert d.code not in caseload and s.code in caseload

    page = browser.get(f"/clients/{s.id}/merge").get_data(as_text=True)
    assert d.code in page and "Undo" in page
    client_page = browser.get(f"/clients/{s.id}").get_data(as_text=True)
    assert "Records merged into this one" in client_page and "/merges/" in client_page
    assert "Records merged into this one" not in login(coach).get(f"/clients/{s.id}").get_data(
        as_text=True
    )
    row = db.session.scalar(select(ClientMerge))
    undone = browser.post(f"/merges/{row.id}/undo")
    assert undone.status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, d.id).merged_into_id is None
    assert db.session.scalar(select(CoachingSession.client_id)) == d.id
    assert login(coach).get(f"/clients/{d.id}").status_code == 200
    again = browser.post(f"/merges/{row.id}/undo", follow_redirects=True)
    assert "undone already" in again.get_data(as_text=True)


def test_another_team_gets_404(db, login, two, other_supervisor):
    assert login(other_supervisor).get(f"/clients/{two['s'].id}/merge").status_code == 404


def test_a_merge_needs_the_comparison_of_that_record(db, login, coach, two, supervisor):
    """The choices on the page were made comparing one record: merging another is refused,
    and comparing again keeps the choices made for the same record."""
    s, d = two["s"], two["d"]
    browser = login(supervisor)
    refused = browser.post(
        f"/clients/{s.id}/merge",
        data={"duplicate_id": d.id, "merge": "Merge", "confirm": "y", **keep_all()},
    )
    assert refused.status_code == 422
    assert "Compare this record first" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ClientMerge)) is None
    again = browser.post(
        f"/clients/{s.id}/merge",
        data={"duplicate_id": d.id, "compared_id": d.id, "compare": "Compare", **keep_all()},
    )
    assert again.status_code == 200
    # The phone stays as chosen (this record's), not the suggestion (the duplicate's).
    assert re.search(r'<input checked[^>]*id="keep_phone-0"', again.get_data(as_text=True))
