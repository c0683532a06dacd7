"""The merge page: a supervisor picks the duplicate, compares both, chooses whose value each
field keeps and confirms; refusals stay beside the fields with the input kept; the duplicate's
pages lead to the record kept; Undo from the merge history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from coachapp.models import Client, ClientMerge, CoachingSession, Enrollment
from tests import factories
from tests.helpers import discharge, nu_errors


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


def test_overlapping_episodes_are_shown_side_by_side_and_resolved_by_choice(
    db, login, coach, two, supervisor
):
    s = two["s"]
    third = factories.client(coach, intake_date=date(2026, 2, 1))
    factories.session(third, on=date(2026, 2, 3))
    mine = db.session.scalar(select(Enrollment).where(Enrollment.client_id == s.id))
    theirs = db.session.scalar(select(Enrollment).where(Enrollment.client_id == third.id))
    theirs_id = theirs.id
    browser = login(supervisor)
    page = browser.get(f"/clients/{s.id}/merge?duplicate_id={third.id}").get_data(as_text=True)
    assert f"Episode {mine.id} of {s.code} and episode {theirs.id} of {third.code}" in page
    assert "2026-01-05" in page and "2026-02-01" in page
    assert "Sessions dated inside</th><td>0</td><td>1</td>" in page
    name = f"episode_{theirs.id}"
    assert f'id="{name}-combine"' in page and f'id="{name}-end_earlier"' in page
    assert not re.search(rf'name="{name}"[^>]*checked', page)  # no default
    assert "not resolved yet" in page
    assert f"episode {mine.id} ends on 2026-01-31 (other)" in page

    data = {"duplicate_id": third.id, "compared_id": third.id, "confirm": "y", **keep_all()}
    refused = browser.post(f"/clients/{s.id}/merge", data={**data, "merge": "Merge"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f"{name}-errors" in html and "Choose how to resolve this overlap" in html
    assert db.session.scalar(select(ClientMerge)) is None

    # A choice sent with "Compare" stays chosen, and the summary says what it will do.
    kept = browser.post(
        f"/clients/{s.id}/merge", data={**data, "compare": "Compare", name: "combine"}
    ).get_data(as_text=True)
    assert re.search(rf'id="{name}-combine"[^>]*checked', kept)
    assert re.search(
        rf'<span data-choice="combine">Combine: episode {mine.id} becomes 2026-01-05 to open',
        kept,
    )

    merged = browser.post(
        f"/clients/{s.id}/merge", data={**data, "merge": "Merge", name: "combine"}
    )
    assert merged.status_code == 302
    db.session.expire_all()
    assert [
        (e.intake_date, e.discharge_date)
        for e in db.session.scalars(select(Enrollment).where(Enrollment.client_id == s.id))
    ] == [(date(2026, 1, 5), None)]
    assert db.session.get(Enrollment, theirs_id) is None
    row = db.session.scalar(select(ClientMerge))
    assert browser.post(f"/merges/{row.id}/undo").status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrollment, theirs_id).client_id == third.id


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


def test_the_overlap_section_is_valid_html(app, db, login, coach, two, supervisor, tmp_path):
    """The Nu HTML checker on the page with a pair to resolve, as first shown and refused (the
    crawl of tests/platform/test_html_validity.py reaches the merge page without one)."""
    app.config["WTF_CSRF_ENABLED"] = True
    s = two["s"]
    third = factories.client(coach, intake_date=date(2026, 2, 1))
    browser = login(supervisor)
    url = f"/clients/{s.id}/merge?duplicate_id={third.id}"
    shown = browser.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', shown).group(1)
    refused = browser.post(
        f"/clients/{s.id}/merge",
        data={
            "csrf_token": token,
            "duplicate_id": third.id,
            "compared_id": third.id,
            "merge": "Merge",
            **keep_all(),
        },
    )
    assert refused.status_code == 422
    for name, html in (("shown", shown), ("refused", refused.get_data(as_text=True))):
        assert "Enrollment episodes that overlap" in html
        (tmp_path / f"{name}.html").write_text(html)
    assert nu_errors(tmp_path) == []
