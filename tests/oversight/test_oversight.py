"""The audit trail page and export; admin break-the-glass and its review."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from coachapp.models import AuditEvent, BreakGlassAccess
from tests import factories


@pytest.fixture
def client_record(coach):
    return factories.client(coach)


def test_admin_breaks_the_glass_with_a_reason(db, login, admin, client_record):
    browser = login(admin)
    assert browser.get(f"/clients/{client_record.id}").status_code == 404
    response = browser.post(
        "/oversight/break-glass",
        data={
            "program_id": client_record.program_id,
            "code": client_record.code.lower(),
            "reason": "Coach unreachable, client in crisis call",
        },
    )
    assert response.status_code == 302
    assert browser.get(f"/clients/{client_record.id}").status_code == 200
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "break_glass"))
    assert event_row.client_id == client_record.id and event_row.user_id == admin.id
    grant = db.session.scalar(select(BreakGlassAccess))
    grant.expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    db.session.commit()
    assert browser.get(f"/clients/{client_record.id}").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "C-99999", "reason": "Coach unreachable, client in crisis"}, "No client with"),
        ({"reason": "too short"}, "15 to 500 characters"),
        ({"reason": "   "}, "This field is required."),
    ],
)
def test_break_glass_refuses(db, login, admin, client_record, data, message):
    form = {"program_id": client_record.program_id, "code": client_record.code} | data
    response = login(admin).post("/oversight/break-glass", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(BreakGlassAccess)) is None


@pytest.mark.parametrize("role", ["coach", "supervisor", "program_manager"])
def test_only_admins_break_the_glass(request, login, role):
    assert login(request.getfixturevalue(role)).get("/oversight/break-glass").status_code == 403


def test_program_manager_reviews_break_glass_of_their_program(
    db, login, admin, program_manager, client_record
):
    login(admin).post(
        "/oversight/break-glass",
        data={
            "program_id": client_record.program_id,
            "code": client_record.code,
            "reason": "Coach unreachable, client in crisis call",
        },
    )
    browser = login(program_manager)
    page = browser.get("/oversight/break-glass/review").get_data(as_text=True)
    assert "Coach unreachable" in page and client_record.code in page
    grant = db.session.scalar(select(BreakGlassAccess))
    assert browser.post(f"/oversight/break-glass/{grant.id}/reviewed").status_code == 302
    db.session.expire_all()
    assert db.session.get(BreakGlassAccess, grant.id).reviewed_by_id == program_manager.id
    other_pm = factories.user("program_manager", program=factories.program())
    assert "Coach unreachable" not in login(other_pm).get("/oversight/break-glass/review").get_data(
        as_text=True
    )
    assert login(other_pm).post(f"/oversight/break-glass/{grant.id}/reviewed").status_code == 404


def test_audit_page_filters(db, login, admin, coach, client_record):
    login(coach).get(f"/clients/{client_record.id}")
    browser = login(admin)
    page = browser.get(f"/oversight/audit?action=view&client={client_record.code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "1 event" in text and coach.name in text
    assert "0 events" in browser.get("/oversight/audit?action=export").get_data(as_text=True)


@pytest.mark.parametrize("query", ["action=explode", "start=2026-02-30", "user_id=abc"])
def test_audit_page_bad_filters_are_messages(login, admin, query):
    response = login(admin).get(f"/oversight/audit?{query}")
    assert response.status_code == 422


def test_program_manager_sees_only_their_program(db, login, program_manager, coach, client_record):
    login(coach).get(f"/clients/{client_record.id}")
    elsewhere = factories.program()
    stranger = factories.user("coach", program=elsewhere)
    theirs = factories.client(stranger)
    login(stranger).get(f"/clients/{theirs.id}")
    text = login(program_manager).get("/oversight/audit?action=view").get_data(as_text=True)
    assert client_record.code in text and "1 event" in text


@pytest.mark.parametrize("role", ["coach", "supervisor"])
def test_audit_page_is_not_for_coaches_or_supervisors(request, login, role):
    assert login(request.getfixturevalue(role)).get("/oversight/audit").status_code == 403


def test_audit_csv_export_is_itself_audited(db, login, admin, coach, client_record):
    login(coach).get(f"/clients/{client_record.id}")
    response = login(admin).get("/oversight/audit.csv?action=view")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["action"], r["client_code"]) for r in rows] == [("view", client_record.code)]
    assert client_record.last_name not in response.get_data(as_text=True)
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exports) == 1 and exports[0].user_id == admin.id
