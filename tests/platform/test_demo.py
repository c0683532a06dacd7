"""The synthetic demo program: shape, realism rules, determinism and the empty-database guard.

Only the small scale is built here; medium and large are measured by hand (see coachapp/demo/).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from coachapp.auth.passwords import verify_password
from coachapp.clients.services import name_key
from coachapp.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    SCALES,
)
from coachapp.extensions import db as _db
from coachapp.models import (
    Appointment,
    Assessment,
    Client,
    CoachingSession,
    Enrollment,
    Goal,
    Referral,
    ReferralStatusChange,
    Resource,
    User,
)
from coachapp.models.enums import (
    AppointmentKind,
    AppointmentOutcome,
    ClientStatus,
    DischargeReason,
    GoalDomain,
    GoalStatus,
    MeetingFormat,
    MeetingModel,
    Modality,
    ReferralStatus,
    ResourceCategory,
    Role,
    SessionKind,
    SessionOutcome,
    SupervisionFormat,
    TrainingDomain,
)
from tests.platform.helpers import TODAY, scalar

WRITTEN_TABLES = (
    "programs", "teams", "users", "training_records", "organizations", "resources", "clients",
    "enrollments", "goals", "sessions", "session_goals", "appointments", "referrals",
    "referral_status_changes", "assessments", "mutual_aid_attendance", "consent_records",
    "supervision_notes", "supervision_note_coaches", "supervision_note_clients",
    "covering_assignments", "client_profiles", "client_status_records", "billing_settings",
    "recovery_plans", "recovery_plan_goals",
)  # fmt: skip


UNTOUCHED_TABLES = ("audit_events", "api_tokens", "break_glass_accesses", "client_merges")


def column_values(sql: str) -> set:
    return set(_db.session.execute(text(sql)).scalars())


# --- Scales and the public constants -------------------------------------------------------


def test_scales_match_the_brief():
    assert set(SCALES) == {"small", "medium", "large"}
    assert (SCALES["small"].coaches, SCALES["small"].clients) == (5, 60)
    assert (SCALES["medium"].coaches, SCALES["medium"].clients) == (40, 2_000)
    assert SCALES["medium"].sessions == 100_000
    assert (SCALES["large"].coaches, SCALES["large"].clients) == (200, 20_000)
    assert SCALES["large"].sessions == 1_000_000
    for scale in SCALES.values():
        assert 5 <= scale.coaches / scale.supervisors <= 8


def test_demo_users_are_one_per_role():
    assert [role for role, _email in DEMO_USERS] == [
        Role.ADMIN,
        Role.PROGRAM_MANAGER,
        Role.SUPERVISOR,
        Role.COACH,
        Role.BILLING,
    ]


# --- Small scale: shape ------------------------------------------------------------------------


def test_small_builds_with_counts_in_range(small):
    counts = small.counts
    assert small.seconds > 0
    # The summary tells the truth about what is in the database.
    for table in WRITTEN_TABLES:
        assert counts[table] == scalar(f"SELECT COUNT(*) FROM {table}"), table  # noqa: S608
        assert counts[table] > 0, f"no {table}"
    for table in UNTOUCHED_TABLES:
        assert scalar(f"SELECT COUNT(*) FROM {table}") == 0, table  # noqa: S608

    assert counts["programs"] == 1
    assert counts["clients"] == 60
    # coaches, one supervisor, manager, admin and the billing specialist
    assert counts["users"] == 5 + 1 + 2 + 1
    assert counts["teams"] == 1
    assert 60 < counts["enrollments"] < 75  # ~8% re-enrolled
    assert 2_940 <= counts["sessions"] <= 3_060
    assert 300 <= counts["appointments"] <= 1_200
    assert 60 <= counts["referrals"] <= 400
    assert counts["referrals"] < counts["referral_status_changes"] <= 2 * counts["referrals"]
    assert 60 <= counts["goals"] <= 400
    assert 60 <= counts["assessments"] <= 300
    assert 40 + 15 <= counts["resources"] <= 80 + 15
    assert counts["covering_assignments"] == 2
    assert scalar("SELECT client_seq FROM programs") == 60


def test_clients_have_codes_names_and_keys(small, db):
    clients = db.session.scalars(select(Client).order_by(Client.id)).all()
    assert [c.code for c in clients] == [f"C-{n:05d}" for n in range(1, 61)]
    assert all(c.name_key == name_key(c.first_name, c.last_name) for c in clients)
    names = {f"{c.first_name} {c.last_name}" for c in clients}
    assert {"José Ñúñez", "小龙 李", "Zoë Brontë"} <= names
    assert any("O'Brien" in name for name in names)
    statuses = {c.status for c in clients}
    assert statuses == {s.value for s in ClientStatus}
    assert sum(c.status == ClientStatus.ACTIVE for c in clients) > 30
    assert any(c.consent_on_file and c.consent_date for c in clients)
    assert any(c.support_person for c in clients)
    assert any(c.okay_to_text for c in clients) and any(not c.okay_to_call for c in clients)


@pytest.mark.parametrize(
    ("table", "column", "values"),
    [
        ("appointments", "outcome", AppointmentOutcome),
        ("appointments", "kind", AppointmentKind),
        ("referrals", "status", ReferralStatus),
        ("referrals", "category", ResourceCategory),
        ("sessions", "outcome", SessionOutcome),
        ("sessions", "modality", Modality),
        ("sessions", "kind", SessionKind),
        ("goals", "status", GoalStatus),
        ("goals", "domain", GoalDomain),
        ("resources", "category", ResourceCategory),
        ("resources", "meeting_model", MeetingModel),
        ("resources", "meeting_format", MeetingFormat),
        ("enrollments", "discharge_reason", DischargeReason),
        ("supervision_notes", "format", SupervisionFormat),
        ("training_records", "domain", TrainingDomain),
    ],
)
def test_every_enum_value_appears(small, table, column, values):
    found = column_values(f"SELECT DISTINCT {column} FROM {table}") - {None}  # noqa: S608
    assert found == {v.value for v in values}


# --- Small scale: the rules real data follows ------------------------------------------------


def test_latest_enrollment_agrees_with_status(small, db):
    enrollments: dict[int, list[Enrollment]] = {}
    for row in db.session.scalars(select(Enrollment).order_by(Enrollment.intake_date)):
        enrollments.setdefault(row.client_id, []).append(row)
    clients = db.session.scalars(select(Client)).all()
    assert {c.id for c in clients} == set(enrollments)
    for client in clients:
        episodes = enrollments[client.id]
        latest = episodes[-1]
        assert (client.status == ClientStatus.DISCHARGED) == (latest.discharge_date is not None)
        assert (latest.discharge_date is None) == (latest.discharge_reason is None)
        for earlier, later in zip(episodes, episodes[1:], strict=False):
            assert earlier.discharge_date is not None
            assert earlier.discharge_date < later.intake_date
    reenrolled = [c for c in clients if len(enrollments[c.id]) == 2]
    assert reenrolled
    assert all(c.status == ClientStatus.ACTIVE for c in reenrolled)


def test_staff_structure(small, db):
    users = {u.id: u for u in db.session.scalars(select(User))}
    coaches = [u for u in users.values() if u.role == Role.COACH]
    assert len(coaches) == 5
    for coach in coaches:
        supervisor = users[coach.supervisor_id]
        assert supervisor.role == Role.SUPERVISOR
        assert coach.team_id is not None and coach.team_id == supervisor.team_id
    program_id = scalar("SELECT id FROM programs")
    assert all(u.program_id == program_id for u in users.values())
    assert sorted(u.role for u in users.values() if u.role not in (Role.COACH,)) == sorted(
        [Role.ADMIN, Role.PROGRAM_MANAGER, Role.SUPERVISOR, Role.BILLING]
    )

    by_email = {u.email: u for u in users.values()}
    demo_coach = by_email["coach@demo.coachapp.example"]
    demo_supervisor = by_email["supervisor@demo.coachapp.example"]
    assert demo_coach.supervisor_id == demo_supervisor.id
    active = db.session.scalar(
        select(func.count()).where(Client.coach_id == demo_coach.id, Client.status == "active")
    )
    assert 10 <= active <= 14


def test_demo_users_sign_in_with_the_demo_password(small, db):
    for role, email in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, email
        assert user.role == role and user.active
        assert verify_password(user.password_hash, DEMO_PASSWORD)
        assert not verify_password(user.password_hash, DEMO_PASSWORD + "x")
    # Hashed once and shared: argon2 salts every hash, so one value means one hashing.
    assert len(column_values("SELECT DISTINCT password_hash FROM users")) == 1


def test_client_records_belong_to_the_clients_coach(small):
    for table in ("sessions", "appointments", "referrals", "assessments"):
        mismatched = scalar(
            f"SELECT COUNT(*) FROM {table} r JOIN clients c ON c.id = r.client_id "  # noqa: S608
            "WHERE r.coach_id != c.coach_id"
        )
        assert mismatched == 0, table
    # A session and the goals it addressed belong to the same client, while the goal was open.
    assert (
        scalar(
            "SELECT COUNT(*) FROM session_goals sg JOIN sessions s ON s.id = sg.session_id "
            "JOIN goals g ON g.id = sg.goal_id WHERE g.client_id != s.client_id "
            "OR s.date < g.opened_on OR (g.closed_on IS NOT NULL AND s.date > g.closed_on)"
        )
        == 0
    )
    # Supervision notes name clients of the coaches they name.
    assert (
        scalar(
            "SELECT COUNT(*) FROM supervision_note_clients nc "
            "JOIN clients c ON c.id = nc.client_id "
            "WHERE NOT EXISTS (SELECT 1 FROM supervision_note_coaches k "
            "WHERE k.note_id = nc.note_id AND k.coach_id = c.coach_id)"
        )
        == 0
    )


def test_sessions_fall_inside_an_episode_and_before_today(small, db):
    outside = scalar(
        "SELECT COUNT(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM enrollments e "
        "WHERE e.client_id = s.client_id AND s.date >= e.intake_date "
        "AND (e.discharge_date IS NULL OR s.date <= e.discharge_date))"
    )
    assert outside == 0
    first, last = db.session.execute(
        select(func.min(CoachingSession.date), func.max(CoachingSession.date))
    ).one()
    assert last < TODAY
    assert TODAY - timedelta(days=600) <= first < TODAY - timedelta(days=365)
    minutes = dict(
        db.session.execute(
            select(CoachingSession.outcome, func.avg(CoachingSession.duration_minutes)).group_by(
                CoachingSession.outcome
            )
        ).all()
    )
    assert minutes["attempted"] < 15 < 30 < minutes["completed"]
    completed_share = scalar(
        "SELECT AVG(CASE WHEN outcome = 'completed' THEN 1.0 ELSE 0 END) FROM sessions"
    )
    assert 0.7 <= completed_share <= 0.9
    # Older notes are mostly signed off; the last few days' are not.
    recent = TODAY - timedelta(days=4)
    assert (
        scalar(
            "SELECT COUNT(*) FROM sessions WHERE reviewed_by_id IS NOT NULL AND date >= :d",
            d=recent,
        )
        == 0
    )
    assert db.session.scalar(
        select(func.count()).where(CoachingSession.reviewed_at.is_not(None))
    ) > db.session.scalar(select(func.count()).where(CoachingSession.reviewed_at.is_(None)))


def test_assessment_totals_are_item_sums(small, db):
    rows = db.session.scalars(select(Assessment)).all()
    assert rows
    for row in rows:
        assert all(1 <= item <= 6 for item in row.items)
        assert row.total == sum(row.items)
    per_client = db.session.execute(
        select(Assessment.client_id, func.count()).group_by(Assessment.client_id)
    ).all()
    assert max(n for _client, n in per_client) <= 5
    assert len(per_client) < 60  # some clients have none


def test_appointments_follow_the_calendar(small, db):
    midnight = datetime.combine(TODAY, datetime.min.time())
    future = db.session.scalars(select(Appointment).where(Appointment.scheduled_at >= midnight))
    future = list(future)
    assert future
    assert all(a.outcome == AppointmentOutcome.SCHEDULED for a in future)
    assert all(a.coach_accompanied is None for a in future)
    assert max(a.scheduled_at for a in future) < midnight + timedelta(days=43)
    # A few past appointments still wait for an outcome: the alert case.
    assert db.session.scalar(
        select(func.count()).where(
            Appointment.scheduled_at < midnight, Appointment.outcome == "scheduled"
        )
    )
    assert (
        scalar(
            "SELECT COUNT(*) FROM appointments WHERE outcome != 'scheduled' "
            "AND (outcome_recorded_at IS NULL OR coach_accompanied IS NULL)"
        )
        == 0
    )

    def no_show_rate(planned: bool) -> float:
        counts = dict(
            db.session.execute(
                select(Appointment.outcome, func.count())
                .where(Appointment.accompaniment_planned.is_(planned))
                .group_by(Appointment.outcome)
            ).all()
        )
        return counts["no_show"] / (counts["no_show"] + counts["attended"])

    assert no_show_rate(True) < no_show_rate(False)
    planned_attended = db.session.scalars(
        select(Appointment.coach_accompanied).where(
            Appointment.accompaniment_planned.is_(True), Appointment.outcome == "attended"
        )
    ).all()
    assert sum(planned_attended) > len(planned_attended) / 2


def test_referrals_and_their_history(small, db):
    referrals = db.session.scalars(select(Referral)).all()
    categories = {r.id: r.category for r in db.session.scalars(select(Resource))}
    history: dict[int, list[ReferralStatusChange]] = {}
    changes = select(ReferralStatusChange).order_by(
        ReferralStatusChange.changed_on, ReferralStatusChange.id
    )
    for change in db.session.scalars(changes):
        history.setdefault(change.referral_id, []).append(change)
    for referral in referrals:
        assert referral.category == categories[referral.resource_id]
        assert (referral.status == ReferralStatus.CONNECTED) == (referral.connected_on is not None)
        closed = referral.status in (ReferralStatus.DECLINED, ReferralStatus.NOT_CONNECTED)
        assert closed == (referral.closed_on is not None)
        steps = [(c.status, c.changed_on) for c in history[referral.id]]
        assert steps[0] == ("referred", referral.referred_on)
        if referral.status == ReferralStatus.REFERRED:
            assert len(steps) == 1
        else:
            ended = referral.connected_on or referral.closed_on
            assert steps[1:] == [(referral.status, ended)]
            assert ended >= referral.referred_on
    stale = [
        r
        for r in referrals
        if r.status == ReferralStatus.REFERRED and r.referred_on < TODAY - timedelta(days=14)
    ]
    assert stale


def test_goals_open_and_close_inside_their_episode(small, db):
    goals = db.session.scalars(select(Goal)).all()
    for goal in goals:
        assert (goal.status == GoalStatus.ACTIVE) == (goal.closed_on is None)
        if goal.closed_on is not None:
            assert goal.opened_on <= goal.closed_on < TODAY
    assert (
        scalar(
            "SELECT COUNT(*) FROM goals g WHERE NOT EXISTS (SELECT 1 FROM enrollments e "
            "WHERE e.client_id = g.client_id AND g.opened_on >= e.intake_date "
            "AND (e.discharge_date IS NULL OR g.opened_on <= e.discharge_date))"
        )
        == 0
    )


def test_meetings_and_cover(small, db):
    meetings = db.session.scalars(select(Resource).where(Resource.meeting_model.is_not(None))).all()
    assert 12 <= len(meetings) <= 20
    for meeting in meetings:
        assert meeting.category == ResourceCategory.RECOVERY_SUPPORT
        assert meeting.meeting_day in range(7) and meeting.meeting_time is not None
        assert meeting.meeting_open is not None and meeting.meeting_schedule
    assert all(
        r.organization_id and r.last_verified_on for r in db.session.scalars(select(Resource))
    )
    in_force = scalar(
        "SELECT COUNT(*) FROM covering_assignments WHERE starts_on <= :d AND ends_on >= :d",
        d=TODAY,
    )
    past = scalar("SELECT COUNT(*) FROM covering_assignments WHERE ends_on < :d", d=TODAY)
    assert (in_force, past) == (1, 1)
