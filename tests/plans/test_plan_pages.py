"""Recovery plan pages: the panel on the client's page, starting a version, the edit form that
keeps input on refusal, signing (drawn or typed), the frozen version, N+1, and 404 to anyone
outside the access rule."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coachapp.models import RecoveryPlan
from coachapp.plans import queries, services
from tests import factories
from tests.helpers import QueryCounter
from tests.plans.helpers import png_url, signed_plan

OUTSIDERS = ("other_coach", "other_supervisor", "program_manager", "admin")


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


def _draft(db, client_, coach):
    plan = services.start_plan(client_, actor=coach)
    db.session.commit()
    return plan


def edit_form(plan, **overrides) -> dict:
    data = {
        "version": str(plan.version),
        "strengths": "Stubborn in a good way",
        "barriers": "",
        "supports": "",
        "review_on": "",
        "steps-0-action": "",
        "steps-0-who": "",
        "steps-0-due_on": "",
        "steps-1-action": "",
        "steps-1-who": "",
        "steps-1-due_on": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ("coach", "supervisor"))
def test_the_coach_and_supervisor_open_every_page(request, db, login, coach, client_, role):
    plan = _draft(db, client_, coach)
    browser = login(request.getfixturevalue(role))
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}/edit", f"/plans/{plan.id}/sign"):
        assert browser.get(url).status_code == 200, url
    assert "Recovery plan" in browser.get(f"/clients/{client_.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_gets_404(request, db, login, coach, client_, role):
    plan = _draft(db, client_, coach)
    browser = login(request.getfixturevalue(role))
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}/edit", f"/plans/{plan.id}/sign"):
        assert browser.get(url).status_code == 404, url
    assert browser.post(f"/plans/{plan.id}/edit", data=edit_form(plan)).status_code == 404
    assert browser.post(f"/clients/{client_.id}/plans").status_code == 404
    assert (
        db.session.scalar(select(RecoveryPlan.strengths).where(RecoveryPlan.id == plan.id)) is None
    )


def test_start_from_the_client_page_then_edit(db, login, coach, client_):
    goal = factories.goal(client_, description="Keep my apartment")
    browser = login(coach)
    page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Start a plan" in page
    answer = browser.post(f"/clients/{client_.id}/plans")
    plan = db.session.scalars(select(RecoveryPlan)).one()
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        f"/plans/{plan.id}/edit"
    )
    form = browser.get(f"/plans/{plan.id}/edit").get_data(as_text=True)
    assert "Keep my apartment" in form
    answer = browser.post(
        f"/plans/{plan.id}/edit",
        data=edit_form(
            plan,
            goal_ids=str(goal.id),
            **{
                "steps-0-action": "Pay rent on the 1st",
                "steps-0-who": "Client",
                "review_on": "2026-10-01",
            },
        ),
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert plan.strengths == "Stubborn in a good way"
    assert [g.id for g in plan.goals] == [goal.id]
    assert [(s.action, s.who) for s in plan.steps] == [("Pay rent on the 1st", "Client")]
    assert plan.review_on == date(2026, 10, 1)


def test_a_refused_edit_keeps_the_input_with_messages_beside_the_fields(db, login, coach, client_):
    plan = _draft(db, client_, coach)
    browser = login(coach)
    answer = browser.post(
        f"/plans/{plan.id}/edit",
        data=edit_form(
            plan,
            strengths="Typed before the mistake",
            review_on="not a date",
            **{"steps-0-who": "Coach", "steps-0-action": "x" * 1001},
        ),
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Typed before the mistake" in page and "Coach" in page
    assert 'id="review_on-errors"' in page and 'id="steps-0-action-errors"' in page
    db.session.expire_all()
    assert plan.strengths is None


def test_a_step_with_who_but_no_action_is_refused_beside_its_row(db, login, coach, client_):
    plan = _draft(db, client_, coach)
    answer = login(coach).post(
        f"/plans/{plan.id}/edit", data=edit_form(plan, **{"steps-1-who": "Coach"})
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="steps-1-action-errors"' in page and "Say what will be done." in page


def test_a_stale_edit_is_refused(db, login, coach, client_):
    plan = _draft(db, client_, coach)
    form = edit_form(plan)
    services.update_plan(plan, {"barriers": "meanwhile"}, version=None, actor=coach)
    db.session.commit()
    answer = login(coach).post(f"/plans/{plan.id}/edit", data=form)
    assert answer.status_code == 422
    assert "Someone else changed this record" in answer.get_data(as_text=True)


def test_sign_drawn_then_typed_freezes_the_version(db, login, coach, client_):
    plan = _draft(db, client_, coach)
    browser = login(coach)
    page = browser.get(f"/plans/{plan.id}/sign").get_data(as_text=True)
    assert "signature-pad.js" in page and "<canvas" in page
    answer = browser.post(
        f"/plans/{plan.id}/sign",
        data={"version": str(plan.version), "signer": "client", "image": png_url()},
    )
    assert answer.status_code == 302
    # Typed without the attestation: refused, the name kept.
    db.session.expire_all()
    answer = browser.post(
        f"/plans/{plan.id}/sign",
        data={"version": str(plan.version), "signer": "coach", "typed_name": "Casey Coach"},
    )
    assert answer.status_code == 422
    assert 'value="Casey Coach"' in answer.get_data(as_text=True)
    answer = browser.post(
        f"/plans/{plan.id}/sign",
        data={
            "version": str(plan.version),
            "signer": "coach",
            "typed_name": "Casey Coach",
            "attested": "y",
        },
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert plan.status == "signed"
    shown = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "cannot change" in shown and "Edit draft" not in shown and "Start version 2" in shown
    assert "data:image/png;base64," in shown  # the drawn signature, shown to those who may read


def test_a_bad_drawing_is_refused(db, login, coach, client_):
    plan = _draft(db, client_, coach)
    answer = login(coach).post(
        f"/plans/{plan.id}/sign",
        data={
            "version": str(plan.version),
            "signer": "client",
            "image": "data:image/png;base64,AAAA",
        },
    )
    assert answer.status_code == 422
    assert 'id="image-errors"' in answer.get_data(as_text=True)


def test_a_frozen_version_refuses_edits_and_signatures_and_n_plus_one_starts(
    db, login, coach, client_
):
    plan = signed_plan(client_, coach, strengths="Version one text")
    db.session.commit()
    browser = login(coach)
    for url in (f"/plans/{plan.id}/edit", f"/plans/{plan.id}/sign"):
        answer = browser.get(url)
        assert answer.status_code == 409, url
        assert "cannot change" in answer.get_data(as_text=True)
    replay = browser.post(f"/plans/{plan.id}/edit", data=edit_form(plan, strengths="Changed"))
    assert replay.status_code == 409
    db.session.expire_all()
    assert plan.strengths == "Version one text"
    answer = browser.post(f"/clients/{client_.id}/plans")
    assert answer.status_code == 302
    second = db.session.scalars(select(RecoveryPlan).where(RecoveryPlan.number == 2)).one()
    assert second.strengths == "Version one text" and second.status == "draft"
    panel = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert "Draft: version 2" in panel and f"/plans/{plan.id}" in panel
    # The old version stays readable.
    assert "Version one text" in browser.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_a_second_start_while_a_draft_is_open_says_so(db, login, coach, client_):
    _draft(db, client_, coach)
    answer = login(coach).post(f"/clients/{client_.id}/plans", follow_redirects=True)
    assert "still a draft" in answer.get_data(as_text=True)
    assert db.session.scalar(select(RecoveryPlan.id).where(RecoveryPlan.number == 2)) is None


def test_the_client_page_asks_as_many_queries_whatever_the_number_of_versions(
    db, login, coach, client_
):
    browser = login(coach)
    goal = factories.goal(client_)
    url = f"/clients/{client_.id}"  # read once: after a commit it would be a query of its own

    def page_queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get(url).status_code == 200
        return counter.n

    signed_plan(client_, coach, goal_ids=[goal.id], steps=[{"action": "One"}])
    db.session.commit()
    page_queries()  # statements built once per user and day
    one = page_queries()
    for _ in range(4):
        signed_plan(client_, coach)
    services.start_plan(client_, actor=coach)
    db.session.commit()
    assert page_queries() == one


def test_only_the_roles_that_work_with_clients_read_plan_text(db, program, coach, supervisor):
    billing = factories.user("billing", program=program, name="Bea Billing")
    manager = factories.user("program_manager", program=program, name="Pat Manager")
    assert queries.may_read(coach) and queries.may_read(supervisor)
    assert not queries.may_read(billing) and not queries.may_read(manager)


def test_a_signed_version_shows_its_goals_as_they_were_signed(db, login, coach, client_):
    goal = factories.goal(client_, description="Find a room near the bus line")
    plan = services.start_plan(client_, actor=coach)
    services.update_plan(plan, {"goal_ids": [goal.id]}, version=plan.version, actor=coach)
    signed = signed_plan_of(plan, coach)
    db.session.commit()
    goal.description = "Move in with my sister"  # edited after signing
    db.session.commit()

    page = login(coach).get(f"/plans/{signed.id}").get_data(as_text=True)
    assert "Find a room near the bus line" in page
    assert "Move in with my sister" not in page
    assert queries.signed_goal_texts(signed) == {goal.id: "Find a room near the bus line"}
    # A draft shows the goals as they are now.
    draft = services.start_plan(client_, actor=coach)
    db.session.commit()
    assert "Move in with my sister" in login(coach).get(f"/plans/{draft.id}").get_data(as_text=True)


def signed_plan_of(plan, coach):
    services.sign_plan(plan, signer="client", typed_name="Jordan R", attested=True, actor=coach)
    services.sign_plan(plan, signer="coach", typed_name=coach.name, attested=True, actor=coach)
    return plan
