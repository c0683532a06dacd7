"""Recovery plan services: versions (1, then N+1 copied from a signed N), editing a draft,
signing (drawn PNG or typed with attestation), freezing, superseding, the audit trail, and the
"current plan on day D" query for one client and for many."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, Enrollment, RecoveryPlan
from coachapp.plans import queries, services
from coachapp.records import StaleRecordError
from tests import factories
from tests.helpers import discharge
from tests.plans.helpers import png_bytes, png_url, signed_plan


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


def test_version_one_starts_empty_as_a_draft(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    db.session.commit()
    assert (plan.number, plan.status, plan.strengths, plan.steps) == (1, "draft", None, [])
    assert plan.enrollment_id == client_.latest_enrollment.id


def test_a_second_draft_is_refused(db, coach, client_):
    services.start_plan(client_, actor=coach)
    with pytest.raises(services.PlanConflict):
        services.start_plan(client_, actor=coach)


def test_no_plan_without_an_open_episode(db, coach, client_):
    discharge(client_, date(2025, 6, 1))
    with pytest.raises(services.PlanRuleError):
        services.start_plan(client_, actor=coach)


def test_edit_sets_content_goals_and_steps(db, coach, client_):
    goal = factories.goal(client_)
    plan = services.start_plan(client_, actor=coach)
    db.session.commit()
    version = plan.version
    changed = services.update_plan(
        plan,
        {
            "strengths": "Loyal friends",
            "goal_ids": [goal.id],
            "steps": [
                {"action": "Call the housing office", "who": "Client", "due_on": date(2026, 5, 1)}
            ],
            "review_on": date(2026, 6, 1),
        },
        version=version,
        actor=coach,
    )
    db.session.commit()
    assert changed == ["goal_ids", "review_on", "steps", "strengths"]
    assert [g.id for g in plan.goals] == [goal.id]
    assert [(s.action, s.who, s.position) for s in plan.steps] == [
        ("Call the housing office", "Client", 0)
    ]
    assert plan.version > version
    # A step removed, another added: the list is what was sent.
    services.update_plan(
        plan, {"steps": [{"action": "Visit the food bank"}]}, version=None, actor=coach
    )
    db.session.commit()
    assert [s.action for s in plan.steps] == ["Visit the food bank"]


def test_goals_of_another_client_are_refused(db, coach, client_):
    other = factories.client(coach)
    goal = factories.goal(other)
    plan = services.start_plan(client_, actor=coach)
    with pytest.raises(services.PlanRuleError) as refused:
        services.update_plan(plan, {"goal_ids": [goal.id]}, version=None, actor=coach)
    assert "goal_ids" in refused.value.errors


def test_a_step_without_an_action_is_refused_by_its_row(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    with pytest.raises(services.PlanRuleError) as refused:
        services.update_plan(
            plan,
            {"steps": [{"action": "ok"}, {"action": " ", "who": "Coach"}]},
            version=None,
            actor=coach,
        )
    assert list(refused.value.errors) == ["steps.1.action"]


def test_a_stale_version_is_refused(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    db.session.commit()
    with pytest.raises(StaleRecordError):
        services.update_plan(plan, {"strengths": "x"}, version=plan.version + 5, actor=coach)


def test_drawn_signature_must_be_a_real_png(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    for bad in (
        "data:image/jpeg;base64,AAAA",
        "data:image/png;base64,not base64!!",
        png_url(b"GIF89a" + b"\x00" * 40),
        png_url(png_bytes(width=10_000)),
        "data:image/png;base64," + "A" * 300_000,
    ):
        with pytest.raises(services.PlanRuleError) as refused:
            services.sign_plan(plan, signer="client", image=bad, actor=coach)
        assert "image" in refused.value.errors, bad[:40]
    assert plan.signed_by_client_at is None


def test_typed_signature_needs_the_name_and_the_attestation(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    with pytest.raises(services.PlanRuleError) as refused:
        services.sign_plan(plan, signer="client", typed_name="", attested=False, actor=coach)
    assert set(refused.value.errors) == {"typed_name", "attested"}
    with pytest.raises(services.PlanRuleError) as refused:
        services.sign_plan(plan, signer="nobody", typed_name="J", attested=True, actor=coach)
    assert set(refused.value.errors) == {"signer"}


def test_signed_by_both_freezes_and_keeps_the_credential(db, coach, client_):
    coach.credential = "CPRS"
    plan = services.start_plan(client_, actor=coach)
    services.sign_plan(plan, signer="client", image=png_url(), actor=coach)
    assert plan.status == "draft"
    assert plan.client_signature_method == "drawn"
    services.sign_plan(plan, signer="coach", typed_name="Casey Coach", attested=True, actor=coach)
    db.session.commit()
    assert plan.status == "signed" and plan.is_frozen
    assert (plan.coach_signer_id, plan.coach_credential) == (coach.id, "CPRS")
    coach.credential = "CPRS-II"  # a later credential does not change what was signed
    db.session.commit()
    assert _db.session.get(RecoveryPlan, plan.id).coach_credential == "CPRS"
    with pytest.raises(services.PlanConflict):
        services.update_plan(plan, {"strengths": "new"}, version=None, actor=coach)
    with pytest.raises(services.PlanConflict):
        services.sign_plan(plan, signer="client", typed_name="J", attested=True, actor=coach)


def test_the_same_signer_cannot_sign_twice(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    services.sign_plan(plan, signer="client", typed_name="J", attested=True, actor=coach)
    with pytest.raises(services.PlanRuleError) as refused:
        services.sign_plan(plan, signer="client", typed_name="J", attested=True, actor=coach)
    assert "signer" in refused.value.errors


def test_an_edit_after_one_signature_clears_it(db, coach, client_):
    plan = services.start_plan(client_, actor=coach)
    services.sign_plan(plan, signer="client", image=png_url(), actor=coach)
    changed = services.update_plan(plan, {"barriers": "No car"}, version=None, actor=coach)
    db.session.commit()
    assert "client_signature" in changed
    assert plan.signed_by_client_at is None and plan.client_signature_image is None
    # An edit that changes nothing keeps the signature.
    services.sign_plan(plan, signer="client", typed_name="J", attested=True, actor=coach)
    assert services.update_plan(plan, {"barriers": "No car"}, version=None, actor=coach) == []
    assert plan.signed_by_client_at is not None


def test_version_n_plus_one_copies_the_signed_one_and_supersedes_it_when_signed(db, coach, client_):
    goal = factories.goal(client_)
    first = signed_plan(
        client_,
        coach,
        strengths="Faith",
        goal_ids=[goal.id],
        steps=[{"action": "Meet weekly", "who": "Coach"}],
        review_on=date(2026, 9, 1),
    )
    second = services.start_plan(client_, actor=coach)
    db.session.commit()
    assert second.number == 2
    assert (second.strengths, second.review_on) == ("Faith", date(2026, 9, 1))
    assert [g.id for g in second.goals] == [goal.id]
    assert [(s.action, s.who) for s in second.steps] == [("Meet weekly", "Coach")]
    assert first.status == "signed"  # until the new version is signed
    services.update_plan(second, {"strengths": "Faith and family"}, version=None, actor=coach)
    services.sign_plan(second, signer="client", typed_name="J", attested=True, actor=coach)
    services.sign_plan(second, signer="coach", typed_name="C", attested=True, actor=coach)
    db.session.commit()
    assert (first.status, second.status) == ("superseded", "signed")
    assert first.strengths == "Faith"  # version 1 stays as it was signed


def test_audit_events_name_fields_never_text(db, coach, client_):
    plan = services.start_plan(client_, {"strengths": "SECRET STRENGTH"}, actor=coach)
    services.update_plan(plan, {"barriers": "SECRET BARRIER"}, version=None, actor=coach)
    services.sign_plan(plan, signer="client", typed_name="SECRET NAME", attested=True, actor=coach)
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "recovery_plan").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "update", "update"]
    assert all(e.entity_id == plan.id and e.client_id == client_.id for e in events)
    dumped = " ".join(f"{e.fields} {e.detail}" for e in events)
    assert "SECRET" not in dumped
    assert "signed_by_client_at" in events[2].fields


def test_current_plan_on_a_day(db, coach, client_):
    assert queries.current_plan(client_.id, date.today()) is None
    goal = factories.goal(client_)
    first = signed_plan(client_, coach, goal_ids=[goal.id])
    db.session.commit()
    # Signed "today": current from today on, not the day before.
    today = datetime.now(timezone.utc).date()
    program = client_.program
    assert queries.current_plan(client_.id, today + timedelta(days=1), program=program) == first
    assert queries.current_plan(client_.id, today - timedelta(days=2), program=program) is None
    assert queries.current_plan_goal_ids(client_.id, today + timedelta(days=1)) == {goal.id}
    # Back-date the first signatures; a second version signed now is current from now on.
    first.signed_by_client_at = datetime(2025, 3, 1, 15, tzinfo=timezone.utc)
    first.signed_by_coach_at = datetime(2025, 3, 2, 15, tzinfo=timezone.utc)
    second = services.start_plan(client_, actor=coach)
    services.update_plan(second, {"goal_ids": []}, version=None, actor=coach)
    services.sign_plan(second, signer="client", typed_name="J", attested=True, actor=coach)
    services.sign_plan(second, signer="coach", typed_name="C", attested=True, actor=coach)
    db.session.commit()
    assert queries.current_plan(client_.id, date(2025, 3, 1), program=program) is None
    assert queries.current_plan(client_.id, date(2025, 3, 2), program=program) == first
    assert queries.current_plan(client_.id, date(2025, 12, 1), program=program) == first
    assert queries.current_plan(client_.id, today + timedelta(days=1), program=program) == second
    assert queries.current_plan_goal_ids(client_.id, date(2025, 12, 1)) == {goal.id}
    assert queries.current_plan_goal_ids(client_.id, today + timedelta(days=1)) == set()


def test_current_plans_for_many_clients_in_one_query(db, coach, client_):
    other = factories.client(coach, intake_date=date(2025, 1, 6))
    none_yet = factories.client(coach, intake_date=date(2025, 1, 6))
    a = signed_plan(client_, coach)
    b = signed_plan(other, coach)
    services.start_plan(none_yet, actor=coach)  # a draft is no plan
    db.session.commit()
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    rows = db.session.execute(
        queries.current_plans_query(tomorrow, queries.end_of_day(tomorrow, client_.program))
    ).all()
    assert sorted(rows) == sorted([(client_.id, a.id), (other.id, b.id)])


def test_a_plan_of_an_earlier_episode_is_not_current_in_the_next(db, coach, client_):
    plan = signed_plan(client_, coach)
    plan.signed_by_client_at = plan.signed_by_coach_at = datetime(
        2025, 2, 1, 12, tzinfo=timezone.utc
    )
    discharge(client_, date(2025, 6, 1))
    db.session.add(Enrollment(client_id=client_.id, intake_date=date(2025, 7, 1)))
    db.session.commit()
    assert queries.current_plan(client_.id, date(2025, 5, 1)) == plan
    assert queries.current_plan(client_.id, date(2025, 8, 1)) is None
