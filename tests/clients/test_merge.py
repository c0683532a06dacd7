"""Merging a duplicate client record and undoing it (coachapp.merges.services): every record
moves, the chosen values win, and undo puts the database back row for row, table by table."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.merges import services
from coachapp.models import (
    AuditEvent,
    BreakGlassAccess,
    Client,
    ClientAssignment,
    ClientMerge,
    ClientProfile,
    ClientStatusRecord,
    CoachingSession,
    ConsentRecord,
    CoveringAssignment,
    Enrollment,
    FollowUpInterview,
    Goal,
    MutualAidAttendance,
    RecoveryPlan,
    RecoveryPlanStep,
    SessionAddendum,
    SupervisionNote,
)
from coachapp.models.supervision import supervision_note_clients
from tests import factories
from tests.helpers import discharge

# Tables whose rows a merge and its undo add to by design: the audit trail, the merge itself and
# the report store's change counts (they only grow) and what it stored.
NOT_COMPARED = {
    "audit_events",
    "client_merges",
    "report_changes",
    "stored_reports",
    "stored_report_pages",
}


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table (values as the app reads them: encrypted ones opened)."""

    def plain(value):
        if isinstance(value, datetime):
            value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
            return value.astimezone(timezone.utc)
        return value

    db.session.expire_all()
    found = {}
    for table in db.metadata.sorted_tables:
        if table.name in NOT_COMPARED:
            continue
        rows = db.session.execute(select(table)).all()
        found[table.name] = sorted((tuple(plain(v) for v in row) for row in rows), key=repr)
    return found


def everything(db, client: Client, *, first: date, coach, supervisor, resource=None) -> dict:
    """Records of every kind for ``client`` from ``first`` on."""
    goal = factories.goal(client, opened_on=first + timedelta(days=3))
    session = factories.session(client, on=first + timedelta(days=4))
    session.goals.append(goal)
    db.session.add(
        SessionAddendum(session_id=session.id, author_id=coach.id, text="Late", reason="Typo")
    )
    factories.appointment(
        client, at=datetime.combine(first + timedelta(days=5), datetime.min.time())
    )
    factories.referral(client, resource, referred_on=first + timedelta(days=6))
    factories.assessment(client, on=first + timedelta(days=7))
    db.session.add_all(
        [
            ConsentRecord(
                client_id=client.id,
                recipient="Clinic",
                purpose="Care",
                information_disclosed="Attendance",
                signed_on=first,
            ),
            MutualAidAttendance(client_id=client.id, model="aa", since=first),
            ClientStatusRecord(
                client_id=client.id, kind="housing", status="emergency_shelter", as_of=first
            ),
        ]
    )
    episode = db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    db.session.add(
        FollowUpInterview(
            client_id=client.id, enrollment_id=episode.id, kind="baseline", done_on=first
        )
    )
    plan = RecoveryPlan(client_id=client.id, enrollment_id=episode.id, strengths="Family")
    plan.goals.append(goal)
    plan.steps.append(RecoveryPlanStep(action="Call the landlord"))
    db.session.add(plan)
    db.session.commit()
    return {"goal": goal, "session": session, "episode": episode, "plan": plan}


@pytest.fixture
def pair(db, program, supervisor, coach, admin):
    """A person entered twice: D from 2025-09 (discharged 2025-12), S from 2026-01, with records
    of every kind each, profiles, a supervision note naming both, another naming D only."""
    second = factories.user("coach", program=program, supervisor=supervisor, name="Bo Second")
    duplicate = factories.client(
        second,
        first_name="Jose",
        last_name="Nunez",
        intake_date=date(2025, 9, 1),
        phone="555-0101",
        notes="Prefers mornings",
    )
    discharge(duplicate, date(2025, 12, 15))
    survivor = factories.client(
        coach,
        first_name="José",
        last_name="Núñez",
        intake_date=date(2026, 1, 5),
        email="jn@example.org",
        notes="Survivor notes",
    )
    res = factories.resource()
    d = everything(
        db, duplicate, first=date(2025, 9, 1), coach=second, supervisor=supervisor, resource=res
    )
    s = everything(
        db, survivor, first=date(2026, 1, 5), coach=coach, supervisor=supervisor, resource=res
    )
    db.session.add_all(
        [
            ClientProfile(client_id=survivor.id, gender_identity="man"),
            ClientProfile(client_id=duplicate.id, gender_identity="declined", veteran_status="no"),
            CoveringAssignment(
                covering_user_id=coach.id,
                coach_id=second.id,
                client_id=duplicate.id,
                starts_on=date(2025, 10, 1),
                ends_on=date(2025, 10, 9),
            ),
            BreakGlassAccess(
                user_id=admin.id,
                client_id=duplicate.id,
                reason="Review",
                expires_at=datetime(2025, 10, 1, tzinfo=timezone.utc),
            ),
        ]
    )
    both = SupervisionNote(
        supervisor_id=supervisor.id, date=date(2026, 2, 1), duration_minutes=30, format="individual"
    )
    only_d = SupervisionNote(
        supervisor_id=supervisor.id,
        date=date(2025, 10, 1),
        duration_minutes=30,
        format="individual",
    )
    both.clients.extend([survivor, duplicate])
    only_d.clients.append(duplicate)
    db.session.add_all([both, only_d])
    db.session.commit()
    return {
        "s": survivor,
        "d": duplicate,
        "S": s,
        "D": d,
        "second": second,
        "both": both,
        "only_d": only_d,
    }


def merge(db, pair, actor, keep=None):
    row = services.merge(pair["s"], pair["d"], keep or {}, actor=actor)
    db.session.commit()
    return row


def test_every_client_linked_table_is_moved_or_named_as_staying():
    tables = {c.table.name for c in services.client_link_columns()}
    assert {
        "sessions",
        "goals",
        "enrollments",
        "recovery_plans",
        "supervision_note_clients",
        "follow_up_interviews",
        "client_status_records",
    } <= tables
    assert not tables & {"covering_assignments", "break_glass_accesses", "client_merges"}


def test_merge_moves_every_record_and_keeps_the_chosen_values(db, pair, supervisor):
    s, d = pair["s"], pair["d"]
    row = merge(
        db,
        pair,
        supervisor,
        {"phone": "duplicate", "notes": "survivor", "veteran_status": "duplicate"},
    )
    db.session.expire_all()
    assert d.merged_into_id == s.id
    assert row.survivor_id == s.id and row.merged_id == d.id
    for model in (
        CoachingSession,
        Goal,
        Enrollment,
        ConsentRecord,
        MutualAidAttendance,
        ClientStatusRecord,
        FollowUpInterview,
        RecoveryPlan,
    ):
        assert db.session.scalars(select(model).where(model.client_id == d.id)).all() == []
        assert len(db.session.scalars(select(model).where(model.client_id == s.id)).all()) == 2
    assert s.phone == "555-0101" and s.notes == "Survivor notes" and s.email == "jn@example.org"
    profile = db.session.scalar(select(ClientProfile).where(ClientProfile.client_id == s.id))
    assert (profile.gender_identity, profile.veteran_status) == ("man", "no")
    # Access grants and the trail stay with the duplicate.
    assert db.session.scalar(select(CoveringAssignment.client_id)) == d.id
    assert db.session.scalar(select(BreakGlassAccess.client_id)) == d.id
    # The supervision note that named both names the survivor once; the other moved.
    links = db.session.execute(select(supervision_note_clients)).all()
    assert sorted(links) == sorted([(pair["both"].id, s.id), (pair["only_d"].id, s.id)])
    # Assignment history: D's row (before S's intake) is S's first, closed on S's intake.
    history = db.session.scalars(
        select(ClientAssignment)
        .where(ClientAssignment.client_id == s.id)
        .order_by(ClientAssignment.starts_on)
    ).all()
    assert [(h.coach_id, h.starts_on, h.ends_on) for h in history] == [
        (pair["second"].id, date(2025, 9, 1), date(2026, 1, 5)),
        (s.coach_id, date(2026, 1, 5), None),
    ]
    assert s.status == "active"
    # Audited on both records, ids only; the old values are stored encrypted.
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "client_merge")
    ).all()
    assert sorted(e.client_id for e in events) == sorted([s.id, d.id])
    assert all("555" not in (e.detail or "") + (e.fields or "") for e in events)
    raw = db.session.execute(select(ClientMerge.__table__.c.moved.cast(db.String))).scalar()
    assert "Survivor" not in raw and "555" not in raw
    assert "555-0101" in json.dumps(json.loads(row.moved))


def test_merge_then_undo_restores_every_table_row_for_row(db, pair, supervisor):
    before = snapshot(db)
    row = merge(db, pair, supervisor, {f: "duplicate" for f in services.KEEP_FIELDS})
    assert snapshot(db) != before
    services.undo(row, actor=supervisor)
    db.session.commit()
    after = snapshot(db)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert row.undone_at is not None and row.undone_by_id == supervisor.id
    with pytest.raises(services.MergeRuleError, match="undone already"):
        services.undo(row, actor=supervisor)


def test_records_added_to_the_survivor_after_the_merge_stay_with_it(db, pair, supervisor):
    s, d = pair["s"], pair["d"]
    row = merge(db, pair, supervisor)
    later = factories.session(s, on=date(2026, 3, 2))
    edited = pair["D"]["session"]  # came from the duplicate, edited since
    edited.note = "Edited after the merge"
    db.session.commit()
    services.undo(row, actor=supervisor)
    db.session.commit()
    db.session.expire_all()
    assert later.client_id == s.id
    assert edited.client_id == d.id and edited.note == "Edited after the merge"
    assert d.merged_into_id is None


def test_undo_is_refused_when_a_merged_value_was_edited_since(db, pair, supervisor):
    row = merge(db, pair, supervisor, {"phone": "duplicate"})
    pair["s"].phone = "555-0199"
    db.session.commit()
    with pytest.raises(services.MergeRuleError, match="phone"):
        services.undo(row, actor=supervisor)


def test_undo_is_refused_when_a_later_record_hangs_on_a_moved_one(db, pair, supervisor):
    row = merge(db, pair, supervisor)
    later = factories.session(pair["s"], on=date(2026, 3, 2))
    later.goals.append(pair["D"]["goal"])
    db.session.commit()
    with pytest.raises(services.MergeRuleError, match="goals"):
        services.undo(row, actor=supervisor)


def test_overlapping_episodes_are_refused_by_name(db, program, coach, supervisor):
    a = factories.client(coach, intake_date=date(2026, 1, 5))
    b = factories.client(coach, intake_date=date(2026, 2, 1))
    with pytest.raises(services.MergeRuleError, match="2026-01-05 to open") as refused:
        services.merge(a, b, {}, actor=supervisor)
    assert refused.value.field == "duplicate_id"
    assert db.session.scalar(select(ClientMerge)) is None


@pytest.mark.parametrize(
    ("keep", "message"),
    [({"favourite_colour": "survivor"}, "Unknown field"), ({"phone": "both"}, "survivor")],
)
def test_bad_keep_is_refused(db, pair, supervisor, keep, message):
    with pytest.raises(services.MergeRuleError, match=message):
        services.merge(pair["s"], pair["d"], keep, actor=supervisor)


def test_same_record_other_program_and_merged_are_refused(db, pair, supervisor, program):
    s, d = pair["s"], pair["d"]
    with pytest.raises(services.MergeRuleError, match="itself"):
        services.check_merge(s, s)
    merge(db, pair, supervisor)
    with pytest.raises(services.MergeRuleError, match="merged already"):
        services.check_merge(s, d)
    elsewhere = factories.program()
    far_coach = factories.user("coach", program=elsewhere)
    with pytest.raises(services.MergeRuleError, match="same program"):
        services.check_merge(s, factories.client(far_coach, intake_date=date(2024, 1, 1)))


def test_the_duplicates_profile_moves_when_the_survivor_has_none(db, pair, supervisor):
    s, d = pair["s"], pair["d"]
    db.session.delete(
        db.session.scalar(select(ClientProfile).where(ClientProfile.client_id == s.id))
    )
    db.session.commit()
    before = snapshot(db)
    row = merge(db, pair, supervisor)
    assert db.session.scalar(select(ClientProfile.client_id)) == s.id
    services.undo(row, actor=supervisor)
    db.session.commit()
    assert snapshot(db) == before
    assert db.session.scalar(select(ClientProfile.client_id)) == d.id


def test_status_follows_the_latest_episode_and_comes_back(db, coach, supervisor):
    survivor = factories.client(coach, intake_date=date(2025, 1, 5))
    discharge(survivor, date(2025, 3, 1))
    duplicate = factories.client(coach, intake_date=date(2026, 1, 5))
    row = services.merge(survivor, duplicate, {}, actor=supervisor)
    db.session.commit()
    assert survivor.status == "active"
    services.undo(row, actor=supervisor)
    db.session.commit()
    db.session.expire_all()
    assert (survivor.status, duplicate.status) == ("discharged", "active")


def test_a_merge_into_a_record_merged_since_is_undone_last(db, coach, supervisor):
    first = factories.client(coach, intake_date=date(2024, 1, 5))
    discharge(first, date(2024, 3, 1))
    middle = factories.client(coach, intake_date=date(2025, 1, 5))
    discharge(middle, date(2025, 3, 1))
    last = factories.client(coach, intake_date=date(2026, 1, 5))
    inner = services.merge(middle, first, {}, actor=supervisor)
    outer = services.merge(last, middle, {}, actor=supervisor)
    db.session.commit()
    with pytest.raises(services.MergeRuleError, match="undo that merge first"):
        services.check_undo(inner)
    services.undo(outer, actor=supervisor)
    services.undo(inner, actor=supervisor)
    db.session.commit()
    db.session.expire_all()
    assert [c.merged_into_id for c in (first, middle, last)] == [None, None, None]
    counts = [
        len(db.session.scalars(select(Enrollment).where(Enrollment.client_id == c.id)).all())
        for c in (first, middle, last)
    ]
    assert counts == [1, 1, 1]
