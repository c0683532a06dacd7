"""The client profile for funders on the pages, at intake, by the access rule, and through
the API."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from coachapp import records
from coachapp.extensions import db as _db
from coachapp.models import ClientProfile, ClientStatusRecord
from coachapp.profiles import services
from tests.profiles.helpers import add, today

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


# --- Pages ---------------------------------------------------------------------------------------


def test_client_page_shows_the_section(db, login, coach, client_):
    intake = client_.enrollments[0].intake_date
    add(client_, "housing", "emergency_shelter", intake, actor=coach)
    add(client_, "housing", "rental_no_subsidy", intake + timedelta(days=40), actor=coach)
    services.update_profile(
        client_, {"veteran_status": "declined"}, actor=coach, expected_version=None
    )
    _db.session.commit()
    page = text_of(login(coach).get(f"/clients/{client_.id}"))
    assert "Profile for funders" in page
    assert (
        "Housing: Now: Rental by client, no ongoing housing subsidy since "
        f"{(intake + timedelta(days=40)).isoformat()} · At intake: Emergency shelter"
    ) in page
    assert "Employment: Now: Not recorded · At intake: Not recorded" in page
    assert "Veteran status Declined to answer" in page
    assert "Gender identity Not asked yet" in page
    assert "Age at intake" in page


def test_profile_page_selects_and_help(db, login, coach, client_):
    response = login(coach).get(f"/clients/{client_.id}/profile")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    # "Not asked yet" first, "Declined to answer" last, readable labels.
    gender = re.search(r'<select[^>]*name="gender_identity".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>(.*?)</option>", gender)
    assert options[0] == "Not asked yet" and options[-1] == "Declined to answer"
    assert "Non-binary" in options
    housing = re.search(r'<select[^>]*name="housing-status".*?</select>', html, re.S).group(0)
    assert '<optgroup label="Homeless situations">' in housing
    assert '<optgroup label="Permanent housing situations">' in housing
    assert f'value="{today(client_).isoformat()}"' in html  # as of: today by default
    assert "the first one recorded within 30 days after it" in text_of(response)
    assert '<label class="form-label" for="employment-as_of">' in html


def test_demographics_form_saves_and_redirects(db, login, coach, client_):
    browser = login(coach)
    response = browser.post(
        f"/clients/{client_.id}/profile",
        data={"version": "0", "gender_identity": "man", "race_ethnicity": "declined"},
    )
    assert response.status_code == 302
    profile = services.get_profile(client_)
    assert (profile.gender_identity, profile.race_ethnicity, profile.insurance) == (
        "man",
        "declined",
        None,
    )


def test_demographics_form_keeps_input_on_error_and_answers_422(db, login, coach, client_):
    response = login(coach).post(
        f"/clients/{client_.id}/profile",
        data={"version": "0", "gender_identity": "robot", "insurance": "medicaid"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<option selected value="medicaid">|<option value="medicaid" selected', html)
    assert 'id="gender_identity-errors"' in html
    assert services.get_profile(client_) is None


def test_stale_demographics_form_is_refused(db, login, coach, client_):
    services.update_profile(client_, {"insurance": "private"}, actor=coach, expected_version=0)
    _db.session.commit()
    response = login(coach).post(
        f"/clients/{client_.id}/profile", data={"version": "0", "insurance": "uninsured"}
    )
    assert response.status_code == 422
    assert "Someone else changed this record" in text_of(response)
    _db.session.expire_all()
    assert services.get_profile(client_).insurance == "private"


def test_record_a_change_from_the_page(db, login, coach, client_):
    browser = login(coach)
    on = today(client_) - timedelta(days=3)
    response = browser.post(
        f"/clients/{client_.id}/profile/employment",
        data={"employment-status": "part_time", "employment-as_of": on.isoformat()},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{client_.id}/profile#h-employment")
    (row,) = services.history(client_, "employment")
    assert (row.status, row.as_of, row.recorded_by_id) == ("part_time", on, coach.id)


def test_record_a_change_refused_keeps_input_beside_the_fields(db, login, coach, client_):
    future = today(client_) + timedelta(days=2)
    response = login(coach).post(
        f"/clients/{client_.id}/profile/housing",
        data={"housing-status": "safe_haven", "housing-as_of": future.isoformat()},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="housing-as_of-errors"' in html and "This date is in the future." in html
    assert f'value="{future.isoformat()}"' in html
    assert re.search(r'<option selected value="safe_haven">|value="safe_haven" selected', html)
    assert count(ClientStatusRecord) == 0


def test_same_status_refused_on_the_page(db, login, coach, client_):
    intake = client_.enrollments[0].intake_date
    add(client_, "housing", "safe_haven", intake, actor=coach)
    response = login(coach).post(
        f"/clients/{client_.id}/profile/housing",
        data={"housing-status": "safe_haven", "housing-as_of": today(client_).isoformat()},
    )
    assert response.status_code == 422
    assert 'id="housing-status-errors"' in response.get_data(as_text=True)
    assert "already their housing status" in text_of(response)


def test_archive_from_the_page_needs_a_reason(db, login, coach, client_):
    row = add(client_, "housing", "safe_haven", client_.enrollments[0].intake_date, actor=coach)
    browser = login(coach)
    refused = browser.post(f"/profile/statuses/{row.id}/archive", data={"reason": " "})
    assert refused.status_code == 422
    assert f'id="archive-reason-{row.id}-errors"' in refused.get_data(as_text=True)
    _db.session.refresh(row)
    assert row.archived_at is None
    done = browser.post(f"/profile/statuses/{row.id}/archive", data={"reason": "Wrong person"})
    assert done.status_code == 302
    _db.session.refresh(row)
    assert row.archived_at is not None
    # Archived: the row is gone for every route.
    again = browser.post(f"/profile/statuses/{row.id}/archive", data={"reason": "Again"})
    assert again.status_code == 404


# --- Intake --------------------------------------------------------------------------------------


def test_intake_records_optional_statuses_as_of_the_intake_date(db, login, coach):
    browser = login(coach)
    intake = date.today() - timedelta(days=2)
    response = browser.post(
        "/clients/new",
        data={
            "first_name": "Rowan",
            "last_name": "Tierney",
            "intake_date": intake.isoformat(),
            "coach_id": str(coach.id),
            "housing_status": "emergency_shelter",
            "employment_status": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    rows = _db.session.scalars(select(ClientStatusRecord)).all()
    assert [(r.kind, r.status, r.as_of) for r in rows] == [("housing", "emergency_shelter", intake)]


def test_intake_refuses_a_status_outside_the_list(db, login, coach):
    response = login(coach).post(
        "/clients/new",
        data={
            "first_name": "Rowan",
            "last_name": "Tierney",
            "intake_date": date.today().isoformat(),
            "coach_id": str(coach.id),
            "housing_status": "full_time",
        },
    )
    assert response.status_code == 422
    assert 'id="housing_status-errors"' in response.get_data(as_text=True)
    assert count(ClientStatusRecord) == 0


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_reach_the_page(request, db, login, client_, role):
    assert (
        login(request.getfixturevalue(role)).get(f"/clients/{client_.id}/profile").status_code
        == 200
    )


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, coach, client_, role):
    row = add(client_, "housing", "safe_haven", client_.enrollments[0].intake_date, actor=coach)
    browser = login(request.getfixturevalue(role))
    assert browser.get(f"/clients/{client_.id}/profile").status_code == 404
    posts = {
        f"/clients/{client_.id}/profile": {"gender_identity": "woman"},
        f"/clients/{client_.id}/profile/housing": {
            "housing-status": "emergency_shelter",
            "housing-as_of": today(client_).isoformat(),
        },
        f"/profile/statuses/{row.id}/archive": {"reason": "x"},
    }
    for url, data in posts.items():
        assert browser.post(url, data=data).status_code == 404, url
    _db.session.refresh(row)
    assert row.archived_at is None and count(ClientStatusRecord) == 1
    assert count(ClientProfile) == 0


# --- API -----------------------------------------------------------------------------------------


def test_api_round_trip(db, anon, coach, client_, bearer):
    headers = bearer(coach)
    base = f"/api/v1/clients/{client_.id}"
    got = anon.get(f"{base}/profile", headers=headers)
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    body = got.get_json()
    assert body["version"] == 0 and body["gender_identity"] is None
    assert body["housing_now"] is None and body["age_band"] == "35–44"

    patched = anon.patch(
        f"{base}/profile", headers=headers, json={"version": 0, "insurance": "medicaid"}
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["insurance"] == "medicaid" and patched.get_json()["version"] == 1
    stale = anon.patch(f"{base}/profile", headers=headers, json={"version": 0, "insurance": None})
    assert stale.status_code == 409
    read_only = anon.patch(f"{base}/profile", headers=headers, json={"age_band": "18–24"})
    assert read_only.status_code == 422
    assert read_only.get_json()["error"]["fields"] == {"age_band": ["Read-only field."]}

    intake = client_.enrollments[0].intake_date
    created = anon.post(
        f"{base}/statuses",
        headers=headers,
        json={"kind": "housing", "status": "emergency_shelter", "as_of": intake.isoformat()},
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "emergency_shelter"
    later = anon.post(
        f"{base}/statuses", headers=headers, json={"kind": "employment", "status": "full_time"}
    )
    assert later.status_code == 201 and later.get_json()["as_of"] == today(client_).isoformat()
    refused = anon.post(
        f"{base}/statuses",
        headers=headers,
        json={"kind": "housing", "status": "emergency_shelter", "as_of": intake.isoformat()},
    )
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"as_of"}
    before = anon.post(
        f"{base}/statuses",
        headers=headers,
        json={"kind": "housing", "status": "safe_haven", "as_of": "2000-01-01"},
    )
    assert before.status_code == 422

    listed = anon.get(f"{base}/statuses", headers=headers).get_json()
    assert listed["total"] == 2
    housing = anon.get(f"{base}/statuses?kind=housing", headers=headers).get_json()
    assert [i["status"] for i in housing["items"]] == ["emergency_shelter"]
    profile = anon.get(f"{base}/profile", headers=headers).get_json()
    assert profile["housing_at_intake"] == {
        "status": "emergency_shelter",
        "as_of": intake.isoformat(),
    }
    assert profile["employment_now"]["status"] == "full_time"


@pytest.mark.parametrize("role", ("other_coach", "other_supervisor", "program_manager"))
def test_api_outside_the_rule_is_404(request, db, anon, client_, bearer, role):
    headers = bearer(request.getfixturevalue(role))
    base = f"/api/v1/clients/{client_.id}"
    assert anon.get(f"{base}/profile", headers=headers).status_code == 404
    assert anon.patch(f"{base}/profile", headers=headers, json={}).status_code == 404
    assert anon.get(f"{base}/statuses", headers=headers).status_code == 404
    posted = anon.post(
        f"{base}/statuses", headers=headers, json={"kind": "employment", "status": "full_time"}
    )
    assert posted.status_code == 404
    assert count(ClientStatusRecord) == 0


def test_a_first_profile_saved_twice_at_once_is_refused_as_stale(db, coach, client_, monkeypatch):
    """Two people save a client's first profile at the same moment: the second insert meets
    the first row (one profile per client) and is refused like a stale form, not a 500."""
    services.update_profile(client_, {"insurance": "private"}, actor=coach, expected_version=0)
    _db.session.commit()
    monkeypatch.setattr(services, "get_profile", lambda client: None)  # read before theirs
    with pytest.raises(records.StaleRecordError):
        services.update_profile(client_, {"insurance": "medicaid"}, actor=coach, expected_version=0)
    _db.session.rollback()
    monkeypatch.undo()
    assert services.get_profile(client_).insurance == "private"
    assert count(ClientProfile) == 1


def test_every_problem_of_a_status_change_shows_at_once(db, login, coach, client_):
    """No status chosen and a date before the first intake: both refused in one pass."""
    response = login(coach).post(
        f"/clients/{client_.id}/profile/employment",
        data={"employment-status": "", "employment-as_of": "2020-01-01"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="employment-status-errors"' in html and 'id="employment-as_of-errors"' in html
    assert "before the client&#39;s first intake" in html or "before the client's first" in html


def test_api_refuses_a_status_of_the_other_kind_naming_it(db, anon, coach, client_, bearer):
    response = anon.post(
        f"/api/v1/clients/{client_.id}/statuses",
        headers=bearer(coach),
        json={"kind": "employment", "status": "emergency_shelter"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"status": ["Choose a status from the list."]}
    assert count(ClientStatusRecord) == 0
