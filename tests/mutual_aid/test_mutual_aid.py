"""Mutual-aid linkage: the groups a client attends and their sponsor or mentor; the access rule
on every route; the client-page panel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, Client, MutualAidAttendance
from tests import factories, helpers
from tests.helpers import attendance, count
from tests.mutual_aid.helpers import picker

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


@pytest.fixture(scope="module")
def _app(database_url):
    """The app with the mutual_aid blueprint, whether or not create_app registers it yet."""
    from coachapp import create_app
    from coachapp.mutual_aid import bp

    app = create_app(helpers.make_test_config(database_url))
    if "mutual_aid" not in app.blueprints:
        app.register_blueprint(bp)
    app.test_client_class = helpers.TestClient
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def today(client) -> date:
    return timeutil.local_today(client.program)


# --- Access ------------------------------------------------------------------------------------


def _pages(client, row) -> list[str]:
    return [
        f"/clients/{client.id}/mutual-aid/new",
        f"/clients/{client.id}/mutual-aid/support",
        f"/mutual-aid/{row.id}/end",
    ]


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_open_every_page(request, db, login, client_, role):
    row = attendance(client_)
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, row):
        assert browser.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, client_, meeting, role):
    row = attendance(client_)
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, row):
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/clients/{client_.id}/mutual-aid/new": {"resource_id": str(meeting.id)},
        f"/clients/{client_.id}/mutual-aid/support": {"support_person": "sponsor"},
        f"/mutual-aid/{row.id}/end": {"ended_on": "2026-03-01"},
        f"/mutual-aid/{row.id}/archive": {"reason": "x"},
    }
    for url, data in posts.items():
        assert browser.post(url, data=data).status_code == 404, url
    db.session.refresh(row)
    assert row.ended_on is None and row.archived_at is None
    assert count(db, MutualAidAttendance) == 1
    assert db.session.get(Client, client_.id).support_person is None


# --- Groups ------------------------------------------------------------------------------------


def test_add_a_meeting_the_model_defaults_to_the_meetings(db, login, coach, client_, meeting):
    factories.resource(name="Food Bank", category="food")
    factories.resource(
        name="Closed Group", category="recovery_support", meeting_model="aa", active=False
    )
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}/mutual-aid/new").get_data(as_text=True)
    assert picker(page) == {
        meeting.id: "Tuesday Serenity NA · Tuesdays 19:00 · In person No address given"
    }
    assert "Food Bank" not in page and "Closed Group" not in page
    response = browser.post(
        f"/clients/{client_.id}/mutual-aid/new",
        data={
            "resource_id": str(meeting.id),
            "model": "",
            "frequency": "weekly",
            "since": "2026-01-10",
        },
    )
    assert response.status_code == 302
    row = db.session.scalar(select(MutualAidAttendance))
    assert (row.client_id, row.resource_id, row.model, row.frequency, row.since) == (
        client_.id,
        meeting.id,
        "na",
        "weekly",
        date(2026, 1, 10),
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "mutual_aid_attendance")
    )
    assert event.action == "create" and event.client_id == client_.id
    assert set(event.fields.split(",")) == {"resource_id", "model", "frequency", "since"}
    assert "weekly" not in event.fields


def test_add_a_model_without_a_meeting(db, login, coach, client_):
    response = login(coach).post(
        f"/clients/{client_.id}/mutual-aid/new",
        data={"resource_id": "", "model": "smart_recovery", "frequency": "twice a week"},
    )
    assert response.status_code == 302
    row = db.session.scalar(select(MutualAidAttendance))
    assert (row.resource_id, row.model, row.since) == (None, "smart_recovery", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resource_id": "", "model": ""}, "Choose the model, or a meeting from the directory."),
        ({"resource_id": "NOT_A_MEETING"}, "Choose an active meeting from the list."),
        ({"resource_id": "999999"}, "Choose an active meeting from the list."),
        ({"resource_id": "99999999999999999999"}, "Choose an active meeting from the list."),
        ({"model": "pilates"}, "Not a valid choice."),
        ({"model": "aa", "since": "FUTURE"}, "This date is in the future."),
        ({"model": "aa", "since": "0000-00-00"}, "Not a valid date value."),
        ({"model": "aa", "frequency": "x" * 101}, "Field cannot be longer than 100 characters."),
    ],
)
def test_bad_group_input_is_refused(db, login, coach, client_, data, message):
    plain = factories.resource(name="Plain Clinic", category="healthcare")
    data = {
        k: (
            str(plain.id)
            if v == "NOT_A_MEETING"
            else (today(client_) + timedelta(days=1)).isoformat()
            if v == "FUTURE"
            else v
        )
        for k, v in data.items()
    }
    response = login(coach).post(f"/clients/{client_.id}/mutual-aid/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, MutualAidAttendance) == 0


def test_end_a_group(db, login, coach, client_):
    row = attendance(client_, since=date(2026, 1, 1))
    browser = login(coach)
    page = browser.get(f"/mutual-aid/{row.id}/end").get_data(as_text=True)
    assert f'value="{today(client_).isoformat()}"' in page
    response = browser.post(f"/mutual-aid/{row.id}/end", data={"ended_on": "2025-12-31"})
    assert response.status_code == 422
    assert "cannot be before they started (2026-01-01)" in response.get_data(as_text=True)
    future = (today(client_) + timedelta(days=1)).isoformat()
    response = browser.post(f"/mutual-aid/{row.id}/end", data={"ended_on": future})
    assert response.status_code == 422
    db.session.refresh(row)
    assert row.ended_on is None
    response = browser.post(f"/mutual-aid/{row.id}/end", data={"ended_on": "2026-02-15"})
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.ended_on == date(2026, 2, 15)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.fields == "ended_on"
    again = browser.post(f"/mutual-aid/{row.id}/end", data={"ended_on": "2026-02-20"})
    assert again.status_code == 422 and "ended already" in again.get_data(as_text=True)


def test_archive_a_group(db, login, coach, client_):
    row = attendance(client_)
    browser = login(coach)
    response = browser.post(f"/mutual-aid/{row.id}/archive", data={"reason": ""})
    assert response.status_code == 422 and "Give a reason." in response.get_data(as_text=True)
    response = browser.post(f"/mutual-aid/{row.id}/archive", data={"reason": "duplicate"})
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.archived_by_id == coach.id and row.archive_reason == "duplicate"
    assert browser.get(f"/mutual-aid/{row.id}/end").status_code == 404
    assert count(db, MutualAidAttendance) == 1


# --- Sponsor or mentor ------------------------------------------------------------------------


def test_set_and_clear_a_sponsor(db, login, coach, client_):
    browser = login(coach)
    version = client_.version
    response = browser.post(
        f"/clients/{client_.id}/mutual-aid/support",
        data={
            "support_person": "sponsor",
            "support_person_since": "2025-11-01",
            "version": version,
        },
    )
    assert response.status_code == 302
    fresh = db.session.get(Client, client_.id)
    db.session.refresh(fresh)
    assert (fresh.support_person, fresh.support_person_since) == ("sponsor", date(2025, 11, 1))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert (event.entity_type, event.fields) == ("client", "support_person,support_person_since")

    page = browser.get(f"/clients/{client_.id}/mutual-aid/support").get_data(as_text=True)
    assert '<option selected value="sponsor">' in page and "2025-11-01" in page
    response = browser.post(
        f"/clients/{client_.id}/mutual-aid/support",
        data={"support_person": "", "support_person_since": "", "version": fresh.version},
    )
    assert response.status_code == 302
    db.session.refresh(fresh)
    assert (fresh.support_person, fresh.support_person_since) == (None, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"support_person": "", "support_person_since": "2025-01-01"}, "Leave this empty"),
        ({"support_person": "guru"}, "Not a valid choice."),
        ({"support_person": "mentor", "support_person_since": "FUTURE"}, "in the future"),
        ({"support_person": "mentor", "support_person_since": "9999-12-31"}, "too far"),
    ],
)
def test_bad_support_input_is_refused(db, login, coach, client_, data, message):
    if data.get("support_person_since") == "FUTURE":
        data["support_person_since"] = (today(client_) + timedelta(days=1)).isoformat()
    response = login(coach).post(
        f"/clients/{client_.id}/mutual-aid/support", data={**data, "version": client_.version}
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.get(Client, client_.id).support_person is None


def test_stale_support_edit_is_refused(db, login, coach, supervisor, client_):
    seen = client_.version
    url = f"/clients/{client_.id}/mutual-aid/support"
    assert (
        login(supervisor).post(url, data={"support_person": "mentor", "version": seen}).status_code
        == 302
    )
    response = login(coach).post(url, data={"support_person": "sponsor", "version": seen})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Someone else changed this record" in text
    assert '<option selected value="sponsor">' in text  # input kept
    fresh = db.session.get(Client, client_.id)
    db.session.refresh(fresh)
    assert fresh.support_person == "mentor"
