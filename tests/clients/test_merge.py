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
    # Ciphertext: no plain value (a short one like "555" may turn up in it by chance).
    assert "Survivor" not in raw and "555-0101" not in raw and "Prefers" not in raw
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


def test_overlapping_episodes_are_refused_until_each_pair_is_resolved(
    db, program, coach, supervisor
):
    a = factories.client(coach, intake_date=date(2026, 1, 5))
    b = factories.client(coach, intake_date=date(2026, 2, 1))
    theirs = db.session.scalar(select(Enrollment).where(Enrollment.client_id == b.id))
    mine = db.session.scalar(select(Enrollment).where(Enrollment.client_id == a.id))
    with pytest.raises(services.MergeRuleError, match="2026-01-05 to open") as refused:
        services.merge(a, b, {}, actor=supervisor)
    assert refused.value.field == "episodes"
    assert f"episode {theirs.id} (2026-02-01 to open)" in refused.value.message
    assert f"episode {mine.id} (2026-01-05 to open)" in refused.value.message
    for bad, message in [
        ({str(theirs.id): "both"}, "combine"),
        ({str(mine.id): "combine"}, "Not an episode"),
        (["combine"], "object"),
    ]:
        with pytest.raises(services.MergeRuleError, match=message):
            services.merge(a, b, {}, episodes=bad, actor=supervisor)
    assert db.session.scalar(select(ClientMerge)) is None


@pytest.fixture
def overlap(db, pair):
    """``pair`` with the duplicate's episode running on to 2026-02-20, over the survivor's
    (from 2026-01-05, open); the survivor's plan and follow-up gone, so the duplicate's can
    join the survivor's episode."""
    s, d = pair["s"], pair["d"]
    pair["D"]["episode"].discharge_date = date(2026, 2, 20)
    db.session.delete(pair["S"]["plan"])
    db.session.delete(
        db.session.scalar(select(FollowUpInterview).where(FollowUpInterview.client_id == s.id))
    )
    db.session.commit()
    assert [(m.id, t.id) for m, t in services.overlapping_episodes(s, d)] == [
        (pair["S"]["episode"].id, pair["D"]["episode"].id)
    ]
    return pair


def episodes_of(db, client) -> list[tuple]:
    return [
        (e.intake_date, e.discharge_date, e.discharge_reason)
        for e in db.session.scalars(
            select(Enrollment).where(Enrollment.client_id == client.id).order_by(Enrollment.id)
        )
    ]


def test_combine_makes_one_episode_and_moves_what_hangs_on_the_other(db, overlap, supervisor):
    s, mine, theirs = overlap["s"], overlap["S"]["episode"], overlap["D"]["episode"]
    plan_id, theirs_id = overlap["D"]["plan"].id, theirs.id
    row = services.merge(
        s, overlap["d"], {}, episodes={str(theirs_id): "combine"}, actor=supervisor
    )
    db.session.commit()
    db.session.expire_all()
    assert episodes_of(db, s) == [(date(2025, 9, 1), None, None)]
    assert db.session.get(Enrollment, theirs_id) is None
    assert db.session.get(RecoveryPlan, plan_id).enrollment_id == mine.id
    assert set(db.session.scalars(select(FollowUpInterview.enrollment_id))) == {mine.id}
    assert s.status == "active"
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.entity_type == "client_merge")
    ).all()
    assert details and all(
        f"episode {theirs_id} combined into episode {mine.id}" in d for d in details
    )
    assert json.loads(row.moved)["episodes"][0]["removed"]["id"] == theirs_id


def test_end_earlier_discharges_it_the_day_before_the_later_intake(db, overlap, supervisor):
    s, theirs = overlap["s"], overlap["D"]["episode"]
    services.merge(s, overlap["d"], {}, episodes={str(theirs.id): "end_earlier"}, actor=supervisor)
    db.session.commit()
    db.session.expire_all()
    # The earlier (the duplicate's) keeps its own reason; both now belong to the survivor.
    assert episodes_of(db, s) == [
        (date(2025, 9, 1), date(2026, 1, 4), "completed"),
        (date(2026, 1, 5), None, None),
    ]
    assert all(
        f"episode {theirs.id} ended" in d
        for d in db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.entity_type == "client_merge")
        )
    )


@pytest.mark.parametrize("resolution", ["combine", "end_earlier"])
def test_merge_with_overlap_then_undo_restores_every_table_row_for_row(
    db, overlap, supervisor, resolution
):
    before = snapshot(db)
    row = services.merge(
        overlap["s"],
        overlap["d"],
        {f: "duplicate" for f in services.KEEP_FIELDS},
        episodes={str(overlap["D"]["episode"].id): resolution},
        actor=supervisor,
    )
    db.session.commit()
    assert snapshot(db) != before
    services.undo(row, actor=supervisor)
    db.session.commit()
    after = snapshot(db)
    for table, rows in before.items():
        assert after[table] == rows, table


@pytest.mark.parametrize("resolution", ["combine", "end_earlier"])
def test_undo_is_refused_when_a_resolved_episode_was_edited_since(
    db, overlap, supervisor, resolution
):
    theirs = overlap["D"]["episode"]
    row = services.merge(
        overlap["s"], overlap["d"], {}, episodes={str(theirs.id): resolution}, actor=supervisor
    )
    db.session.commit()
    changed = overlap["S"]["episode"] if resolution == "combine" else theirs
    changed.discharge_date = date(2026, 3, 1)
    db.session.commit()
    with pytest.raises(services.MergeRuleError, match=f"episode {changed.id}"):
        services.undo(row, actor=supervisor)


def test_an_open_earlier_episode_ends_as_other_and_same_day_intakes_cannot_end(
    db, coach, supervisor
):
    """Ended by a merge with no reason of its own: "other" (not "transferred": the person did
    not move to another provider)."""
    a = factories.client(coach, intake_date=date(2026, 1, 5))
    b = factories.client(coach, intake_date=date(2026, 2, 1))
    pairs = services.overlaps(a, b)
    assert pairs[0].offered == ["combine", "end_earlier"]
    theirs = pairs[0].theirs
    row = services.merge(a, b, {}, episodes={str(theirs.id): "end_earlier"}, actor=supervisor)
    db.session.commit()
    db.session.expire_all()
    assert episodes_of(db, a) == [
        (date(2026, 1, 5), date(2026, 1, 31), "other"),
        (
            date(2026, 2, 1),
            None,
            None,
        ),
    ]
    assert db.session.get(Enrollment, pairs[0].mine.id).discharged_by_id == supervisor.id
    services.undo(row, actor=supervisor)
    db.session.commit()
    same = factories.client(coach, intake_date=date(2026, 1, 5))
    pair = services.overlaps(a, same)[0]
    assert pair.offered == ["combine"] and "same day" in pair.not_offered["end_earlier"]
    with pytest.raises(services.MergeRuleError, match="same day"):
        services.merge(a, same, {}, episodes={str(pair.theirs.id): "end_earlier"}, actor=supervisor)


def test_combine_is_not_offered_when_both_episodes_hold_a_plan(db, pair, supervisor):
    pair["D"]["episode"].discharge_date = date(2026, 2, 20)
    db.session.commit()
    found = services.overlaps(pair["s"], pair["d"])[0]
    assert found.offered == ["end_earlier"]
    assert "recovery plan" in found.not_offered["combine"]
    with pytest.raises(services.MergeRuleError, match="recovery plan"):
        services.merge(
            pair["s"],
            pair["d"],
            {},
            episodes={str(found.theirs.id): "combine"},
            actor=supervisor,
        )


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
