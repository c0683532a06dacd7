"""The monthly claims worksheet: lines, modifiers, units by the settings in force, and every
reason a billable session is listed apart."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import select

from coachapp.billing import services
from coachapp.extensions import db
from coachapp.models import AuditEvent, BillingSetting, RecoveryPlan
from tests import factories
from tests.helpers import QueryCounter

MONTH = "2026-05"


def sheet_of(user, program, month=MONTH):
    return services.worksheet(user, program, month)


def reasons(sheet):
    return {item.session_id: item.reason for item in sheet.not_billable}


def test_a_signed_session_on_the_plan_is_one_line(
    billing_user, program, setting, billable_client, make_session
):
    row = make_session(billable_client, start=time(9), end=time(9, 38))
    sheet = sheet_of(billing_user, program)
    assert sheet.not_billable == []
    (line,) = sheet.lines
    assert line.session_id == row.id
    assert line.client_code == billable_client.code
    assert line.member_id == "MCD123456"
    assert line.date_of_service == date(2026, 5, 4)
    assert (line.code, line.modifiers, line.units, line.place_of_service) == ("H0038", [], 3, "11")
    assert line.coach_id == billable_client.coach_id


def test_group_and_telehealth_modifiers(
    billing_user, program, setting, billable_client, make_session
):
    group = make_session(billable_client, kind="group", group_size=5)
    home = make_session(billable_client, on=date(2026, 5, 5), place_of_service="10")
    sized = make_session(billable_client, on=date(2026, 5, 6), group_size=2, place_of_service="02")
    lines = {line.session_id: line.modifiers for line in sheet_of(billing_user, program).lines}
    assert lines == {group.id: ["HQ"], home.id: ["95"], sized.id: ["HQ", "95"]}


def test_each_reason_a_session_is_listed_apart(
    billing_user, program, setting, billable_client, make_session, coach
):
    unsigned = make_session(billable_client, on=date(2026, 5, 5), signed_at=None)
    no_times = make_session(billable_client, on=date(2026, 5, 6), start=None)
    no_place = make_session(billable_client, on=date(2026, 5, 7), place_of_service=None)
    off_plan_goal = factories.goal(billable_client, description="Not on the plan")
    off_plan = make_session(billable_client, on=date(2026, 5, 8), goals=[off_plan_goal])
    no_goal = make_session(billable_client, on=date(2026, 5, 9), goals=[])
    short = make_session(billable_client, on=date(2026, 5, 11), end=time(9, 7))
    attempted = make_session(billable_client, on=date(2026, 5, 12), outcome="attempted")
    archived = make_session(
        billable_client, on=date(2026, 5, 13), archived_at=datetime.now(timezone.utc)
    )
    not_billable = make_session(billable_client, on=date(2026, 5, 14), billable=False)
    no_member = factories.client(coach, intake_date=date(2026, 4, 1))
    missing_member = factories.session(
        no_member,
        on=date(2026, 5, 4),
        billable=True,
        start_time=time(9),
        end_time=time(10),
        place_of_service="11",
        signed_at=datetime(2026, 5, 4, tzinfo=timezone.utc),
    )
    no_plan_client = factories.client(coach, intake_date=date(2026, 4, 1), member_id="M2")
    goal = factories.goal(no_plan_client)
    no_plan = make_session(no_plan_client, goals=[goal])
    draft_client = factories.client(coach, intake_date=date(2026, 4, 1), member_id="M3")
    draft_goal = factories.goal(draft_client)
    db.session.add(
        RecoveryPlan(
            client_id=draft_client.id,
            enrollment_id=draft_client.latest_enrollment.id,
            number=1,
            status="draft",
            signed_by_coach_at=datetime(2026, 4, 2, tzinfo=timezone.utc),
        )
    )
    db.session.commit()
    draft = make_session(draft_client, goals=[draft_goal])
    sheet = sheet_of(billing_user, program)
    assert sheet.lines == []
    assert reasons(sheet) == {
        unsigned.id: "unsigned",
        no_times.id: "missing times or place of service",
        no_place.id: "missing times or place of service",
        off_plan.id: "goal not on the plan",
        no_goal.id: "goal not on the plan",
        short.id: "too short for a unit",
        attempted.id: "not a completed session",
        missing_member.id: "missing member id",
        no_plan.id: "no plan",
        draft.id: "plan not signed",
    }
    assert archived.id not in reasons(sheet) and not_billable.id not in reasons(sheet)


def test_a_plan_signed_after_the_session_is_no_plan_that_day(
    billing_user, program, setting, billable_client, make_session
):
    before = make_session(billable_client, on=date(2026, 4, 19))
    on_the_day = make_session(billable_client, on=date(2026, 4, 20))
    sheet = sheet_of(billing_user, program, "2026-04")
    assert reasons(sheet) == {before.id: "plan not signed"}
    assert [line.session_id for line in sheet.lines] == [on_the_day.id]


def test_the_daily_cap_across_two_sessions(
    billing_user, program, setting, billable_client, make_session
):
    """Cap 4: 9:00-9:38 is 3 units, 14:00-14:38 gets the 1 left, 16:00 is over the cap."""
    morning = make_session(billable_client, start=time(9), end=time(9, 38))
    afternoon = make_session(billable_client, start=time(14), end=time(14, 38))
    late = make_session(billable_client, start=time(16), end=time(16, 30))
    sheet = sheet_of(billing_user, program)
    assert {line.session_id: line.units for line in sheet.lines} == {morning.id: 3, afternoon.id: 1}
    assert reasons(sheet) == {late.id: "over the daily cap"}


def test_units_follow_the_settings_in_force_on_the_day(
    billing_user, program, setting, billable_client, make_session, admin
):
    services.put_setting(
        program,
        {
            "effective_from": date(2026, 5, 15),
            "payer": "State Medicaid",
            "code": "H0038",
            "unit_minutes": 15,
            "first_unit_minutes": 15,
            "next_unit_minutes": 15,
        },
        actor=admin,
    )
    db.session.commit()
    early = make_session(billable_client, on=date(2026, 5, 14), end=time(9, 23))
    late = make_session(billable_client, on=date(2026, 5, 15), end=time(9, 23))
    units = {line.session_id: line.units for line in sheet_of(billing_user, program).lines}
    assert units == {early.id: 2, late.id: 1}


def test_no_settings_and_cosignature(billing_user, program, billable_client, make_session, admin):
    none_yet = make_session(billable_client)
    assert reasons(sheet_of(billing_user, program)) == {none_yet.id: "no billing settings in force"}
    data = {
        "effective_from": date(2026, 1, 1),
        "payer": "P",
        "code": "H0038",
        "unit_minutes": 15,
        "first_unit_minutes": 8,
        "next_unit_minutes": 8,
        "cosign_required": True,
    }
    services.put_setting(program, data, actor=admin)
    db.session.commit()
    cosigned = make_session(
        billable_client, on=date(2026, 5, 5), cosigned_at=datetime.now(timezone.utc)
    )
    sheet = sheet_of(billing_user, program)
    assert reasons(sheet) == {none_yet.id: "co-signature required but missing"}
    assert [line.session_id for line in sheet.lines] == [cosigned.id]


def test_another_programs_sessions_never_appear(
    billing_user, program, setting, billable_client, make_session
):
    make_session(billable_client)
    elsewhere = factories.program()
    other_billing = factories.user("billing", program=elsewhere)
    assert sheet_of(other_billing, program).lines == []  # no clients reach through the rule
    assert len(sheet_of(billing_user, program).lines) == 1


def test_the_worksheet_is_a_few_statements_whatever_the_sessions(
    billing_user, program, setting, billable_client, make_session, coach
):
    for day in range(4, 9):
        make_session(billable_client, on=date(2026, 5, day))
    db.session.expire_all()
    with QueryCounter(db.engine) as few:
        sheet_of(billing_user, program)
    for day in range(11, 30):
        make_session(billable_client, on=date(2026, 5, day))
    db.session.expire_all()
    with QueryCounter(db.engine) as many:
        sheet_of(billing_user, program)
    # The settings versions, six set statements, and the user and program reloaded (expired).
    assert many.n == few.n <= 9


def test_put_setting_same_date_replaces(program, admin):
    data = {
        "effective_from": date(2026, 6, 1),
        "payer": "A",
        "code": "H0038",
        "unit_minutes": 15,
        "first_unit_minutes": 8,
        "next_unit_minutes": 8,
    }
    services.put_setting(program, data, actor=admin)
    services.put_setting(program, data | {"payer": "B"}, actor=admin)
    db.session.commit()
    rows = db.session.scalars(select(BillingSetting)).all()
    assert [r.payer for r in rows] == ["B"]
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "billing_setting")
    ).all()
    assert sorted(events) == ["create", "update"]


def test_setting_rules():
    problems = services.setting_problems(
        {
            "payer": " ",
            "code": "X38",
            "group_modifier": "h",
            "unit_minutes": 15,
            "first_unit_minutes": 16,
            "next_unit_minutes": 0,
            "daily_cap_units": 0,
            "effective_from": None,
        }
    )
    assert set(problems) == {
        "payer",
        "code",
        "group_modifier",
        "first_unit_minutes",
        "next_unit_minutes",
        "daily_cap_units",
        "effective_from",
    }


def test_parse_month():
    assert services.parse_month("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    for bad in ("2026-13", "2026-2", "", None, "2026-00", "abcd-ef", "0000-01"):
        assert services.parse_month(bad) is None
