"""The synthetic demo program: shape, realism rules, determinism and the empty-database guard.

Only the small scale is built here; medium and large are measured by hand (see coachapp/demo.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from coachapp import create_app
from coachapp.auth.passwords import verify_password
from coachapp.clients.services import name_key
from coachapp.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    SCALES,
    DemoError,
    DemoSummary,
    build_demo,
)
from coachapp.extensions import db as _db
from coachapp.models import (
    Appointment,
    Assessment,
    Base,
    Client,
    CoachingSession,
    Enrollment,
    Goal,
    Program,
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
from tests import factories
from tests.helpers import (
    create_scratch_database,
    drop_scratch_database,
    make_test_config,
    on_postgres,
)

TODAY = date(2026, 3, 31)
SEED = 7
WRITTEN_TABLES = (
    "programs", "teams", "users", "training_records", "organizations", "resources", "clients",
    "enrollments", "goals", "sessions", "session_goals", "appointments", "referrals",
    "referral_status_changes", "assessments", "mutual_aid_attendance", "consent_records",
    "supervision_notes", "supervision_note_coaches", "supervision_note_clients",
    "covering_assignments", "client_profiles", "client_status_records",
)  # fmt: skip
UNTOUCHED_TABLES = ("audit_events", "api_tokens", "break_glass_accesses", "client_merges")


@pytest.fixture
def small(db) -> DemoSummary:
    return build_demo("small", SEED, today=TODAY)


def scalar(sql: str, **params) -> object:
    return _db.session.execute(text(sql), params).scalar()


def column_values(sql: str) -> set:
    return set(_db.session.execute(text(sql)).scalars())


def database_digest() -> str:
    """SHA-256 of every row of every table, in primary-key order.

    Password hashes are left out: argon2 salts each hash, so they differ by design.
    """
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "password_hash"]
        rows = _db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        digest.update(table.name.encode())
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@contextmanager
def fresh_database() -> Iterator[None]:
    """A second app on its own empty database, its context pushed (SQLite or PostgreSQL)."""
    url = create_scratch_database("coachapp_demo") if on_postgres() else "sqlite://"
    try:
        app = create_app(make_test_config(url))
        with app.app_context():
            _db.create_all()
            try:
                yield
            finally:
                _db.session.remove()
                _db.engine.dispose()
    finally:
        if on_postgres():
            drop_scratch_database(url)


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
    assert counts["users"] == 5 + 1 + 2  # coaches, one supervisor, manager and admin
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
        [Role.ADMIN, Role.PROGRAM_MANAGER, Role.SUPERVISOR]
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


# --- Real volume: a supervisor's backlog and a program's figures ------------------------------


def demo_user(db, role: str) -> User:
    return db.session.scalar(select(User).where(User.email == dict(DEMO_USERS)[role]))


@pytest.mark.parametrize(("seed", "today"), [(SEED, TODAY), (1, date(2026, 12, 6))])
def test_the_demo_supervisor_has_a_years_backlog(db, seed, today):
    build_demo("small", seed, today=today)
    supervisor = demo_user(db, Role.SUPERVISOR)
    team = select(User.id).where(User.supervisor_id == supervisor.id)
    waiting, oldest, newest = db.session.execute(
        select(func.count(), func.min(CoachingSession.date), func.max(CoachingSession.date)).where(
            CoachingSession.reviewed_at.is_(None),
            CoachingSession.archived_at.is_(None),
            CoachingSession.coach_id.in_(team),
        )
    ).one()
    assert waiting >= 150
    assert newest >= today - timedelta(days=3)
    assert (newest - oldest).days >= 335  # eleven months and more
    # Still a backlog, not neglect: most notes older than a month are signed off.
    old = CoachingSession.date < today - timedelta(days=30)
    signed, total = db.session.execute(
        select(func.count(CoachingSession.reviewed_at), func.count()).where(old)
    ).one()
    assert signed / total > 0.9


@pytest.mark.parametrize(("seed", "today"), [(SEED, TODAY), (1, date(2026, 12, 6))])
def test_the_demo_report_looks_like_a_real_programs(db, seed, today):
    """The default report (the last 12 months) of the demo supervisor's team and of the program:
    clients who drift away, no-shows and referrals that fail, in plausible proportions."""
    from coachapp.reports.forms import DEFAULT_PRESET, preset_period
    from coachapp.reports.metrics import Scope, detailed_report

    build_demo("small", seed, today=today)
    program_id = scalar("SELECT id FROM programs")
    period = preset_period(DEFAULT_PRESET, today)
    supervisor = demo_user(db, Role.SUPERVISOR)
    for scope in (Scope(program_id), Scope(program_id, supervisor_id=supervisor.id)):
        report = detailed_report(scope, period)
        clients, appointments = report["clients"], report["appointments"]
        referrals = report["referrals"]
        assert clients["enrolled"] >= 40
        assert 0.65 <= clients["engagement_rate"] <= 0.88, clients
        assert 0.12 <= appointments["no_show_rate"] <= 0.3, appointments
        assert 0.35 <= referrals["linkage_rate"] <= 0.65, referrals
        assert report["retention"]["30"]["rate"] < 1
        # Accompaniment still shows its effect.
        assert appointments["no_show_rate_accompanied"] < appointments["no_show_rate_unaccompanied"]


def test_drifting_clients_and_failed_referrals(small, db):
    """Clients who drift away (no completed contact for 30+ days while still open, or discharged
    as lost to contact), clients never reached after intake, and referrals closed with a
    reason."""
    last_contact = (
        "SELECT MAX(s.date) FROM sessions s WHERE s.client_id = c.id AND s.outcome = 'completed'"
    )
    drifted = scalar(
        f"SELECT COUNT(*) FROM clients c WHERE c.status != 'discharged' "  # noqa: S608
        f"AND ({last_contact}) < :d",
        d=TODAY - timedelta(days=30),
    )
    assert drifted >= 4
    never_reached = scalar(
        "SELECT COUNT(*) FROM clients c WHERE NOT EXISTS (SELECT 1 FROM sessions s "
        "WHERE s.client_id = c.id AND s.outcome = 'completed')"
    )
    assert 3 <= never_reached <= 15
    # Outreach kept trying: attempts after the last completed contact.
    assert scalar(
        f"SELECT COUNT(*) FROM sessions s JOIN clients c ON c.id = s.client_id "  # noqa: S608
        f"WHERE s.outcome = 'attempted' AND s.date > COALESCE(({last_contact}), '1900-01-01')"
    )
    lost = db.session.scalars(
        select(Enrollment).where(Enrollment.discharge_reason == DischargeReason.DISENGAGED)
    ).all()
    assert len(lost) >= 4
    statuses = dict(
        _db.session.execute(text("SELECT status, COUNT(*) FROM referrals GROUP BY status")).all()
    )
    failed = statuses["declined"] + statuses["not_connected"]
    assert 0.25 <= failed / sum(statuses.values()) <= 0.5
    closed = db.session.scalars(
        select(Referral).where(Referral.status.in_(("declined", "not_connected")))
    ).all()
    assert all(r.notes for r in closed)
    assert any("Not eligible" in r.notes for r in closed)
    assert any("No show" in r.notes for r in closed)


def test_client_profiles_and_status_histories(small, db):
    """Demographics for most clients (some not asked, a few declined); a housing and an
    employment status at intake for most, later changes for a share, every date inside the
    client's first episode and never after yesterday; no client twice the same status in a row."""
    from coachapp.models import ClientProfile, ClientStatusRecord
    from coachapp.models.enums import LIVING_SITUATION_GROUP, LivingSituation

    profiles = db.session.scalars(select(ClientProfile)).all()
    assert 0.75 * 60 <= len(profiles) < 60
    answers = [getattr(p, f) for p in profiles for f in ("gender_identity", "insurance")]
    assert answers.count(None) > 0 and answers.count("declined") > 0
    assert answers.count("declined") < 0.15 * len(answers)

    rows = db.session.scalars(
        select(ClientStatusRecord).order_by(ClientStatusRecord.client_id, ClientStatusRecord.as_of)
    ).all()
    first_episode = {
        e.client_id: e
        for e in db.session.scalars(select(Enrollment).order_by(Enrollment.intake_date.desc()))
    }
    by_client: dict[tuple[int, str], list] = {}
    for row in rows:
        episode = first_episode[row.client_id]
        assert episode.intake_date <= row.as_of < TODAY, row.id
        if episode.discharge_date is not None:
            assert row.as_of <= episode.discharge_date, row.id
        by_client.setdefault((row.client_id, row.kind), []).append(row)
    housing = [v for (_c, kind), v in by_client.items() if kind == "housing"]
    employment = [v for (_c, kind), v in by_client.items() if kind == "employment"]
    assert len(housing) >= 0.7 * 60 and len(employment) >= 0.65 * 60
    for history in by_client.values():
        assert len({r.as_of for r in history}) == len(history)
        assert all(a.status != b.status for a, b in zip(history, history[1:], strict=False))
    homeless = {s for s, g in LIVING_SITUATION_GROUP.items() if g == "homeless"}
    assert any(
        h[0].status in homeless
        and LIVING_SITUATION_GROUP[LivingSituation(h[-1].status)] in ("permanent", "temporary")
        for h in housing
    )
    assert any(len(e) > 1 and e[-1].status in ("full_time", "part_time") for e in employment)


# --- Determinism -------------------------------------------------------------------------------


def test_same_seed_and_day_give_identical_rows(small):
    first = database_digest()
    with fresh_database():
        build_demo("small", SEED, today=TODAY)
        assert database_digest() == first
    with fresh_database():
        build_demo("small", SEED + 1, today=TODAY)
        assert database_digest() != first


def test_dates_follow_today(db):
    later = TODAY + timedelta(days=100)
    build_demo("small", SEED, today=later)
    last_session = scalar("SELECT MAX(date) FROM sessions")
    last_session = date.fromisoformat(str(last_session)[:10])
    assert TODAY < last_session < later


# --- Refusals and what comes after ---------------------------------------------------------


def test_refuses_a_database_with_a_program(small):
    sessions = scalar("SELECT COUNT(*) FROM sessions")
    with pytest.raises(DemoError):
        build_demo("small", SEED, today=TODAY)
    assert scalar("SELECT COUNT(*) FROM sessions") == sessions
    assert scalar("SELECT COUNT(*) FROM programs") == 1


def test_refuses_a_database_someone_started_using(db):
    factories.program(name="Already here")
    with pytest.raises(DemoError):
        build_demo("small", SEED, today=TODAY)
    assert scalar("SELECT COUNT(*) FROM users") == 0


def test_refuses_an_unknown_scale(db):
    with pytest.raises(DemoError, match="scale"):
        build_demo("huge", SEED, today=TODAY)
    assert scalar("SELECT COUNT(*) FROM programs") == 0


def test_loads_next_to_an_admin_made_first(db):
    """``flask users create --role admin`` before the demo: ids continue after the admin."""
    admin = factories.user("admin", email="first-admin@example.org")
    summary = build_demo("small", SEED, today=TODAY)
    assert summary.counts["users"] == 8
    assert scalar("SELECT COUNT(*) FROM users") == 9
    assert scalar("SELECT MIN(id) FROM users WHERE id != :a", a=admin.id) > admin.id


def test_new_rows_after_the_build_get_fresh_ids(small, db):
    """On PostgreSQL the id sequences must be moved past the explicit ids of the build."""
    program = Program(name="Second program")
    db.session.add(program)
    db.session.flush()
    coach = db.session.scalar(select(User).where(User.role == Role.COACH))
    client = Client(
        program_id=program.id,
        code="C-00001",
        first_name="Nova",
        last_name="Quinn",
        name_key=name_key("Nova", "Quinn"),
        coach_id=coach.id,
    )
    db.session.add(client)
    db.session.flush()
    db.session.add(Enrollment(client_id=client.id, intake_date=TODAY))
    session = CoachingSession(
        client_id=client.id,
        coach_id=coach.id,
        date=TODAY,
        duration_minutes=30,
        modality="phone",
        kind="coaching",
        outcome="completed",
    )
    db.session.add(session)
    db.session.commit()
    assert program.id == 2
    assert client.id == 61
    assert session.id > small.counts["sessions"]


def test_cli_loads_the_demo_and_prints_the_sign_ins(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--scale", "small", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for _role, email in DEMO_USERS:
        assert email in result.output
    assert DEMO_PASSWORD in result.output
    again = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
