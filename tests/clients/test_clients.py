"""Clients: caseload, intake with the duplicate warning, edit with locking, discharge,
re-enrollment and archive; the access rule on every route."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from coachapp import access
from coachapp.models import AuditEvent, Client, Enrollment
from tests import factories
from tests.helpers import QueryCounter, count, intake_data

# --- Intake -----------------------------------------------------------------------------------


def test_coach_adds_a_client_on_their_own_caseload(db, login, coach):
    browser = login(coach)
    assert browser.get("/clients/new").status_code == 200
    response = browser.post("/clients/new", data=intake_data(coach_id=coach.id))
    assert response.status_code == 302
    client = db.session.scalar(select(Client))
    assert (client.first_name, client.last_name, client.coach_id) == ("José", "Ñúñez", coach.id)
    assert client.code == "C-00001" and client.status == "active"
    assert client.name_key == "jose nunez"
    episodes = db.session.scalars(select(Enrollment)).all()
    assert [(e.client_id, e.intake_date) for e in episodes] == [(client.id, date(2026, 3, 5))]
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create"))
    assert event_row.client_id == client.id
    assert "Prefers" not in (event_row.fields or "") and "notes" in event_row.fields


def test_coach_cannot_open_a_client_on_another_caseload(db, login, coach, other_coach):
    response = login(coach).post("/clients/new", data=intake_data(coach_id=other_coach.id))
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(db, Client) == 0


def test_supervisor_opens_on_their_coaches_only(db, login, supervisor, coach, other_coach):
    browser = login(supervisor)
    assert (
        browser.post("/clients/new", data=intake_data(coach_id=other_coach.id)).status_code == 422
    )
    assert browser.post("/clients/new", data=intake_data(coach_id=coach.id)).status_code == 302
    assert db.session.scalar(select(Client.coach_id)) == coach.id


@pytest.mark.parametrize("role", ["program_manager", "admin"])
def test_other_roles_cannot_add_clients(request, login, role):
    assert login(request.getfixturevalue(role)).get("/clients/new").status_code == 403


def test_duplicate_warning_ignores_accents_and_case_and_shows_once(db, login, coach):
    existing = factories.client(
        coach, first_name="Jose", last_name="Nunez", date_of_birth=date(1988, 7, 14)
    )
    browser = login(coach)
    data = intake_data(first_name="JOSÉ", last_name="ñúñez", coach_id=coach.id)
    warned = browser.post("/clients/new", data=data)
    assert warned.status_code == 422
    page = warned.get_data(as_text=True)
    assert "same name and date of birth" in page and existing.code in page
    assert 'value="ñúñez"' in page  # the input is kept
    assert count(db, Client) == 1

    confirmed = browser.post("/clients/new", data=data | {"confirm_duplicate": "y"})
    assert confirmed.status_code == 302
    assert count(db, Client) == 2


def test_duplicate_on_another_caseload_is_not_revealed(db, login, coach, other_coach):
    theirs = factories.client(
        other_coach, first_name="José", last_name="Ñúñez", date_of_birth=date(1988, 7, 14)
    )
    page = login(coach).post("/clients/new", data=intake_data(coach_id=coach.id))
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "cannot open" in text
    assert theirs.code not in text and other_coach.name not in text


def test_different_birth_date_is_not_a_duplicate(db, login, coach):
    factories.client(coach, first_name="José", last_name="Ñúñez", date_of_birth=date(1990, 1, 1))
    response = login(coach).post("/clients/new", data=intake_data(coach_id=coach.id))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "   ", "This field is required."),
        ("last_name", "x" * 101, "Field cannot be longer than 100 characters."),
        ("date_of_birth", "1988-02-30", "Not a valid date value."),
        ("date_of_birth", "1899-12-31", "This date is too far in the past."),
        ("date_of_birth", "2999-01-01", "This date is too far in the future."),
        ("intake_date", "", "This field is required."),
        ("email", "not-an-email", "Invalid email address."),
        ("coach_id", "abc", "Invalid Choice: could not coerce."),
    ],
)
def test_intake_refuses_bad_input_beside_the_field(db, login, coach, field, value, message):
    data = intake_data(coach_id=coach.id) | {field: value}
    response = login(coach).post("/clients/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="555-0142"' in page  # the rest of the input is kept
    assert count(db, Client) == 0


@pytest.mark.parametrize("name", ["李小龙", "O'Brien", "Zoë Brontë", "Ana 🌻"])
def test_unicode_names_round_trip(db, login, coach, name):
    browser = login(coach)
    response = browser.post(
        "/clients/new", data=intake_data(first_name=name, last_name=name, coach_id=coach.id)
    )
    assert response.status_code == 302
    client = db.session.scalar(select(Client))
    assert client.first_name == name
    page = browser.get(f"/clients/{client.id}").get_data(as_text=True)
    assert name.replace("'", "&#39;") in page


# --- Access on every client route --------------------------------------------------------------

CLIENT_URLS = [
    "/clients/{id}",
    "/clients/{id}/edit",
    "/clients/{id}/discharge",
    "/clients/{id}/reenroll",
]


@pytest.mark.parametrize("url", CLIENT_URLS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("coach", 200),
        ("supervisor", 200),
        ("other_coach", 404),
        ("other_supervisor", 404),
        ("program_manager", 404),
        ("admin", 404),
    ],
)
def test_client_routes_follow_the_access_rule(request, login, coach, url, role, expected):
    client = factories.client(coach)
    user = request.getfixturevalue(role)
    assert login(user).get(url.format(id=client.id)).status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        "/clients/{id}/edit",
        "/clients/{id}/discharge",
        "/clients/{id}/reenroll",
        "/clients/{id}/archive",
    ],
)
def test_posts_outside_the_rule_are_404_and_change_nothing(db, login, coach, other_coach, url):
    client = factories.client(coach)
    response = login(other_coach).post(url.format(id=client.id), data={"reason": "x"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Client, client.id).version == 1


# --- Edit with optimistic locking --------------------------------------------------------------


def edit_data(client, **overrides):
    data = {
        "version": client.version,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "status": client.status,
        "phone": "555-0199",
    }
    data.update(overrides)
    return data


def test_edit_saves_and_audits_field_names(db, login, coach):
    client = factories.client(coach)
    response = login(coach).post(f"/clients/{client.id}/edit", data=edit_data(client))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, client.id).phone == "555-0199"
    audit_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert audit_row.fields == "phone"


def test_stale_edit_is_refused_and_nothing_overwritten(db, login, coach, supervisor):
    client = factories.client(coach)
    stale = edit_data(client, phone="555-0000")
    # The supervisor saves first.
    assert (
        login(supervisor)
        .post(f"/clients/{client.id}/edit", data=edit_data(client, phone="555-1111"))
        .status_code
        == 302
    )
    response = login(coach).post(f"/clients/{client.id}/edit", data=stale)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page and 'value="555-0000"' in page
    db.session.expire_all()
    assert db.session.get(Client, client.id).phone == "555-1111"


def test_tampered_version_is_refused(db, login, coach):
    client = factories.client(coach)
    response = login(coach).post(
        f"/clients/{client.id}/edit", data=edit_data(client, version="abc")
    )
    assert response.status_code == 422


# --- Discharge and re-enrollment ---------------------------------------------------------------


def test_discharge_then_reenroll_as_a_new_episode(db, login, coach):
    client = factories.client(coach, intake_date=date(2026, 1, 5))
    factories.session(client, on=date(2026, 1, 20))
    browser = login(coach)
    response = browser.post(
        f"/clients/{client.id}/discharge",
        data={"version": 1, "discharge_date": "2026-02-15", "discharge_reason": "disengaged"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    client = db.session.get(Client, client.id)
    assert client.status == "discharged"

    early = browser.post(
        f"/clients/{client.id}/reenroll",
        data={"version": client.version, "intake_date": "2026-02-01"},
    )
    assert early.status_code == 422 and "before the last discharge" in early.get_data(as_text=True)

    response = browser.post(
        f"/clients/{client.id}/reenroll",
        data={"version": client.version, "intake_date": "2026-03-20"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    episodes = db.session.execute(
        select(
            Enrollment.intake_date, Enrollment.discharge_date, Enrollment.discharge_reason
        ).order_by(Enrollment.intake_date)
    ).all()
    assert episodes == [
        (date(2026, 1, 5), date(2026, 2, 15), "disengaged"),
        (date(2026, 3, 20), None, None),
    ]
    assert db.session.get(Client, client.id).status == "active"
    page = browser.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Episode 2" in page and "intake 2026-03-20" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"discharge_date": "2026-01-01", "discharge_reason": "moved"}, "before the intake date"),
        ({"discharge_date": "2026-03-01", "discharge_reason": "vanished"}, "Not a valid choice"),
        ({"discharge_date": "2026-03-01", "discharge_reason": ""}, "This field is required."),
        ({"discharge_date": "2999-03-01", "discharge_reason": "moved"}, "too far in the future"),
    ],
)
def test_discharge_refuses_bad_input(db, login, coach, data, message):
    client = factories.client(coach, intake_date=date(2026, 1, 5))
    response = login(coach).post(f"/clients/{client.id}/discharge", data={"version": 1} | data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Client, client.id).status == "active"


def test_cannot_reenroll_an_enrolled_client(db, login, coach):
    client = factories.client(coach)
    response = login(coach).post(
        f"/clients/{client.id}/reenroll", data={"version": 1, "intake_date": "2026-03-01"}
    )
    assert response.status_code == 422 and "enrolled already" in response.get_data(as_text=True)


# --- Archive -----------------------------------------------------------------------------------


def test_archive_needs_a_reason_and_hides_the_client(db, login, coach):
    client = factories.client(coach)
    browser = login(coach)
    browser.post(f"/clients/{client.id}/archive", data={"reason": "  "})
    db.session.expire_all()
    assert db.session.get(Client, client.id).archived_at is None
    assert (
        browser.post(f"/clients/{client.id}/archive", data={"reason": "entered twice"}).status_code
        == 302
    )
    db.session.expire_all()
    archived = db.session.get(Client, client.id)
    assert archived.archived_by_id == coach.id and archived.archive_reason == "entered twice"
    assert browser.get(f"/clients/{client.id}").status_code == 404
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "archive"))


# --- Caseload ----------------------------------------------------------------------------------


def caseload_queries(db, browser, url="/clients/?status=active") -> int:
    with QueryCounter(db.engine) as counter:
        assert browser.get(url).status_code == 200
    return counter.n


def _busy_client(coach, n):
    client = factories.client(coach, last_name=f"Client{n:03d}")
    factories.session(client, on=date(2026, 3, 1))
    factories.appointment(client, at=datetime(2030, 1, 1, 9, 0))
    factories.referral(client, referred_on=date(2026, 1, 1))
    factories.assessment(client)
    return client


def test_caseload_query_count_does_not_grow(db, login, coach):
    browser = login(coach)
    for n in range(5):
        _busy_client(coach, n)
    at_five = caseload_queries(db, browser)
    for n in range(5, 50):
        _busy_client(coach, n)
    at_fifty = caseload_queries(db, browser)
    assert at_five == at_fifty
    assert at_fifty <= 8


def test_caseload_shows_contact_appointment_referrals_and_alerts(db, login, coach):
    client = factories.client(coach, intake_date=date(2025, 1, 1))
    factories.session(client, on=date(2025, 6, 1))
    factories.session(client, on=date(2025, 7, 1), outcome="attempted")
    factories.appointment(client, at=datetime(2030, 5, 4, 9, 30))
    factories.referral(client, referred_on=date(2025, 6, 1))
    factories.appointment(client, at=datetime(2025, 6, 1, 9, 30))  # past, no outcome
    page = login(coach).get("/clients/").get_data(as_text=True)
    assert "last contact 2025-06-01" in page  # the attempted one does not count
    assert "next appointment 2030-05-04 09:30" in page
    assert "1 open referral" in page
    for label in (
        "No completed contact in 14 days",
        "Appointment outcome not recorded",
        "Referral waiting over 14 days",
        "BARC-10 not done in 90 days",
    ):
        assert label in page


def test_a_new_client_is_not_quiet(db, login, coach):
    today = access.today()
    factories.client(coach, intake_date=today - timedelta(days=3))
    page = login(coach).get("/clients/").get_data(as_text=True)
    assert "No completed contact in 14 days" not in page


def test_sort_by_longest_without_contact(db, login, coach):
    recent = factories.client(coach, last_name="Recent")
    factories.session(recent, on=date(2026, 3, 1))
    old = factories.client(coach, last_name="Old")
    factories.session(old, on=date(2025, 3, 1))
    never = factories.client(coach, last_name="Never")
    page = login(coach).get("/clients/?sort=quiet").get_data(as_text=True)
    assert page.index(never.code) < page.index(old.code) < page.index(recent.code)


def test_caseload_filters_by_status_and_searches_code(db, login, coach):
    active = factories.client(coach)
    gone = factories.client(coach, status="discharged")
    browser = login(coach)
    page = browser.get("/clients/").get_data(as_text=True)  # active by default
    assert active.code in page and gone.code not in page
    page = browser.get("/clients/?status=discharged").get_data(as_text=True)
    assert gone.code in page and active.code not in page
    page = browser.get(f"/clients/?status=&q={gone.code.lower()}").get_data(as_text=True)
    assert gone.code in page and active.code not in page


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --", "a" * 500])
def test_hostile_search_terms(db, login, coach, q):
    factories.client(coach)
    response = login(coach).get("/clients/", query_string={"q": q, "page": "-3", "sort": "x"})
    assert response.status_code == 200
    assert "No clients match" in response.get_data(as_text=True)


def test_client_page_query_count_does_not_grow(db, login, coach):
    client = factories.client(coach)
    goal = factories.goal(client)
    browser = login(coach)

    def page_queries():
        with QueryCounter(db.engine) as counter:
            assert browser.get(f"/clients/{client.id}").status_code == 200
        return counter.n

    # One of every record first (eager loads only fire when there are rows to load for).
    first = factories.session(client)
    first.goals.append(goal)
    factories.appointment(client)
    factories.referral(client)
    factories.assessment(client)
    db.session.commit()
    one = page_queries()
    for n in range(20):
        s = factories.session(client, on=date(2026, 1, 1) + timedelta(days=n))
        s.goals.append(goal)
        factories.appointment(client, at=datetime(2026, 1, 1, 9) + timedelta(days=n))
        factories.referral(client, referred_on=date(2026, 1, 1) + timedelta(days=n))
        factories.assessment(client, on=date(2026, 1, 1) + timedelta(days=n))
    db.session.commit()
    assert page_queries() == one


# --- The client page on a phone ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "text", "tel", "sms"),
    [
        (True, True, True, True),
        (True, False, True, False),
        (False, True, False, True),
        (False, False, False, False),
    ],
)
def test_phone_number_is_a_call_or_text_link_only_where_allowed(
    db, login, coach, call, text, tel, sms
):
    client = factories.client(
        coach, phone="+1 (217) 555-0188", okay_to_call=call, okay_to_text=text
    )
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert ('href="tel:+12175550188"' in page) is tel
    assert ('href="sms:+12175550188"' in page) is sms
    assert page.count("tel:") == (1 if tel else 0)
    assert page.count("sms:") == (1 if sms else 0)
    assert "+1 (217) 555-0188" in page  # shown either way, as plain text when not a link


def test_client_page_has_the_action_bar_and_section_links(db, login, coach):
    client = factories.client(coach, notes="Prefers mornings. " * 60)
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    bar = page[page.index('aria-label="Client actions"') :]
    bar = bar[: bar.index("</nav>")]
    for path in ("sessions/new", "appointments/new", "referrals/new", "assessments/new"):
        assert f'href="/clients/{client.id}/{path}"' in bar
    for anchor in ("h-about", "h-sessions", "h-goals", "h-appointments", "h-referrals"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    # The whole note is on the page (folded by the "Read more" script, never cut).
    assert "Prefers mornings. " * 59 in page


def test_long_lists_fold_without_dropping_anything(db, login, coach):
    client = factories.client(coach)
    for n in range(6):
        factories.referral(
            client,
            factories.resource(name=f"Shelter {n}"),
            referred_on=date(2026, 3, 1) - timedelta(days=n),
        )
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert all(f"Shelter {n}" in page for n in range(6))
    folded = page[page.index("3 earlier referrals") :]
    assert "Shelter 3" in folded and "Shelter 2" not in folded


def test_caseload_pages_and_searches_with_one_kept_statement(db, login, coach):
    """The caseload's statement is kept per user and day: each request's page, search and
    sort still come from its own parameters."""
    clients = [factories.client(coach, last_name=f"Page{n:02d}") for n in range(53)]
    browser = login(coach)
    first = browser.get("/clients/").get_data(as_text=True)
    second = browser.get("/clients/?page=2").get_data(as_text=True)
    assert clients[0].code in first and clients[52].code not in first
    assert clients[52].code in second and clients[0].code not in second
    found = browser.get("/clients/?q=page07").get_data(as_text=True)
    assert clients[7].code in found and clients[8].code not in found
    other = browser.get("/clients/?q=page08").get_data(as_text=True)
    assert clients[8].code in other and clients[7].code not in other
    past_the_end = browser.get("/clients/?page=9")
    assert past_the_end.status_code == 200
    assert clients[0].code not in past_the_end.get_data(as_text=True)
