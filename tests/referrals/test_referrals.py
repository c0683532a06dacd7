"""Referrals: refer from the client's page, statuses with dates and history, notes, archive,
the follow-ups list, the client-page panel; the access rule on every route."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.models import AuditEvent, Referral, ReferralStatusChange
from coachapp.referrals.queries import client_panel
from tests import factories
from tests.helpers import QueryCounter, count, referral_data

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


def today(program) -> date:
    return timeutil.local_today(program)


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


@pytest.fixture
def housing():
    return factories.resource(name="Riverbend Housing", category="housing")


# --- Access ------------------------------------------------------------------------------------


def _urls(client, referral) -> list[str]:
    return [
        f"/clients/{client.id}/referrals/new",
        f"/referrals/{referral.id}/status",
        f"/referrals/{referral.id}/edit",
    ]


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_open_every_page(request, db, login, client_, role):
    referral = factories.referral(client_)
    browser = login(request.getfixturevalue(role))
    for url in _urls(client_, referral):
        assert browser.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, client_, housing, role):
    referral = factories.referral(client_)
    browser = login(request.getfixturevalue(role))
    for url in _urls(client_, referral):
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/clients/{client_.id}/referrals/new": referral_data(housing),
        f"/referrals/{referral.id}/status": {"status": "connected", "changed_on": "2026-03-05"},
        f"/referrals/{referral.id}/edit": {"notes": "x"},
        f"/referrals/{referral.id}/archive": {"reason": "x"},
    }
    for url, data in posts.items():
        assert browser.post(url, data=data).status_code == 404, url
    db.session.refresh(referral)
    assert referral.status == "referred" and referral.archived_at is None
    assert count(db, Referral) == 1


def test_anonymous_is_sent_to_sign_in(anon, db, client_):
    referral = factories.referral(client_)
    for url in [*_urls(client_, referral), "/referrals/follow-ups"]:
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location


# --- Refer -------------------------------------------------------------------------------------


def test_refer_a_client(db, login, coach, client_, housing):
    factories.resource(name="Food Bank", category="food")
    factories.resource(name="Gone Shelter", category="housing", active=False)
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}/referrals/new").get_data(as_text=True)
    assert '<optgroup label="Housing">' in page and "Food Bank" in page
    assert "Gone Shelter" not in page
    assert f'value="{today(client_.program).isoformat()}"' in page  # referred on: today
    narrowed = browser.get(f"/clients/{client_.id}/referrals/new?category=food")
    assert "Riverbend Housing" not in narrowed.get_data(as_text=True)

    response = browser.post(f"/clients/{client_.id}/referrals/new", data=referral_data(housing))
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert (referral.client_id, referral.resource_id, referral.coach_id) == (
        client_.id,
        housing.id,
        client_.coach_id,
    )
    assert (referral.category, referral.status, referral.referred_on) == (
        "housing",
        "referred",
        date(2026, 3, 2),
    )
    history = db.session.scalars(select(ReferralStatusChange)).all()
    assert [(h.status, h.changed_on, h.recorded_by_id) for h in history] == [
        ("referred", date(2026, 3, 2), coach.id)
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "referral"))
    assert (event.action, event.client_id, event.entity_id) == ("create", client_.id, referral.id)
    assert set(event.fields.split(",")) == {
        "resource_id",
        "category",
        "referred_on",
        "status",
        "notes",
    }
    assert "Tuesday" not in (event.fields + (event.detail or ""))


def test_category_is_copied_and_kept(db, login, coach, client_, housing):
    login(coach).post(f"/clients/{client_.id}/referrals/new", data=referral_data(housing))
    housing.category = "benefits"
    db.session.commit()
    assert db.session.scalar(select(Referral.category)) == "housing"


def test_refer_directly_as_connected(db, login, coach, client_, housing):
    response = login(coach).post(
        f"/clients/{client_.id}/referrals/new",
        data=referral_data(housing, status="connected", connected_on="2026-03-04"),
    )
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert (referral.status, referral.connected_on) == ("connected", date(2026, 3, 4))
    history = [(h.status, h.changed_on) for h in referral.history]
    assert history == [("referred", date(2026, 3, 2)), ("connected", date(2026, 3, 4))]


def _future(client) -> str:
    return (today(client.program) + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "connected"}, "Give the date the client was connected."),
        ({"status": "declined"}, "Give the date the referral was closed."),
        ({"connected_on": "2026-03-04"}, "Only a connected referral has this date."),
        ({"status": "connected", "connected_on": "2026-03-01"}, "cannot be before the referral"),
        ({"status": "not_connected", "closed_on": "2026-02-01"}, "cannot be before the referral"),
        ({"referred_on": "FUTURE"}, "This date is in the future."),
        ({"status": "connected", "connected_on": "FUTURE"}, "This date is in the future."),
        ({"referred_on": ""}, "This field is required."),
        ({"referred_on": "2026-02-30"}, "Not a valid date value."),
        ({"referred_on": "1899-12-31"}, "This date is too far in the past."),
        ({"resource_id": "999999"}, "Choose an active resource from the list."),
        ({"resource_id": "99999999999999999999"}, "Choose an active resource from the list."),
        ({"resource_id": "' OR 1=1 --"}, "Choose an active resource from the list."),
        ({"resource_id": ""}, "Choose an active resource from the list."),
        ({"status": "<script>alert(1)</script>"}, "Not a valid choice."),
        ({"notes": "x" * 10_001}, "Field cannot be longer than 10000 characters."),
    ],
)
def test_bad_referral_input_is_refused_and_nothing_saved(
    db, login, coach, client_, housing, overrides, message
):
    overrides = {k: (_future(client_) if v == "FUTURE" else v) for k, v in overrides.items()}
    response = login(coach).post(
        f"/clients/{client_.id}/referrals/new", data=referral_data(housing, **overrides)
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    if "notes" not in overrides:
        assert "Call Tuesday morning." in text  # the rest of the input kept
    assert count(db, Referral) == 0 and count(db, ReferralStatusChange) == 0
    assert count(db, AuditEvent) == 0


def test_cannot_refer_to_inactive_or_other_programs_resources(db, login, coach, client_):
    inactive = factories.resource(active=False)
    elsewhere = factories.resource(program_id=factories.program().id)
    browser = login(coach)
    for res in (inactive, elsewhere):
        response = browser.post(f"/clients/{client_.id}/referrals/new", data=referral_data(res))
        assert response.status_code == 422
    assert count(db, Referral) == 0


def test_unicode_notes_round_trip(db, login, coach, client_, housing):
    notes = "José Ñúñez · 李小龙 · O'Brien 🌻 <b>not bold</b>"
    login(coach).post(
        f"/clients/{client_.id}/referrals/new", data=referral_data(housing, notes=notes)
    )
    assert db.session.scalar(select(Referral.notes)) == notes
    page = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page


# --- Status changes ----------------------------------------------------------------------------


def post_status(browser, referral, status, on, version=None):
    return browser.post(
        f"/referrals/{referral.id}/status",
        data={
            "status": status,
            "changed_on": on,
            "version": referral.version if version is None else version,
        },
    )


def test_status_history_with_dates(db, login, coach, supervisor, client_):
    referral = factories.referral(client_, referred_on=date(2026, 3, 2))
    browser = login(coach)
    page = browser.get(f"/referrals/{referral.id}/status").get_data(as_text=True)
    assert f'value="{today(client_.program).isoformat()}"' in page

    assert post_status(browser, referral, "connected", "2026-03-10").status_code == 302
    db.session.refresh(referral)
    assert (referral.status, referral.connected_on, referral.closed_on) == (
        "connected",
        date(2026, 3, 10),
        None,
    )

    assert (
        post_status(login(supervisor), referral, "not_connected", "2026-03-12").status_code == 302
    )
    db.session.refresh(referral)
    assert (referral.status, referral.connected_on, referral.closed_on) == (
        "not_connected",
        None,
        date(2026, 3, 12),
    )

    assert post_status(browser, referral, "referred", "2026-03-13").status_code == 302
    db.session.refresh(referral)
    assert (referral.status, referral.connected_on, referral.closed_on) == ("referred", None, None)

    history = db.session.scalars(
        select(ReferralStatusChange)
        .where(ReferralStatusChange.referral_id == referral.id)
        .order_by(ReferralStatusChange.id)
    ).all()
    assert [(h.status, h.changed_on) for h in history] == [
        ("referred", date(2026, 3, 2)),
        ("connected", date(2026, 3, 10)),
        ("not_connected", date(2026, 3, 12)),
        ("referred", date(2026, 3, 13)),
    ]
    assert [h.recorded_by_id for h in history[1:]] == [coach.id, supervisor.id, coach.id]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id)
    ).all()
    assert [e.fields for e in events] == [
        "connected_on,status",
        "closed_on,connected_on,status",
        "closed_on,status",
    ]
    text = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Connected 2026-03-10" in text and "Not connected 2026-03-12" in text


@pytest.mark.parametrize(
    ("status", "on", "message"),
    [
        ("connected", "FUTURE", "This date is in the future."),
        ("declined", "2026-03-01", "cannot be before the referral was made (2026-03-02)"),
        ("referred", "2026-03-05", "The referral is referred already."),
        ("connected", "", "This field is required."),
        ("connected", "2026-13-01", "Not a valid date value."),
        ("", "2026-03-05", "Choose a status."),
        ("maybe", "2026-03-05", "Not a valid choice."),
    ],
)
def test_bad_status_change_is_refused(db, login, coach, client_, status, on, message):
    referral = factories.referral(client_, referred_on=date(2026, 3, 2))
    on = _future(client_) if on == "FUTURE" else on
    response = post_status(login(coach), referral, status, on)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.refresh(referral)
    assert referral.status == "referred" and referral.version == 1
    assert count(db, ReferralStatusChange) == 1


def test_stale_status_change_is_refused(db, login, coach, supervisor, client_):
    referral = factories.referral(client_, referred_on=date(2026, 3, 2))
    seen = referral.version
    assert post_status(login(supervisor), referral, "declined", "2026-03-03").status_code == 302
    response = post_status(login(coach), referral, "connected", "2026-03-04", version=seen)
    assert response.status_code == 422
    assert "Someone else changed this record" in response.get_data(as_text=True)
    db.session.refresh(referral)
    assert (referral.status, referral.closed_on) == ("declined", date(2026, 3, 3))
    assert count(db, ReferralStatusChange) == 2
    response = post_status(login(coach), referral, "connected", "2026-03-04", version="junk")
    assert response.status_code == 422


# --- Notes and archive -------------------------------------------------------------------------


def test_edit_notes_with_locking(db, login, coach, supervisor, client_):
    referral = factories.referral(client_, notes="first")
    seen = referral.version
    browser = login(coach)
    assert "first" in browser.get(f"/referrals/{referral.id}/edit").get_data(as_text=True)
    response = browser.post(
        f"/referrals/{referral.id}/edit", data={"notes": "second", "version": seen}
    )
    assert response.status_code == 302
    response = login(supervisor).post(
        f"/referrals/{referral.id}/edit", data={"notes": "third", "version": seen}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Someone else changed this record" in text and "third" in text  # input kept
    db.session.refresh(referral)
    assert referral.notes == "second"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.fields == "notes" and "second" not in (event.detail or "")


def test_archive_needs_a_reason_then_hides_the_referral(db, login, coach, client_):
    referral = factories.referral(client_)
    browser = login(coach)
    response = browser.post(f"/referrals/{referral.id}/archive", data={"reason": "  "})
    assert response.status_code == 422 and "Give a reason." in response.get_data(as_text=True)
    response = browser.post(f"/referrals/{referral.id}/archive", data={"reason": "wrong client"})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.archived_by_id == coach.id and referral.archive_reason == "wrong client"
    assert browser.get(f"/referrals/{referral.id}/status").status_code == 404
    assert count(db, Referral) == 1  # archived, never deleted
    assert "No referrals yet." in browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive"))
    assert event.entity_type == "referral" and event.client_id == client_.id


# --- Follow-ups --------------------------------------------------------------------------------


def test_follow_ups_list(db, login, coach, supervisor, other_coach, client_):
    now = today(client_.program)
    old = factories.referral(client_, referred_on=now - timedelta(days=40))
    older = factories.referral(client_, referred_on=now - timedelta(days=60))
    factories.referral(client_, referred_on=now - timedelta(days=14))  # not more than 14 days
    factories.referral(
        client_,
        referred_on=now - timedelta(days=50),
        status="connected",
        connected_on=now - timedelta(days=45),
    )
    archived = factories.referral(client_, referred_on=now - timedelta(days=30))
    archived.archived_at = archived.created_at
    theirs_client = factories.client(other_coach, last_name="Elsewhere")
    theirs = factories.referral(theirs_client, referred_on=now - timedelta(days=30))
    db.session.commit()

    for user in (coach, supervisor):
        text = login(user).get("/referrals/follow-ups").get_data(as_text=True)
        assert "2 referrals" in text
        assert text.index((now - timedelta(days=60)).isoformat()) < text.index(
            (now - timedelta(days=40)).isoformat()
        )
        assert f"/referrals/{older.id}/status" in text and f"/referrals/{old.id}/status" in text
        assert f"/referrals/{theirs.id}/status" not in text and "Elsewhere" not in text
        assert f"/referrals/{archived.id}/status" not in text
    other = login(other_coach).get("/referrals/follow-ups").get_data(as_text=True)
    assert "1 referral" in other and f"/referrals/{theirs.id}/status" in other


@pytest.mark.parametrize("role", ("program_manager", "admin"))
def test_follow_ups_are_for_coaches_and_supervisors(request, db, login, role):
    assert login(request.getfixturevalue(role)).get("/referrals/follow-ups").status_code == 403


def test_follow_ups_query_count_does_not_grow(db, login, coach):
    browser = login(coach)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/referrals/follow-ups").status_code == 200
        return counter.n

    first = factories.client(coach)
    factories.referral(first, referred_on=date(2025, 1, 1))
    one = queries()
    for n in range(20):
        c = factories.client(coach)
        factories.referral(c, referred_on=date(2025, 1, 1) + timedelta(days=n))
    assert queries() == one


# --- The client page panel ---------------------------------------------------------------------


def _panel_queries(db, client, user) -> tuple[int, dict]:
    db.session.expire_all()
    with QueryCounter(db.engine) as counter:
        panel = client_panel(client, user)
        for r in panel["referrals"]:
            _ = (r.resource.name, [h.status for h in r.history])
    return counter.n, panel


def test_panel_query_count_is_constant(db, coach, client_):
    factories.referral(client_)
    one, panel = _panel_queries(db, client_, coach)
    assert len(panel["referrals"]) == 1
    for n in range(19):
        factories.referral(
            client_,
            factories.resource(name=f"R{n}"),
            referred_on=date(2026, 1, 1) + timedelta(n),
            status="connected",
            connected_on=date(2026, 2, 1),
        )
    twenty, panel = _panel_queries(db, client_, coach)
    assert len(panel["referrals"]) == 20
    assert twenty == one


def test_client_page_shows_referrals_with_history_and_refer_button(db, login, coach, client_):
    res = factories.resource(name="Harbor Clinic", category="healthcare")
    factories.referral(
        client_,
        res,
        referred_on=date(2026, 3, 2),
        status="connected",
        connected_on=date(2026, 3, 9),
    )
    text = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Harbor Clinic" in text and "Healthcare" in text
    assert "Referred 2026-03-02" in text and "Connected 2026-03-09" in text
    assert f"/clients/{client_.id}/referrals/new" in text
    assert "style=" not in text and "<script>" not in text


@pytest.mark.parametrize("junk", ["²", "99999999999", "x", "-1"])
def test_a_junk_resource_in_the_link_preselects_nothing(db, login, coach, client_, junk):
    response = login(coach).get(f"/clients/{client_.id}/referrals/new?resource_id={junk}")
    assert response.status_code == 200
