"""Recovery goals: set one from the client's page, edit it with locking, change its status with
its dates, archive it, progress on the client page; the access rule on every route."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.goals import services
from coachapp.goals.queries import client_panel
from coachapp.models import AuditEvent, Goal
from tests import factories
from tests.helpers import QueryCounter, count

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")
UNICODE = "Trouver un logement: José Ñúñez, 李小龙, O'Brien 🏠"


def today(program) -> date:
    return timeutil.local_today(program)


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


def goal_data(**overrides) -> dict:
    data = {
        "domain": "housing",
        "description": "Move into a place of my own",
        "target_date": "2026-09-30",
        "opened_on": "2026-02-01",
    }
    data.update(overrides)
    return data


def edit_data(goal, **overrides) -> dict:
    data = goal_data(
        domain=goal.domain,
        description=goal.description,
        target_date=goal.target_date.isoformat() if goal.target_date else "",
        opened_on=goal.opened_on.isoformat(),
        version=str(goal.version),
    )
    data.update(overrides)
    return data


# --- Access ------------------------------------------------------------------------------------


def _pages(client, goal) -> list[str]:
    return [
        f"/clients/{client.id}/goals/new",
        f"/goals/{goal.id}/edit",
        f"/goals/{goal.id}/status",
    ]


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_coach_and_their_supervisor_open_every_page(request, db, login, client_, role):
    goal = factories.goal(client_)
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, goal):
        assert browser.get(url).status_code == 200, url
    # The archive route is reached too (a missing reason is refused, nothing archived).
    assert browser.post(f"/goals/{goal.id}/archive", data={"reason": ""}).status_code == 422


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, client_, role):
    goal = factories.goal(client_, description="original")
    browser = login(request.getfixturevalue(role))
    for url in _pages(client_, goal):
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/clients/{client_.id}/goals/new": goal_data(),
        f"/goals/{goal.id}/edit": edit_data(goal, description="changed"),
        f"/goals/{goal.id}/status": {"status": "achieved", "closed_on": "2026-03-01"},
        f"/goals/{goal.id}/archive": {"reason": "mistake"},
    }
    for url, data in posts.items():
        assert browser.post(url, data=data).status_code == 404, url
    db.session.refresh(goal)
    assert (goal.description, goal.status, goal.archived_at) == ("original", "active", None)
    assert count(db, Goal) == 1


def test_anonymous_is_sent_to_sign_in(anon, db, client_):
    goal = factories.goal(client_)
    for url in _pages(client_, goal):
        response = anon.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location


# --- New goal ----------------------------------------------------------------------------------


def test_the_form_opens_the_goal_today(db, login, coach, client_):
    page = login(coach).get(f"/clients/{client_.id}/goals/new").get_data(as_text=True)
    assert f'value="{today(client_.program).isoformat()}"' in page
    assert '<option value="family_social">Family social</option>' in page


def test_coach_sets_a_goal(db, login, coach, client_):
    browser = login(coach)
    response = browser.post(f"/clients/{client_.id}/goals/new", data=goal_data())
    assert response.status_code == 302
    assert response.location.endswith(f"/clients/{client_.id}")
    goal = db.session.scalar(select(Goal))
    assert (goal.client_id, goal.domain, goal.description, goal.status) == (
        client_.id,
        "housing",
        "Move into a place of my own",
        "active",
    )
    assert (goal.opened_on, goal.target_date, goal.closed_on, goal.created_by_id) == (
        date(2026, 2, 1),
        date(2026, 9, 30),
        None,
        coach.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "goal"))
    assert (event.action, event.entity_id, event.client_id) == ("create", goal.id, client_.id)
    assert set(event.fields.split(",")) == {
        "domain",
        "description",
        "target_date",
        "opened_on",
        "status",
    }
    assert "place" not in (event.fields + (event.detail or ""))
    page = browser.get(response.location).get_data(as_text=True)
    assert "Goal added." in page and "Move into a place of my own" in page


def test_unicode_round_trips(db, login, coach, client_):
    browser = login(coach)
    browser.post(f"/clients/{client_.id}/goals/new", data=goal_data(description=UNICODE))
    assert db.session.scalar(select(Goal.description)) == UNICODE
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "José Ñúñez, 李小龙, O&#39;Brien 🏠" in page


def _tomorrow(program) -> str:
    return (today(program) + timedelta(days=1)).isoformat()


BAD = [
    ({"description": "   \t\n "}, "description", "Describe the goal."),
    ({"description": "x" * 2001}, "description", "Field cannot be longer than 2000 characters."),
    ({"domain": "astrology"}, "domain", "Not a valid choice."),
    ({"domain": ""}, "domain", "Choose a domain."),
    ({"opened_on": "TOMORROW"}, "opened_on", "This date is in the future."),
    ({"opened_on": "1899-12-31"}, "opened_on", "This date is too far in the past."),
    ({"opened_on": ""}, "opened_on", "Give the date."),
    ({"opened_on": "2026-13-01"}, "opened_on", "Not a valid date value."),
    ({"target_date": "2026-01-31"}, "target_date", "cannot be before the goal opened"),
    ({"target_date": "9999-12-31"}, "target_date", "This date is too far in the future."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    db, login, coach, client_, overrides, field, message
):
    overrides = {
        k: (_tomorrow(client_.program) if v == "TOMORROW" else v) for k, v in overrides.items()
    }
    response = login(coach).post(
        f"/clients/{client_.id}/goals/new",
        data={**goal_data(description="Kept ✓"), **overrides},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-errors"' in page
    if field != "description":
        assert "Kept ✓" in page
    assert count(db, Goal) == 0
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "goal"))


# --- Edit --------------------------------------------------------------------------------------


def test_edit_a_goal(db, login, coach, client_):
    goal = factories.goal(client_, description="before")
    response = login(coach).post(
        f"/goals/{goal.id}/edit",
        data=edit_data(goal, description="after", domain="employment", target_date="2026-12-01"),
    )
    assert response.status_code == 302
    db.session.refresh(goal)
    assert (goal.description, goal.domain, goal.target_date, goal.version) == (
        "after",
        "employment",
        date(2026, 12, 1),
        2,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert set(event.fields.split(",")) == {"description", "domain", "target_date"}


def test_a_stale_edit_is_refused_and_nothing_overwritten(db, login, coach, supervisor, client_):
    goal = factories.goal(client_, description="original")
    seen = edit_data(goal)
    assert (
        login(supervisor)
        .post(f"/goals/{goal.id}/edit", data={**seen, "description": "supervisor's words"})
        .status_code
        == 302
    )
    response = login(coach).post(
        f"/goals/{goal.id}/edit", data={**seen, "description": "coach's late words"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page and "coach&#39;s late words" in page
    db.session.refresh(goal)
    assert goal.description == "supervisor's words" and goal.version == 2


def test_edit_cannot_open_a_goal_after_it_closed(db, login, coach, client_):
    goal = factories.goal(
        client_, opened_on=date(2026, 1, 15), status="achieved", closed_on=date(2026, 2, 1)
    )
    response = login(coach).post(
        f"/goals/{goal.id}/edit", data=edit_data(goal, opened_on="2026-02-10")
    )
    assert response.status_code == 422
    assert "The goal was closed on 2026-02-01" in response.get_data(as_text=True)
    db.session.refresh(goal)
    assert goal.opened_on == date(2026, 1, 15)


# --- Status ------------------------------------------------------------------------------------


def test_mark_achieved_defaults_to_today(db, login, coach, client_):
    goal = factories.goal(client_)
    browser = login(coach)
    page = browser.get(f"/goals/{goal.id}/status").get_data(as_text=True)
    assert f'value="{today(client_.program).isoformat()}"' in page
    response = browser.post(
        f"/goals/{goal.id}/status",
        data={"status": "achieved", "closed_on": "", "version": str(goal.version)},
    )
    assert response.status_code == 302
    db.session.refresh(goal)
    assert (goal.status, goal.closed_on, goal.version) == (
        "achieved",
        today(client_.program),
        2,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert set(event.fields.split(",")) == {"status", "closed_on"}


def test_discontinue_on_a_date_then_reopen(db, login, coach, client_):
    goal = factories.goal(client_, opened_on=date(2026, 1, 15))
    browser = login(coach)
    response = browser.post(
        f"/goals/{goal.id}/status", data={"status": "discontinued", "closed_on": "2026-02-20"}
    )
    assert response.status_code == 302
    db.session.refresh(goal)
    assert (goal.status, goal.closed_on) == ("discontinued", date(2026, 2, 20))
    response = browser.post(
        f"/goals/{goal.id}/status", data={"status": "active", "closed_on": "2026-02-21"}
    )
    assert response.status_code == 302
    db.session.refresh(goal)
    assert (goal.status, goal.closed_on) == ("active", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "achieved", "closed_on": "TOMORROW"}, "This date is in the future."),
        ({"status": "achieved", "closed_on": "2026-01-14"}, "before the goal opened (2026-01-15)"),
        ({"status": "achieved", "closed_on": "1899-12-31"}, "This date is too far in the past."),
        ({"status": "won", "closed_on": ""}, "Not a valid choice."),
        ({"status": "", "closed_on": ""}, "Choose a status."),
    ],
)
def test_bad_status_changes_are_refused(db, login, coach, client_, data, message):
    goal = factories.goal(client_, opened_on=date(2026, 1, 15))
    data = {k: (_tomorrow(client_.program) if v == "TOMORROW" else v) for k, v in data.items()}
    response = login(coach).post(f"/goals/{goal.id}/status", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(goal)
    assert (goal.status, goal.closed_on, goal.version) == ("active", None, 1)


def test_a_stale_status_change_is_refused(db, login, coach, client_):
    goal = factories.goal(client_)
    goal.description = "changed by someone else"
    db.session.commit()  # version 2
    response = login(coach).post(
        f"/goals/{goal.id}/status",
        data={"status": "achieved", "closed_on": "2026-03-01", "version": "1"},
    )
    assert response.status_code == 422
    assert "Someone else changed this record" in response.get_data(as_text=True)
    db.session.refresh(goal)
    assert goal.status == "active"


def test_the_service_refuses_bad_dates(db, coach, client_):
    goal = factories.goal(client_, opened_on=date(2026, 1, 15))
    with pytest.raises(services.GoalRuleError) as info:
        services.change_status(
            goal,
            status="achieved",
            closed_on=today(client_.program) + timedelta(days=1),
            version=None,
            actor=coach,
        )
    assert info.value.field == "closed_on"
    with pytest.raises(services.GoalRuleError):
        services.create_goal(
            client_,
            {"domain": "housing", "description": "  ", "opened_on": date(2026, 1, 1)},
            actor=coach,
        )
    with pytest.raises(services.GoalRuleError):
        services.create_goal(
            client_,
            {"domain": "nope", "description": "x", "opened_on": date(2026, 1, 1)},
            actor=coach,
        )
    db.session.rollback()
    assert count(db, Goal) == 1


# --- Archive -----------------------------------------------------------------------------------


def test_archive_needs_a_reason(db, login, coach, client_):
    goal = factories.goal(client_)
    response = login(coach).post(f"/goals/{goal.id}/archive", data={"reason": ""})
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    db.session.refresh(goal)
    assert goal.archived_at is None


def test_archive_a_goal(db, login, coach, client_):
    goal = factories.goal(client_, description="Duplicate goal")
    session = factories.session(client_)
    session.goals.append(goal)
    db.session.commit()
    browser = login(coach)
    response = browser.post(f"/goals/{goal.id}/archive", data={"reason": "entered twice"})
    assert response.status_code == 302
    db.session.refresh(goal)
    assert goal.archived_at is not None and goal.archive_reason == "entered twice"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive"))
    assert (event.entity_type, event.entity_id, event.client_id) == ("goal", goal.id, client_.id)
    assert browser.get(f"/goals/{goal.id}/edit").status_code == 404
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Duplicate goal" not in page
    # Archived, never deleted; the session keeps its record of it.
    assert count(db, Goal) == 1 and [g.id for g in session.goals] == [goal.id]
    form = browser.get(f"/clients/{client_.id}/sessions/new").get_data(as_text=True)
    assert "Duplicate goal" not in form


# --- Client page -------------------------------------------------------------------------------


def test_goals_with_progress_on_the_client_page(db, login, coach, client_):
    housing = factories.goal(client_, description="Find housing", target_date=date(2026, 1, 31))
    job = factories.goal(
        client_,
        domain="employment",
        description="Get a job",
        status="achieved",
        closed_on=date(2026, 2, 28),
    )
    factories.goal(client_, domain="legal", description="Untouched goal")
    for on in (date(2026, 2, 1), date(2026, 2, 15)):
        s = factories.session(client_, on=on)
        s.goals.append(housing)
    s = factories.session(client_, on=date(2026, 2, 10))
    s.goals.extend([housing, job])
    gone = factories.session(client_, on=date(2026, 3, 1))
    gone.goals.append(housing)
    gone.archived_at = datetime.now(timezone.utc)  # archived sessions do not count
    other = factories.client(coach)
    foreign = factories.goal(other, description="Other client goal")
    fs = factories.session(other, on=date(2026, 3, 5))
    fs.goals.append(foreign)
    db.session.commit()

    page = login(coach).get(f"/clients/{client_.id}").get_data(as_text=True)
    section = page[page.index('id="h-goals"') : page.index('id="h-appointments"')]
    assert "2 active of 3" in section
    assert "addressed in 3 sessions, last 2026-02-15" in section
    assert "addressed in 1 session, last 2026-02-10" in section
    assert "not addressed in a session yet" in section
    assert "Achieved 2026-02-28" in section
    assert "Past target date" in section
    assert "Other client goal" not in section
    assert section.index("Find housing") < section.index("Get a job")  # active first
    assert f"/goals/{housing.id}/status" in section and f"/goals/{housing.id}/edit" in section


def test_panel_progress_is_one_aggregate_query(db, coach, client_):
    def panel_queries() -> int:
        db.session.expire_all()
        db.session.refresh(client_)
        db.session.refresh(coach)
        client_.program  # noqa: B018 (the program's today is loaded once per page anyway)
        with QueryCounter(db.engine) as counter:
            client_panel(client_, coach)
        return counter.n

    goal = factories.goal(client_)
    s = factories.session(client_)
    s.goals.append(goal)
    db.session.commit()
    one = panel_queries()
    for n in range(10):
        g = factories.goal(client_, description=f"Goal {n}")
        for d in range(3):
            s = factories.session(client_, on=date(2026, 1, 1) + timedelta(days=n * 3 + d))
            s.goals.append(g)
    db.session.commit()
    assert panel_queries() == one == 2  # the goals, their progress


def test_client_page_query_count_does_not_grow_with_goals(db, login, coach, client_):
    browser = login(coach)

    def page_queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get(f"/clients/{client_.id}").status_code == 200
        return counter.n

    goal = factories.goal(client_)
    s = factories.session(client_)
    s.goals.append(goal)
    db.session.commit()
    one = page_queries()
    for n in range(15):
        g = factories.goal(client_, description=f"Goal {n}")
        s = factories.session(client_, on=date(2026, 1, 1) + timedelta(days=n))
        s.goals.extend([g, goal])
    db.session.commit()
    assert page_queries() == one
