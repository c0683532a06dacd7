"""The resource directory: browse and search for anyone signed in; create and edit for
supervisors, program managers and admins; deactivate instead of delete."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.models import AuditEvent, Organization, Resource
from tests import factories
from tests.helpers import QueryCounter, count, resource_data

ALL_ROLES = ("coach", "supervisor", "program_manager", "admin")
WRITERS = ("supervisor", "program_manager", "admin")


# --- Browse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_any_signed_in_user_browses_the_directory(request, db, login, role):
    factories.resource(name="Eastside Shelter", category="housing")
    browser = login(request.getfixturevalue(role))
    page = browser.get("/resources/")
    assert page.status_code == 200 and "Eastside Shelter" in page.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(anon, db):
    res = factories.resource()
    for url in ("/resources/", f"/resources/{res.id}", "/resources/new"):
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location


def test_search_by_name_organization_and_description(db, login, coach):
    org = Organization(name="Lakeview Community Services")
    db.session.add(org)
    db.session.commit()
    factories.resource(name="Tenant Hotline", category="housing")
    factories.resource(name="Food Bank", category="food", organization_id=org.id)
    factories.resource(name="Benefits Desk", category="benefits", description="SNAP and Medicaid")
    browser = login(coach)

    def names(**params) -> str:
        return browser.get("/resources/", query_string=params).get_data(as_text=True)

    page = names(q="hotline")
    assert "Tenant Hotline" in page and "Food Bank" not in page
    page = names(q="lakeview")
    assert "Food Bank" in page and "Tenant Hotline" not in page
    page = names(q="medicaid")
    assert "Benefits Desk" in page and "Food Bank" not in page
    page = names(category="food")
    assert "Food Bank" in page and "Benefits Desk" not in page


def _addressed_entries() -> None:
    factories.resource(
        name="Springfield Pantry", category="food", address="12 Main St, Springfield, IL 62701"
    )
    factories.resource(
        name="Market Street Clinic",
        category="healthcare",
        address="400 Market Street\nPhiladelphia, PA 19106-1234",
    )
    # 62701 inside a longer number is not the ZIP code 62701.
    factories.resource(
        name="Dover Legal Aid", category="legal", address="PO Box 627015, Dover, DE 19901"
    )
    factories.resource(
        name="Philadelphia Hotline", category="other", address="1 Capitol Sq, Dover, DE 19901"
    )
    factories.resource(name="No Address Desk", category="benefits")


def _listed(browser, url: str, **params) -> set[str]:
    names = (
        "Springfield Pantry",
        "Market Street Clinic",
        "Dover Legal Aid",
        "Philadelphia Hotline",
        "No Address Desk",
    )
    text = browser.get(url, query_string=params).get_data(as_text=True)
    return {name for name in names if name in text}


def test_search_by_zip_code(db, login, coach):
    _addressed_entries()
    browser = login(coach)
    assert _listed(browser, "/resources/", q="62701") == {"Springfield Pantry"}
    # A ZIP+4 address is found by its ZIP; a ZIP+4 search by its 5-digit ZIP.
    assert _listed(browser, "/resources/", q="19106") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", q="19106-1234") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", q="19106-9999") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", q="19901") == {"Dover Legal Aid", "Philadelphia Hotline"}
    assert _listed(browser, "/resources/", q="19107") == set()
    assert _listed(browser, "/resources/", q="pantry 62701") == {"Springfield Pantry"}
    assert _listed(browser, "/resources/", q="legal 62701") == set()
    page = browser.get("/resources/", query_string={"q": "19106"}).get_data(as_text=True)
    assert "400 Market Street, Philadelphia, PA 19106-1234" in page  # why it matched


def test_search_by_street_and_city_words(db, login, coach):
    _addressed_entries()
    browser = login(coach)
    assert _listed(browser, "/resources/", q="market street") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", q="main st springfield") == {"Springfield Pantry"}
    assert _listed(browser, "/resources/", q="Springfield, IL") == {"Springfield Pantry"}
    assert _listed(browser, "/resources/", q="SPRINGFIELD") == {"Springfield Pantry"}
    # Every word must match somewhere: a name word and an address word together.
    assert _listed(browser, "/resources/", q="hotline dover") == {"Philadelphia Hotline"}
    assert _listed(browser, "/resources/", q="pantry dover") == set()


def test_near_a_city_or_a_zip_code(db, login, coach):
    _addressed_entries()
    browser = login(coach)
    # The address only: "Philadelphia Hotline" is in Dover.
    assert _listed(browser, "/resources/", near="philadelphia") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", near="PHILADELPHIA") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", near="Philadelphia, ") == {"Market Street Clinic"}
    assert _listed(browser, "/resources/", near="dover") == {
        "Dover Legal Aid",
        "Philadelphia Hotline",
    }
    assert _listed(browser, "/resources/", near="19901") == {
        "Dover Legal Aid",
        "Philadelphia Hotline",
    }
    assert _listed(browser, "/resources/", near="62701") == {"Springfield Pantry"}
    assert _listed(browser, "/resources/", near="dover", q="hotline") == {"Philadelphia Hotline"}
    assert _listed(browser, "/resources/", near="dover", category="legal") == {"Dover Legal Aid"}
    assert _listed(browser, "/resources/", near="Shelbyville") == set()
    page = browser.get("/resources/", query_string={"near": "dover"}).get_data(as_text=True)
    assert 'value="dover"' in page  # the filter stays in its box


def test_search_ignores_accents_both_ways(db, login, coach):
    """ "Nunez" finds "Núñez" and "Núñez" finds "Nunez", in every searched column and in the
    "near" box, on SQLite and PostgreSQL alike."""
    org = Organization(name="Fundación Esperanza")
    db.session.add(org)
    db.session.commit()
    factories.resource(name="Clínica Núñez", category="healthcare")
    factories.resource(name="Plain Nunez Desk", category="legal")
    factories.resource(name="Peer Café", category="recovery_support", organization_id=org.id)
    factories.resource(
        name="São Paulo Office", category="benefits", address="1 Rua Łódź, Santa Bárbara, CA"
    )
    factories.resource(name="Elsewhere", category="food", description="Crème brûlée nights")
    browser = login(coach)

    def found(**params) -> set[str]:
        text = browser.get("/resources/", query_string=params).get_data(as_text=True)
        names = ("Clínica Núñez", "Plain Nunez Desk", "Peer Café", "São Paulo Office")
        return {n for n in names if n in text} | ({"Elsewhere"} if "Elsewhere" in text else set())

    assert found(q="nunez") == {"Clínica Núñez", "Plain Nunez Desk"}
    assert found(q="NÚÑEZ") == {"Clínica Núñez", "Plain Nunez Desk"}
    assert found(q="clinica") == {"Clínica Núñez"}
    assert found(q="fundacion") == {"Peer Café"}  # the organization's name
    assert found(q="cafe") == {"Peer Café"}
    assert found(q="lodz") == {"São Paulo Office"}  # the address; ł has no decomposition
    assert found(q="creme brulee") == {"Elsewhere"}  # the description
    assert found(near="santa barbara") == {"São Paulo Office"}
    assert found(q="nuñez%") == set()  # LIKE wildcards are still text


def test_zip_code_reading():
    from coachapp.resources.queries import search_terms, zip_code

    assert zip_code("62701") == "62701"
    assert zip_code(" 62701-1234 ") == "62701"
    for text in ("6270", "627011", "62701-12", "62701 1234", "٦٢٧٠١", "abcde", ""):
        assert zip_code(text) is None, text
    assert search_terms('"Springfield,"  IL  (62701).') == ["Springfield", "IL", "62701"]
    assert len(search_terms("w " * 500)) == 10


def test_referral_list_is_narrowed_by_address_and_zip(db, login, coach):
    _addressed_entries()
    client = factories.client(coach)
    browser = login(coach)
    url = f"/clients/{client.id}/referrals/new"
    assert _listed(browser, url, q="62701") == {"Springfield Pantry"}
    assert _listed(browser, url, q="market street") == {"Market Street Clinic"}
    assert _listed(browser, url, q="dover", category="legal") == {"Dover Legal Aid"}


@pytest.mark.parametrize("field", ["q", "near"])
@pytest.mark.parametrize("value", ["%", "_", "\\", "%%62701", "6270_"])
def test_like_wildcards_are_matched_as_text(db, login, coach, field, value):
    _addressed_entries()
    browser = login(coach)
    assert _listed(browser, "/resources/", **{field: value}) == set()
    assert (
        _listed(browser, f"/clients/{factories.client(coach).id}/referrals/new", q=value) == set()
    )


def test_meeting_filters_by_model_and_format(db, login, coach):
    factories.resource(
        name="Step Group",
        category="recovery_support",
        meeting_model="aa",
        meeting_format="in_person",
    )
    factories.resource(
        name="Secular Online",
        category="recovery_support",
        meeting_model="smart_recovery",
        meeting_format="virtual",
    )
    factories.resource(name="Plain Clinic", category="healthcare")
    browser = login(coach)

    def page(**params) -> str:
        return browser.get("/resources/", query_string=params).get_data(as_text=True)

    text = page(model="smart_recovery")
    assert "Secular Online" in text and "Step Group" not in text and "Plain Clinic" not in text
    text = page(model="any")
    assert "Secular Online" in text and "Step Group" in text and "Plain Clinic" not in text
    text = page(format="in_person")
    assert "Step Group" in text and "Secular Online" not in text
    assert "SMART Recovery meeting" in page(model="smart_recovery")


def test_inactive_entries_are_hidden_unless_asked(db, login, coach):
    factories.resource(name="Closed Pantry", category="food", active=False)
    factories.resource(name="Open Pantry", category="food")
    browser = login(coach)
    text = browser.get("/resources/").get_data(as_text=True)
    assert "Open Pantry" in text and "Closed Pantry" not in text
    text = browser.get("/resources/?show=inactive").get_data(as_text=True)
    assert "Closed Pantry" in text and "Open Pantry" not in text


def test_pagination(db, login, coach):
    for n in range(30):
        factories.resource(name=f"Entry {n:02d}")
    browser = login(coach)
    first = browser.get("/resources/").get_data(as_text=True)
    second = browser.get("/resources/?page=2").get_data(as_text=True)
    assert "Entry 00" in first and "Entry 29" not in first
    assert "Entry 29" in second and "Entry 00" not in second
    assert "Page 1 of 2" in first
    assert browser.get("/resources/?page=99").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "%"},
        {"q": "_"},
        {"q": "\\"},
        {"q": "' OR 1=1 --"},
        {"q": "a" * 500},
        {"q": "62701 " * 200},
        {"near": "%_\\" * 100},
        {"near": "x" * 5000, "q": "١٢٣٤٥"},
        {"category": "nope", "model": "x", "format": "y", "show": "z", "page": "-3"},
        {"page": "99999999999999999999"},
    ],
)
def test_hostile_search_parameters(db, login, coach, params):
    factories.resource(name="Something")
    response = login(coach).get("/resources/", query_string=params)
    assert response.status_code == 200


def test_directory_page_query_count_does_not_grow(db, login, coach):
    org = Organization(name="Org")
    db.session.add(org)
    db.session.commit()
    browser = login(coach)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/resources/").status_code == 200
        return counter.n

    for n in range(3):
        factories.resource(name=f"A{n}", organization_id=org.id)
    few = queries()
    for n in range(22):
        other = Organization(name=f"Org {n}")
        db.session.add(other)
        db.session.flush()
        factories.resource(name=f"B{n}", organization_id=other.id)
    assert queries() == few


def test_detail_shows_last_verified_and_meeting(db, login, coach):
    res = factories.resource(
        name="Thursday Night Group",
        category="recovery_support",
        meeting_model="na",
        meeting_format="hybrid",
        meeting_open=False,
        meeting_day=4,
        meeting_time=time(19, 0),
        conference_url="https://video.example/x",
        last_verified_on=date(2026, 2, 3),
    )
    text = login(coach).get(f"/resources/{res.id}").get_data(as_text=True)
    assert "2026-02-03" in text and "Hybrid" in text and "Closed" in text
    assert "https://video.example/x" in text
    assert "style=" not in text and "<script>" not in text


def test_entries_of_another_program_are_hidden(db, login, coach, admin):
    elsewhere = factories.program()
    theirs = factories.resource(name="Their Local Office", program_id=elsewhere.id)
    shared = factories.resource(name="Shared Hotline")
    own = factories.resource(name="Our Local Office", program_id=coach.program_id)
    browser = login(coach)
    text = browser.get("/resources/").get_data(as_text=True)
    assert "Shared Hotline" in text and "Our Local Office" in text
    assert "Their Local Office" not in text
    assert browser.get(f"/resources/{theirs.id}").status_code == 404
    assert browser.get(f"/resources/{shared.id}").status_code == 200
    assert browser.get(f"/resources/{own.id}").status_code == 200
    assert login(admin).get(f"/resources/{theirs.id}").status_code == 200
    assert browser.get("/resources/999999").status_code == 404


# --- Create and edit ---------------------------------------------------------------------------


def test_coach_cannot_write_the_directory(db, login, coach):
    res = factories.resource()
    browser = login(coach)
    assert browser.get("/resources/new").status_code == 403
    assert browser.post("/resources/new", data=resource_data()).status_code == 403
    assert browser.get(f"/resources/{res.id}/edit").status_code == 403
    assert browser.post(f"/resources/{res.id}/edit", data=resource_data()).status_code == 403
    assert count(db, Resource) == 1 and "Add a resource" not in browser.get("/resources/").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", WRITERS)
def test_writers_add_a_resource_with_audit(request, db, login, role):
    user = request.getfixturevalue(role)
    browser = login(user)
    assert browser.get("/resources/new").status_code == 200
    response = browser.post("/resources/new", data=resource_data(new_organization="Harbor Inc."))
    assert response.status_code == 302, response.get_data(as_text=True)
    res = db.session.scalar(select(Resource))
    assert (res.name, res.category, res.active) == (
        "Harbor Recovery Café",
        "recovery_support",
        True,
    )
    assert res.organization.name == "Harbor Inc."
    assert res.last_verified_on == date(2026, 1, 20)
    assert res.program_id == (None if role == "admin" else user.program_id)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "resource", AuditEvent.action == "create"
        )
    )
    assert event.user_id == user.id and event.entity_id == res.id
    assert "name" in event.fields.split(",") and "Harbor" not in event.fields
    assert event.detail is None


def test_add_a_meeting_writes_its_schedule(db, login, supervisor):
    response = login(supervisor).post(
        "/resources/new",
        data=resource_data(
            meeting_model="lifering",
            meeting_format="virtual",
            meeting_open="open",
            meeting_day="2",
            meeting_time="18:00",
            meeting_end_time="19:00",
            conference_url="https://video.example/lr",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    res = db.session.scalar(select(Resource))
    assert (res.meeting_model, res.meeting_format, res.meeting_open) == (
        "lifering",
        "virtual",
        True,
    )
    assert (res.meeting_day, res.meeting_time, res.meeting_end_time) == (
        2,
        time(18, 0),
        time(19, 0),
    )
    assert res.meeting_schedule == "Tuesdays 18:00–19:00"


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"category": "spaceflight"}, "Not a valid choice."),
        ({"website": "javascript:alert(1)"}, "Give a web address starting with https://"),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"last_verified_on": "2999-01-01"}, "This date is"),
        ({"last_verified_on": "2026-02-30"}, "Not a valid date value."),
        ({"organization_id": "999999"}, "Choose an organization from the list."),
        ({"organization_id": "99999999999999999999"}, "Choose an organization from the list."),
        ({"category": "housing", "meeting_model": "aa"}, "A mutual-aid meeting is a recovery"),
        ({"meeting_day": "3"}, "Choose the meeting&#39;s model"),
        ({"meeting_model": "aa", "meeting_day": "9"}, "Not a valid choice."),
        (
            {"meeting_model": "aa", "meeting_time": "19:00", "meeting_end_time": "18:00"},
            "The meeting must end after it starts.",
        ),
        ({"meeting_model": "aa", "meeting_end_time": "18:00"}, "Give the start time too."),
        ({"meeting_model": "aa", "meeting_time": "25:61"}, "Not a valid time value."),
        ({"meeting_model": "aa", "conference_url": "ftp://x.example"}, "Give a web address"),
    ],
)
def test_bad_resource_input_is_refused_and_nothing_saved(
    db, login, admin, overrides, field_message
):
    response = login(admin).post("/resources/new", data=resource_data(**overrides))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert field_message in text
    assert "Harbor Recovery" in text or overrides.get("name")  # input kept
    assert count(db, Resource) == 0


def test_edit_and_deactivate_with_audit(db, login, program_manager):
    res = factories.resource(
        name="Old Name", category="food", program_id=program_manager.program_id
    )
    browser = login(program_manager)
    page = browser.get(f"/resources/{res.id}/edit").get_data(as_text=True)
    assert "Old Name" in page
    data = resource_data(name="New Name", category="food")
    data.pop("active")  # unticked: deactivate
    response = browser.post(f"/resources/{res.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(res)
    assert (res.name, res.active) == ("New Name", False)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "resource", AuditEvent.action == "update"
        )
    )
    assert {"name", "active"} <= set(event.fields.split(","))
    assert "New Name" not in event.fields
    assert count(db, Resource) == 1  # deactivated, not deleted
    text = browser.get("/resources/").get_data(as_text=True)
    assert "New Name" not in text


def test_edit_a_meeting_keeps_its_fields_on_the_form(db, login, supervisor):
    res = factories.resource(
        name="Sunday Group",
        category="recovery_support",
        meeting_model="aa",
        meeting_day=0,
        meeting_open=True,
        organization_id=None,
    )
    page = login(supervisor).get(f"/resources/{res.id}/edit").get_data(as_text=True)
    assert '<option selected value="0">Sunday</option>' in page
    assert '<option selected value="open">' in page
    assert '<option selected value="aa">' in page


def test_cannot_edit_another_programs_entry(db, login, supervisor):
    elsewhere = factories.program()
    theirs = factories.resource(program_id=elsewhere.id)
    browser = login(supervisor)
    assert browser.get(f"/resources/{theirs.id}/edit").status_code == 404
    assert browser.post(f"/resources/{theirs.id}/edit", data=resource_data()).status_code == 404


def test_last_verified_cannot_be_in_the_programs_future(db, login, supervisor):
    tomorrow = access.today() + timedelta(days=2)
    response = login(supervisor).post(
        "/resources/new", data=resource_data(last_verified_on=tomorrow.isoformat())
    )
    assert response.status_code == 422 and "This date is in the future." in response.get_data(
        as_text=True
    )
