"""A coach's task list: each kind counted by hand, its rows linking where to act, one query for
the counts (the menu's badge), nothing of clients outside the access rule, nothing for other
roles."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coachapp import access
from coachapp.clients import tasks
from coachapp.clients.alerts import AlertContext
from coachapp.models import SupervisionNote, SupervisionNoteCoach
from coachapp.team import services as team_services
from tests import factories
from tests.helpers import QueryCounter


def ctx() -> AlertContext:
    return AlertContext(today=access.today(), now=datetime.now(timezone.utc).replace(tzinfo=None))


def note_for(db, supervisor, coach, *, acknowledged=False):
    note = SupervisionNote(
        supervisor_id=supervisor.id,
        date=access.today() - timedelta(days=1),
        duration_minutes=60,
        format="individual",
        topics="Boundaries",
    )
    db.session.add(note)
    db.session.flush()
    db.session.add(
        SupervisionNoteCoach(
            note_id=note.id,
            coach_id=coach.id,
            acknowledged_at=datetime.now(timezone.utc) if acknowledged else None,
        )
    )
    db.session.commit()
    return note


@pytest.fixture
def world(db, supervisor, coach, other_coach):
    """One of each task for coach, plus what must not count: done things, another coach's."""
    today = access.today()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    a = factories.client(coach, last_name="Alpha", intake_date=today - timedelta(days=200))
    b = factories.client(coach, last_name="Bravo", intake_date=today - timedelta(days=200))
    factories.assessment(b, on=today - timedelta(days=10))  # b is not due, a is
    factories.client(coach, last_name="Gone", status="discharged")  # not active: no BARC due
    # Returned for revision, and a sign-off comment to read.
    back = factories.session(a, on=today - timedelta(days=3), note="Short note")
    team_services.return_for_revision(back, comment="Add the plan.", actor=supervisor)
    signed = factories.session(a, on=today - timedelta(days=5), note="Fine note")
    team_services.sign_off(signed, comment="Well done.", actor=supervisor)
    read = factories.session(b, on=today - timedelta(days=6), note="Read one")
    team_services.sign_off(read, comment="Seen already.", actor=supervisor)
    db.session.commit()
    read.review_comments[0].read_at = datetime.now(timezone.utc)
    # Appointments: one past without outcome, one past with, one to come.
    missing = factories.appointment(a, at=now - timedelta(days=2))
    factories.appointment(a, at=now - timedelta(days=2), outcome="attended")
    factories.appointment(a, at=now + timedelta(days=2))
    # Referrals: one waiting 20 days, one 3 days, one connected.
    late = factories.referral(a, referred_on=today - timedelta(days=20))
    factories.referral(b, referred_on=today - timedelta(days=3))
    factories.referral(
        b,
        referred_on=today - timedelta(days=40),
        status="connected",
        connected_on=today - timedelta(days=30),
    )
    note = note_for(db, supervisor, coach)
    note_for(db, supervisor, coach, acknowledged=True)
    # Another coach's caseload has one of everything: none of it is coach's.
    z = factories.client(other_coach, last_name="Zulu")
    factories.appointment(z, at=now - timedelta(days=2))
    factories.referral(z, referred_on=today - timedelta(days=20))
    db.session.commit()
    return {
        "a": a,
        "back": back,
        "signed": signed,
        "missing": missing,
        "late": late,
        "note": note,
    }


def test_counts_by_hand(db, coach, world):
    assert tasks.counts(coach, ctx()) == {
        "returned": 1,
        "handoffs": 0,  # tests/clients/test_reassign.py has one
        "comments": 2,  # the return's comment and the sign-off's, both unread
        "outcomes": 1,
        "follow_ups": 1,
        "barc_due": 1,  # Alpha; Bravo had one 10 days ago; Gone is discharged
        "plan_missing": 2,  # Alpha and Bravo: intake 200 days ago, no signed plan
        "plan_review_due": 0,  # tests/clients/test_tasks_plans_consents.py has them
        "consent_expiring": 0,
        "acknowledge": 1,
        "interviews": 0,  # six-month windows open, closing in more than 7 days
    }


def test_counts_are_one_query_and_none_for_other_roles(db, coach, supervisor, world):
    assert coach.role == "coach" and coach.active  # loaded: only the counting query is counted
    with QueryCounter(db.engine) as counter:
        tasks.counts(coach, ctx())
    assert counter.n == 1
    assert sum(tasks.counts(supervisor, ctx()).values()) == 0


def test_the_home_page_lists_each_task_where_to_act(db, login, coach, world):
    home = login(coach).get("/clients/").get_data(as_text=True)
    section = home[home.index('id="tasks"') : home.index('role="search"')]
    assert "My tasks" in section and ">9</span>" in section
    assert f'href="/sessions/{world["back"].id}/edit#review"' in section
    assert "Sam Supervisor: Add the plan." in section and "Sam Supervisor: Well done." in section
    assert "Seen already." not in section
    assert f'href="/appointments/{world["missing"].id}/outcome"' in section
    assert f'href="/referrals/{world["late"].id}/status"' in section
    assert f'href="/clients/{world["a"].id}/assessments/new"' in section
    assert f'href="/supervision/notes/{world["note"].id}"' in section
    assert "Zulu" not in section
    # The menu's badge: every task, in the coach's "My caseload" item.
    nav = home[: home.index("</nav>")]
    assert 'text-bg-warning">9<span class="visually-hidden"> tasks</span>' in nav


def test_the_badge_is_one_query_on_other_pages(db, login, coach, world):
    browser = login(coach)
    browser.get("/appointments/today")  # warm up
    with QueryCounter(db.engine) as counter:
        page = browser.get("/appointments/today").get_data(as_text=True)
    assert ">9<span" in page
    browser_without = login(coach)
    db.session.execute(
        SupervisionNoteCoach.__table__.update().values(acknowledged_at=datetime.now(timezone.utc))
    )
    db.session.commit()
    with QueryCounter(db.engine) as fewer:
        page = browser_without.get("/appointments/today").get_data(as_text=True)
    assert ">8<span" in page
    assert fewer.n == counter.n  # one counting query whatever the numbers


def test_no_badge_for_a_supervisor(login, supervisor, world):
    page = login(supervisor).get("/team/").get_data(as_text=True)
    assert 'visually-hidden"> tasks' not in page


def test_done_tasks_leave_the_list(db, login, coach, world):
    browser = login(coach)
    assert browser.post(f"/sessions/{world['signed'].id}/read").status_code == 302
    found = tasks.counts(coach, ctx())
    assert found["comments"] == 1 and found["returned"] == 1


def test_home_page_query_count_does_not_grow_with_tasks(db, login, coach, supervisor, world):
    browser = login(coach)
    browser.get("/clients/")
    with QueryCounter(db.engine) as before:
        browser.get("/clients/")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for n in range(8):
        factories.appointment(world["a"], at=now - timedelta(days=3 + n))
        s = factories.session(world["a"], on=access.today() - timedelta(days=8 + n), note="x")
        team_services.return_for_revision(s, comment=f"Fix {n}", actor=supervisor)
    db.session.commit()
    with QueryCounter(db.engine) as after:
        home = browser.get("/clients/").get_data(as_text=True)
    assert "and 4 more" in home  # 9 returned notes, 5 shown
    assert after.n == before.n
