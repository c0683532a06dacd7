"""The synthetic demo program at real volume (a supervisor's backlog, a program's figures),
determinism, and the empty-database guard."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from coachapp import create_app
from coachapp.clients.services import name_key
from coachapp.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoError,
    build_demo,
)
from coachapp.extensions import db as _db
from coachapp.models import (
    Base,
    Client,
    CoachingSession,
    Enrollment,
    Program,
    Referral,
    User,
)
from coachapp.models.enums import (
    DischargeReason,
    Role,
)
from tests import factories
from tests.helpers import (
    create_scratch_database,
    drop_scratch_database,
    make_test_config,
    on_postgres,
)
from tests.platform.helpers import SEED, TODAY, scalar


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
    assert summary.counts["users"] == 9
    assert scalar("SELECT COUNT(*) FROM users") == 10
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
