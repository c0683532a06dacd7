"""The supervisor's team: dashboard figures, note sign-off, reassignment, cover, access log."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coachapp import access
from coachapp.models import AuditEvent, Client, CoachingSession, CoveringAssignment
from tests import factories
from tests.helpers import QueryCounter


def this_month(day: int) -> date:
    return access.today().replace(day=day)


@pytest.fixture
def team(db, supervisor, coach, program):
    """Two coaches on the supervisor's team with a hand-checkable month."""
    second = factories.user("coach", program=program, supervisor=supervisor, name="Bea Second")
    a = factories.client(coach, last_name="Alpha", intake_date=date(2025, 1, 1))
    b = factories.client(coach, last_name="Bravo", intake_date=date(2025, 1, 1))
    factories.client(coach, last_name="Gone", status="discharged")
    c = factories.client(second, last_name="Charlie", intake_date=date(2025, 1, 1))
    day1 = this_month(1)
    # coach: one completed session today-ish for A (not quiet), B quiet; one attempted.
    factories.session(a, on=access.today(), note="Talked about housing.")
    factories.session(b, on=day1, outcome="attempted", note="No answer.")
    factories.session(a, on=day1 - timedelta(days=40), note="Old one")  # last month
    # appointments this month: A attended, A no-show, B no-show, B pending (not counted)
    factories.appointment(a, at=datetime.combine(day1, datetime.min.time()), outcome="attended")
    factories.appointment(a, at=datetime.combine(day1, datetime.min.time()), outcome="no_show")
    factories.appointment(b, at=datetime.combine(day1, datetime.min.time()), outcome="no_show")
    factories.appointment(b, at=datetime.combine(day1, datetime.min.time()))
    # referrals: one waiting 20 days, one waiting 5 days, one connected long ago
    factories.referral(a, referred_on=access.today() - timedelta(days=20))
    factories.referral(b, referred_on=access.today() - timedelta(days=5))
    factories.referral(
        b, referred_on=date(2025, 3, 1), status="connected", connected_on=date(2025, 3, 5)
    )
    factories.session(c, on=access.today(), note="Second's note")
    return {"second": second, "a": a, "b": b, "c": c}


def test_dashboard_figures_by_hand(login, supervisor, coach, team):
    from coachapp.clients.alerts import AlertContext
    from coachapp.team.queries import dashboard

    assert login(supervisor).get("/team/").status_code == 200
    now = datetime.now()
    rows, _, _ = dashboard(supervisor, AlertContext(today=access.today(), now=now))
    by_name = {row.coach.name: row for row in rows}
    mine = by_name[coach.name]
    assert mine.active == 2  # A and B; the discharged client does not count
    assert mine.quiet == 1  # B: only an attempted session
    assert (mine.sessions_completed, mine.sessions_attempted) == (1, 1)
    assert (mine.attended, mine.no_show, mine.no_show_rate) == (1, 2, 0.6667)
    assert mine.referrals_waiting == 1
    assert mine.notes_to_review == 3  # all three of A and B's notes, old one included
    second = by_name["Bea Second"]
    assert (second.active, second.quiet, second.no_show_rate, second.notes_to_review) == (
        1,
        0,
        None,
        1,
    )


def test_dashboard_query_count_does_not_grow(db, login, supervisor, program, coach):
    browser = login(supervisor)

    def queries():
        with QueryCounter(db.engine) as counter:
            assert browser.get("/team/").status_code == 200
        return counter.n

    factories.client(coach)
    two = queries()
    for _n in range(10):
        extra = factories.user("coach", program=program, supervisor=supervisor)
        client = factories.client(extra)
        factories.session(client, note="x")
        factories.appointment(client, outcome="no_show")
    assert queries() == two


@pytest.mark.parametrize("figure", ["active", "quiet", "sessions", "appointments", "referrals"])
def test_each_number_opens_its_rows(login, supervisor, coach, team, figure):
    page = login(supervisor).get(f"/team/coaches/{coach.id}/{figure}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Charlie" not in text  # another coach's client
    if figure in ("active", "appointments"):
        assert "Alpha" in text and "Bravo" in text
    if figure == "quiet":
        assert "Bravo" in text and "Alpha" not in text
    if figure == "referrals":
        assert "Alpha" in text and "Bravo" not in text


def test_other_supervisor_gets_404_for_a_coach_not_theirs(login, other_supervisor, coach, team):
    browser = login(other_supervisor)
    assert browser.get(f"/team/coaches/{coach.id}/active").status_code == 404
    assert browser.get(f"/team/coaches/{coach.id}/reassign").status_code == 404
    assert browser.get(f"/clients/{team['a'].id}/reassign").status_code == 404
    assert browser.get(f"/clients/{team['a'].id}/access-log").status_code == 404


def test_other_supervisor_changes_nothing_on_another_team(
    db, login, supervisor, other_supervisor, other_coach, coach, team
):
    """Every POST of the team pages about another supervisor's team answers 404 (the cover
    form offers only one's own coaches: 422) and nothing moves."""
    today = access.today()
    cover = CoveringAssignment(
        coach_id=coach.id,
        covering_user_id=team["second"].id,
        client_id=None,
        starts_on=today,
        ends_on=today + timedelta(days=3),
        created_by_id=supervisor.id,
    )
    db.session.add(cover)
    db.session.commit()
    browser = login(other_supervisor)
    for figure in ("active", "quiet", "sessions", "appointments", "referrals"):
        assert browser.get(f"/team/coaches/{coach.id}/{figure}").status_code == 404, figure
    assert (
        browser.post(
            f"/clients/{team['a'].id}/reassign", data={"coach_id": other_coach.id}
        ).status_code
        == 404
    )
    assert (
        browser.post(f"/team/coaches/{coach.id}/reassign", data={"all": other_coach.id}).status_code
        == 404
    )
    assert browser.post(f"/team/cover/{cover.id}/end").status_code == 404
    grab = browser.post(
        "/team/cover",
        data={
            "coach_id": coach.id,
            "covering_user_id": other_coach.id,
            "client_id": 0,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
        },
    )
    assert grab.status_code == 422
    db.session.expire_all()
    assert {c.coach_id for c in db.session.scalars(select(Client))} == {coach.id, team["second"].id}
    assert db.session.get(CoveringAssignment, cover.id).ended_at is None
    assert db.session.scalar(select(func.count(CoveringAssignment.id))) == 1
    assert login(other_coach).get(f"/clients/{team['a'].id}").status_code == 404


@pytest.mark.parametrize("role", ["coach", "program_manager", "admin"])
def test_team_pages_are_for_supervisors(request, login, role):
    browser = login(request.getfixturevalue(role))
    for url in ("/team/", "/team/reviews", "/team/cover"):
        assert browser.get(url).status_code == 403


def test_sign_off_with_comment_reaches_the_coach(db, login, supervisor, coach, team):
    browser = login(supervisor)
    queue = browser.get("/team/reviews").get_data(as_text=True)
    assert "Talked about housing." in queue and "Second&#39;s note" in queue
    note = next(
        s for s in db.session.scalars(select(CoachingSession)) if s.note == "Talked about housing."
    )
    response = browser.post(f"/team/reviews/{note.id}", data={"comment": "Good follow-up."})
    assert response.status_code == 302
    db.session.expire_all()
    note = db.session.get(CoachingSession, note.id)
    assert note.reviewed_by_id == supervisor.id and note.reviewed_at is not None
    assert "Talked about housing." not in browser.get("/team/reviews").get_data(as_text=True)
    home = login(coach).get("/clients/").get_data(as_text=True)
    assert "Review comments to read" in home and "Good follow-up." in home
    event_row = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "session", AuditEvent.action == "update")
    )
    assert "Good follow-up" not in (event_row.fields or "") + (event_row.detail or "")


def test_cannot_sign_off_outside_the_team(db, login, other_supervisor, team):
    note = db.session.scalar(select(CoachingSession).where(CoachingSession.note.is_not(None)))
    assert login(other_supervisor).post(f"/team/reviews/{note.id}", data={}).status_code == 404


def test_reassign_one_client(db, login, supervisor, coach, team):
    second = team["second"]
    browser = login(supervisor)
    response = browser.post(
        f"/clients/{team['a'].id}/reassign",
        data={
            "coach_id": second.id,
            "effective_on": access.today().isoformat(),
            "reason": "Caseload balance",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id == second.id
    assert login(coach).get(f"/clients/{team['a'].id}").status_code == 404
    assert login(second).get(f"/clients/{team['a'].id}").status_code == 200
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "reassigned"))
    assert row.fields == "coach_id" and row.client_id == team["a"].id


def test_coach_cannot_reassign(login, coach, team):
    assert login(coach).get(f"/clients/{team['a'].id}/reassign").status_code == 403


def test_reassign_to_a_coach_outside_the_team_is_refused(db, login, supervisor, other_coach, team):
    response = login(supervisor).post(
        f"/clients/{team['a'].id}/reassign",
        data={
            "coach_id": other_coach.id,
            "effective_on": access.today().isoformat(),
            "reason": "Caseload balance",
        },
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id != other_coach.id


def test_reassign_a_whole_caseload(db, login, supervisor, coach, program, team):
    third = factories.user("coach", program=program, supervisor=supervisor, name="Cy Third")
    second = team["second"]
    browser = login(supervisor)
    page = browser.get(f"/team/coaches/{coach.id}/reassign").get_data(as_text=True)
    assert "Alpha" in page and "Bravo" in page and "Gone" not in page
    response = browser.post(
        f"/team/coaches/{coach.id}/reassign",
        data={"all": second.id, f"client-{team['b'].id}": third.id, "reason": "Coach leaving"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id == second.id
    assert db.session.get(Client, team["b"].id).coach_id == third.id


def test_bulk_reassign_refuses_an_outsider_and_moves_nothing(
    db, login, supervisor, coach, other_coach, team
):
    response = login(supervisor).post(
        f"/team/coaches/{coach.id}/reassign",
        data={
            "all": team["second"].id,
            f"client-{team['b'].id}": other_coach.id,
            "reason": "Coach leaving",
        },
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Client, team["a"].id).coach_id == coach.id


def test_cover_grants_access_and_ends_on_its_end_date(db, login, supervisor, coach, team):
    second = team["second"]
    today = access.today()
    browser = login(supervisor)
    response = browser.post(
        "/team/cover",
        data={
            "coach_id": coach.id,
            "covering_user_id": second.id,
            "client_id": 0,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "reason": "Vacation",
        },
    )
    assert response.status_code == 302
    assert login(second).get(f"/clients/{team['a'].id}").status_code == 200
    # The next day, the same assignment no longer grants anything.
    cover = db.session.scalar(select(CoveringAssignment))
    cover.starts_on = cover.ends_on = today - timedelta(days=1)
    db.session.commit()
    assert login(second).get(f"/clients/{team['a'].id}").status_code == 404


def test_cover_can_be_ended_early(db, login, supervisor, coach, team):
    second = team["second"]
    today = access.today()
    browser = login(supervisor)
    browser.post(
        "/team/cover",
        data={
            "coach_id": coach.id,
            "covering_user_id": second.id,
            "client_id": team["a"].id,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert login(second).get(f"/clients/{team['a'].id}").status_code == 200
    assert login(second).get(f"/clients/{team['b'].id}").status_code == 404  # one client only
    cover = db.session.scalar(select(CoveringAssignment))
    assert browser.post(f"/team/cover/{cover.id}/end").status_code == 302
    assert login(second).get(f"/clients/{team['a'].id}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "2020-01-01"}, "cannot end before it starts"),
        ({"covering_user_id": "self"}, "cannot cover for themself"),
        ({"starts_on": "2026-02-30"}, "Not a valid date value."),
    ],
)
def test_cover_refuses_bad_input(db, login, supervisor, coach, team, overrides, message):
    data = {
        "coach_id": coach.id,
        "covering_user_id": team["second"].id,
        "client_id": 0,
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-10",
    } | overrides
    if data["covering_user_id"] == "self":
        data["covering_user_id"] = coach.id
    response = login(supervisor).post("/team/cover", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(CoveringAssignment)) is None


def test_access_log_lists_who_opened_the_record(db, login, supervisor, coach, team):
    login(coach).get(f"/clients/{team['a'].id}")
    login(coach).get(f"/clients/{team['a'].id}")
    page = login(supervisor).get(f"/clients/{team['a'].id}/access-log")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert coach.name in text and '<td class="text-end">2</td>' in text
    assert login(coach).get(f"/clients/{team['a'].id}/access-log").status_code == 403
