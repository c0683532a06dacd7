"""Mutual-aid linkage: the groups a client attends and their sponsor or mentor; the access rule
on every route; the client-page panel."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from coachapp import timeutil
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, Client, MutualAidAttendance, Organization
from coachapp.mutual_aid.queries import PICKER_LIMIT, client_panel
from tests import factories, helpers
from tests.helpers import QueryCounter, attendance, count

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


@pytest.fixture
def client_(coach):
    return factories.client(coach)


@pytest.fixture
def meeting():
    return factories.resource(
        name="Tuesday Serenity",
        category="recovery_support",
        meeting_model="na",
        meeting_format="in_person",
        meeting_schedule="Tuesdays 19:00",
    )


_CHOICE = re.compile(
    r'<label class="form-check-label[^"]*" for="resource_id-(\d+)">(.*?)</label>', re.S
)


def picker(page: str) -> dict[int, str]:
    """The meetings the picker offers: {resource id: its label's text}."""
    return {
        int(rid): " ".join(re.sub(r"<[^>]+>", " ", label).split())
        for rid, label in _CHOICE.findall(page)
    }


def checked(page: str) -> str | None:
    """The value of the picker's checked radio."""
    found = re.search(r'name="resource_id" id="[^"]+" value="([^"]*)" checked', page)
    return found.group(1) if found else None


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


# --- The meeting picker -----------------------------------------------------------------------


def _meeting(name: str, **fields):
    fields = {"category": "recovery_support", "meeting_model": "aa", **fields}
    return factories.resource(name=name, **fields)


@pytest.fixture
def places():
    """Meetings in three places; two share a name, as real feeds' meetings do."""
    return {
        "springfield": _meeting(
            "Big Book Study",
            address="12 Main St\nSpringfield, IL 62701",
            meeting_day=2,
            meeting_time=time(19),
            meeting_format="in_person",
        ),
        "lewes": _meeting(
            "Big Book Study",
            address="5 Front St, Lewes, DE 19958",
            meeting_day=2,
            meeting_time=time(8),
            meeting_format="hybrid",
        ),
        "online": _meeting(
            "Night Owls",
            meeting_model="na",
            meeting_format="virtual",
            meeting_day=6,
            meeting_time=time(23),
        ),
    }


def find(browser, client, **data):
    return browser.post(f"/clients/{client.id}/mutual-aid/new", data={"find": "1", **data})


def test_picker_lists_name_day_time_place_and_format(db, login, coach, client_, places):
    org = Organization(name="Capital Intergroup")
    db.session.add(org)
    db.session.commit()
    places["springfield"].organization_id = org.id
    db.session.commit()
    page = login(coach).get(f"/clients/{client_.id}/mutual-aid/new").get_data(as_text=True)
    assert picker(page) == {
        places["springfield"].id: "Big Book Study AA · Tuesdays 19:00 · In person "
        "12 Main St, Springfield, IL 62701 · Capital Intergroup",
        places[
            "lewes"
        ].id: "Big Book Study AA · Tuesdays 08:00 · Hybrid 5 Front St, Lewes, DE 19958",
        places["online"].id: "Night Owls NA · Saturdays 23:00 · Virtual Online",
    }
    assert "3 meetings found." in page
    assert checked(page) == ""  # "No particular meeting"
    assert '<fieldset class="mb-3" id="resource_id"' in page and "<legend" in page
    assert '<label class="form-label" for="find_text">' in page


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"find_text": "62701"}, {"springfield"}),
        ({"find_text": "19958"}, {"lewes"}),
        ({"find_text": "62701-4410"}, {"springfield"}),
        ({"find_text": "front st"}, {"lewes"}),
        ({"find_text": "springfield"}, {"springfield"}),
        ({"find_text": "big book lewes"}, {"lewes"}),
        ({"find_text": "owls"}, {"online"}),
        ({"find_text": "62702"}, set()),
        ({"find_day": "2"}, {"springfield", "lewes"}),
        ({"find_day": "6"}, {"online"}),
        ({"find_day": "0"}, set()),
        ({"find_model": "na"}, {"online"}),
        ({"find_format": "hybrid"}, {"lewes"}),
        ({"find_format": "in_person", "find_day": "2"}, {"springfield"}),
        ({"find_text": "big book", "find_format": "virtual"}, set()),
    ],
)
def test_picker_narrows_by_text_zip_day_model_and_format(
    db, login, coach, client_, places, filters, expected
):
    response = find(login(coach), client_, **filters)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert set(picker(page)) == {places[key].id for key in expected}
    if not expected:
        assert "No active meeting matches" in page
    for name, value in filters.items():  # the filters stay as they were set
        assert re.search(
            rf'(id="{name}"[^>]*value="{re.escape(value)}")|'
            rf'(<option selected value="{re.escape(value)}")',
            page,
        ), name


def test_finding_keeps_typed_fields_and_saves_nothing(db, login, coach, client_, places):
    browser = login(coach)
    response = find(
        browser,
        client_,
        find_text="62701",
        frequency="Twice a week, with her sister",
        since="2026-01-10",
        model="",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert set(picker(page)) == {places["springfield"].id}
    assert 'value="Twice a week, with her sister"' in page
    assert 'value="2026-01-10"' in page
    # Nothing checked, nothing refused: the fields left empty are not flagged.
    assert "invalid-feedback" not in page and "is-invalid" not in page
    assert "Choose the model" not in page and "alert-danger" not in page
    # Even a value the save would refuse comes back as typed, unflagged.
    page = find(browser, client_, find_text="62701", since="2026-13-45", frequency="x" * 150)
    text = page.get_data(as_text=True)
    assert 'value="2026-13-45"' in text and "x" * 150 in text and "is-invalid" not in text
    assert count(db, MutualAidAttendance) == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "mutual_aid_attendance")
        )
        == 0
    )


def test_the_meeting_picked_stays_through_a_search_and_is_saved(db, login, coach, client_, places):
    browser = login(coach)
    chosen = places["lewes"]
    page = find(
        browser, client_, resource_id=str(chosen.id), find_text="62701", frequency="weekly"
    ).get_data(as_text=True)
    # Outside the new filters, the chosen meeting is still offered, checked and marked.
    assert set(picker(page)) == {chosen.id, places["springfield"].id}
    assert checked(page) == str(chosen.id)
    assert "Chosen" in picker(page)[chosen.id]
    assert "1 meeting found." in page
    response = browser.post(
        f"/clients/{client_.id}/mutual-aid/new",
        data={"resource_id": str(chosen.id), "find_text": "62701", "frequency": "weekly"},
    )
    assert response.status_code == 302
    row = db.session.scalar(select(MutualAidAttendance))
    assert (row.resource_id, row.model, row.frequency) == (chosen.id, "aa", "weekly")


def test_saving_still_validates_every_field(db, login, coach, client_, places):
    response = login(coach).post(
        f"/clients/{client_.id}/mutual-aid/new",
        data={"find_text": "62701", "resource_id": "", "model": "", "since": "2026-13-45"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the model, or a meeting from the directory." in page
    assert "Not a valid date value." in page
    assert set(picker(page)) == {places["springfield"].id}  # the list as narrowed
    assert count(db, MutualAidAttendance) == 0


def test_inactive_and_other_programs_meetings_never_appear(db, login, coach, client_, places):
    gone = _meeting("Big Book Study", address="9 Main St, Springfield, IL 62701", active=False)
    elsewhere = factories.program()
    theirs = _meeting(
        "Big Book Study", address="3 Main St, Springfield, IL 62701", program_id=elsewhere.id
    )
    ours = _meeting(
        "Big Book Study", address="4 Main St, Springfield, IL 62701", program_id=coach.program_id
    )
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}/mutual-aid/new").get_data(as_text=True)
    assert gone.id not in picker(page) and theirs.id not in picker(page)
    for rid in (gone.id, theirs.id):
        # Not through the filters, nor as "the meeting picked before".
        page = find(browser, client_, find_text="62701", resource_id=str(rid)).get_data(
            as_text=True
        )
        assert set(picker(page)) == {places["springfield"].id, ours.id}
        assert checked(page) is None
        response = browser.post(
            f"/clients/{client_.id}/mutual-aid/new", data={"resource_id": str(rid)}
        )
        assert response.status_code == 422
        assert "Choose an active meeting from the list." in response.get_data(as_text=True)
    assert count(db, MutualAidAttendance) == 0


def test_picker_shows_at_most_the_limit_and_counts_the_rest(db, login, coach, client_):
    for n in range(PICKER_LIMIT + 7):
        _meeting(f"Group {n:02d}", address=f"{n} Elm St, Dayton, OH 454{n:02d}")
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}/mutual-aid/new").get_data(as_text=True)
    assert len(picker(page)) == PICKER_LIMIT
    assert (
        f"{PICKER_LIMIT} of {PICKER_LIMIT + 7} meetings shown: 7 more — narrow the search." in page
    )
    assert "Group 00" in page and f"Group {PICKER_LIMIT:02d}" not in page  # by name
    page = find(browser, client_, find_text="45431").get_data(as_text=True)
    assert [text.split(" AA")[0] for text in picker(page).values()] == ["Group 31"]


def test_picker_query_count_does_not_grow(db, login, coach, client_, places):
    org = Organization(name="Capital Intergroup")
    db.session.add(org)
    db.session.commit()
    places["springfield"].organization_id = org.id
    db.session.commit()
    browser = login(coach)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert find(browser, client_, find_text="main").status_code == 200
        return counter.n

    few = queries()
    org_ids = []
    for n in range(30):
        org = Organization(name=f"Intergroup {n}")
        db.session.add(org)
        db.session.flush()
        org_ids.append(org.id)
    db.session.commit()
    for n in range(60):
        _meeting(f"Main Street Group {n}", address=f"{n} Main St", organization_id=org_ids[n % 30])
    assert queries() == few


@pytest.mark.parametrize(
    "data",
    [
        {"find_text": "%"},
        {"find_text": "_"},
        {"find_text": "\\"},
        {"find_text": "' OR 1=1 --"},
        {"find_text": "a" * 5000},
        {"find_text": "62701 " * 1000},
        {"find_text": "%_%_" * 30, "find_day": "9", "find_model": "pilates", "find_format": "x"},
        {"find_day": "-1", "find_model": "", "find_format": "in_person"},
        {"find_day": "99999999999999999999"},
        {"resource_id": "abc"},
        {"resource_id": "99999999999999999999", "since": "0000-00-00"},
    ],
)
def test_hostile_picker_input_never_fails(db, login, coach, client_, places, data):
    browser = login(coach)
    response = find(browser, client_, **data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = data.get("find_text", "")
    if text and not text.strip("%_\\"):  # wildcards are matched as text: nothing has them
        assert picker(page) == {}
    response = browser.post(f"/clients/{client_.id}/mutual-aid/new", data={"model": "aa", **data})
    assert response.status_code in (302, 422)


# --- The panel ---------------------------------------------------------------------------------


def test_panel_query_count_is_constant_and_renders(app, db, coach, client_, meeting):
    attendance(
        client_, resource_id=meeting.id, model="na", frequency="weekly", since=date(2025, 6, 1)
    )

    def run():
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            panel = client_panel(client_, coach)
            _ = [a.resource and a.resource.name for a in panel["current"] + panel["ended"]]
        return counter.n, panel

    one, _ = run()
    for n in range(19):
        res = factories.resource(name=f"M{n}", category="recovery_support", meeting_model="aa")
        attendance(client_, resource_id=res.id, ended_on=date(2026, 1, 1) if n % 2 else None)
    twenty, panel = run()
    assert twenty == one
    assert len(panel["current"]) + len(panel["ended"]) == 20

    client_.support_person = "sponsor"
    client_.support_person_since = date(2025, 7, 1)
    db.session.commit()
    with app.test_request_context():
        html = render_template(
            "mutual_aid/_client_panel.html",
            panels={"mutual_aid": client_panel(client_, coach)},
            client=client_,
        )
    assert "Tuesday Serenity" in html and "weekly" in html and "since 2025-06-01" in html
    assert "Has a <strong>sponsor</strong> since 2025-07-01" in html
    assert "Earlier groups (9)" in html
    assert f"/clients/{client_.id}/mutual-aid/new" in html
    assert "style=" not in html and "<script" not in html


def test_client_page_shows_the_panel_once_wired(db, login, coach, client_, meeting):
    from coachapp.clients.panels import PANELS

    if "mutual_aid" not in dict(PANELS):
        pytest.skip("mutual_aid panel not yet listed in coachapp/clients/panels.py")
    attendance(client_, resource_id=meeting.id, model="na")
    text = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Mutual-aid groups" in text and "Tuesday Serenity" in text
