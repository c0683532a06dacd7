"""Break-the-glass lasts the program's ``break_glass_minutes``; the page and its flash say how
long; the review page shows each access's opening, expiry and state in the program's zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.models import BreakGlassAccess
from coachapp.oversight.services import duration_text
from tests import factories

REASON = "Coach unreachable, client in crisis call"


@pytest.fixture
def client_record(coach):
    return factories.client(coach)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(15, "15 minutes"), (60, "1 hour"), (90, "1 hour 30 minutes"), (1440, "24 hours")],
)
def test_duration_text(minutes, text):
    assert duration_text(minutes) == text


def test_the_access_lasts_the_programs_minutes_and_says_so(db, login, admin, client_record):
    program = client_record.program
    program.break_glass_minutes = 45
    db.session.commit()
    browser = login(admin)
    assert "(45 minutes)" in browser.get("/oversight/break-glass").get_data(as_text=True)
    before = datetime.now(timezone.utc)
    response = browser.post(
        "/oversight/break-glass",
        data={"program_id": program.id, "code": client_record.code, "reason": REASON},
        follow_redirects=True,
    )
    assert (
        f"Access to {client_record.code} for 45 minutes, logged for review."
        in response.get_data(as_text=True)
    )
    grant = db.session.scalar(select(BreakGlassAccess))
    opened = grant.opened_at.replace(tzinfo=timezone.utc)
    expires = grant.expires_at.replace(tzinfo=timezone.utc)
    assert expires - opened == timedelta(minutes=45)
    assert before - timedelta(seconds=5) <= opened <= datetime.now(timezone.utc)


def test_review_shows_opening_expiry_and_state_in_program_time(
    db, login, admin, program_manager, client_record
):
    program = client_record.program
    program.timezone = "America/Chicago"
    db.session.commit()
    now = datetime.now(timezone.utc)
    closed = BreakGlassAccess(
        user_id=admin.id,
        client_id=client_record.id,
        reason="An older access, long closed",
        opened_at=datetime(2026, 7, 1, 15, 0, tzinfo=timezone.utc),
        expires_at=datetime(2026, 7, 1, 17, 0, tzinfo=timezone.utc),
    )
    still_open = BreakGlassAccess(
        user_id=admin.id,
        client_id=client_record.id,
        reason="A current access, still open",
        opened_at=now - timedelta(minutes=10),
        expires_at=now + timedelta(minutes=50),
    )
    db.session.add_all([closed, still_open])
    db.session.commit()
    page = login(program_manager).get("/oversight/break-glass/review").get_data(as_text=True)
    # 15:00 and 17:00 UTC on 1 July are 10:00 and 12:00 in Chicago (CDT).
    assert "2026-07-01 10:00" in page and "2026-07-01 12:00" in page
    assert "<td>closed</td>" in page
    from zoneinfo import ZoneInfo

    until = (now + timedelta(minutes=50)).astimezone(ZoneInfo("America/Chicago")).strftime("%H:%M")
    assert f"open until {until}" in page
    assert page.count("open until") == 1


def test_admin_sets_the_duration_on_the_program_page_audited(db, login, admin, client_record):
    from coachapp.models import AuditEvent, Program

    program = client_record.program
    browser = login(admin)
    form = browser.get(f"/admin/programs/{program.id}/edit").get_data(as_text=True)
    assert 'name="break_glass_minutes"' in form and 'value="120"' in form
    data = {"name": program.name, "timezone": program.timezone, "fiscal_year_start_month": "1"}
    response = browser.post(
        f"/admin/programs/{program.id}/edit", data=data | {"break_glass_minutes": "30"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Program, program.id).break_glass_minutes == 30
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "program", AuditEvent.action == "update")
    )
    assert event.fields == "break_glass_minutes" and event.user_id == admin.id
    # Not sent: the program keeps its duration.
    assert browser.post(f"/admin/programs/{program.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Program, program.id).break_glass_minutes == 30


@pytest.mark.parametrize("minutes", ["14", "1441", "abc", "-5"])
def test_the_duration_out_of_range_is_refused_beside_the_field(
    db, login, admin, client_record, minutes
):
    from coachapp.models import Program

    program = client_record.program
    data = {
        "name": program.name,
        "timezone": program.timezone,
        "fiscal_year_start_month": "1",
        "break_glass_minutes": minutes,
    }
    response = login(admin).post(f"/admin/programs/{program.id}/edit", data=data)
    assert response.status_code == 422
    assert 'id="break_glass_minutes-errors"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Program, program.id).break_glass_minutes == 120


def test_admins_set_the_duration_through_the_api(db, anon, bearer, admin, coach, client_record):
    from coachapp.models import AuditEvent, Program

    program = client_record.program
    headers = bearer(admin)
    url = f"/api/v1/programs/{program.id}"
    response = anon.patch(url, headers=headers, json={"break_glass_minutes": 240})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["break_glass_minutes"] == 240
    assert response.get_json()["name"] == program.name
    db.session.expire_all()
    assert db.session.get(Program, program.id).break_glass_minutes == 240
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "program", AuditEvent.action == "update")
    )
    assert event.fields == "break_glass_minutes"
    for wrong in (14, 1441, "60", True):
        refused = anon.patch(url, headers=headers, json={"break_glass_minutes": wrong})
        assert refused.status_code == 422
        assert "break_glass_minutes" in refused.get_json()["error"]["fields"]
    assert anon.patch(url, headers=bearer(coach), json={}).status_code == 403
    assert anon.patch("/api/v1/programs/999999", headers=headers, json={}).status_code == 404
    listed = anon.get("/api/v1/programs", headers=headers).get_json()["items"]
    assert {p["id"]: p["break_glass_minutes"] for p in listed}[program.id] == 240
