"""The client's copy of their record: everything held about them, in HTML and JSON, and
nothing of another client's; made by the coach or supervisor on the client's request;
audited as an export and recorded as a disclosure to the client."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timezone
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from coachapp import timeutil
from coachapp.disclosures import copy, services
from coachapp.extensions import db as _db
from coachapp.models import (
    AuditEvent,
    ClientAssignment,
    ClientProfile,
    ClientStatusRecord,
    ConsentRecord,
    Disclosure,
    FollowUpInterview,
    MutualAidAttendance,
    RecoveryPlanStep,
    SessionAddendum,
)
from coachapp.models.enums import DisclosureKind
from tests import factories

# One distinctive string (or value) per kind of record, all synthetic.
MARKS = {
    "identity": "ZEPHYRINE-NOTE-4411",
    "session": "SESSION-NOTE-KESTREL-01",
    "addendum": "ADDENDUM-OSPREY-02",
    "goal": "GOAL-HERON-03",
    "plan": "PLAN-STRENGTH-PLOVER-04",
    "step": "PLAN-STEP-WREN-05",
    "appointment": "APPT-LOCATION-LARK-06",
    "referral": "REFERRAL-NOTE-TERN-07",
    "consent": "CONSENT-RECIPIENT-EGRET-08",
    "disclosure": "DISCLOSED-TO-IBIS-09",
    "assignment": "HANDOFF-NOTE-SWIFT-10",
    "discharge": "DISCHARGE-NOTE-AUK-11",
}


def fill(client, coach, marks: dict[str, str]):
    """One record of every kind the copy holds, each carrying its mark."""
    client.notes = marks["identity"]
    episode = client.latest_enrollment
    episode.discharge_note = marks["discharge"]
    (assignment,) = _db.session.scalars(
        select(ClientAssignment).where(ClientAssignment.client_id == client.id)
    ).all()
    assignment.handoff_note = marks["assignment"]
    _db.session.add(ClientProfile(client_id=client.id, veteran_status="no"))
    _db.session.add(
        ClientStatusRecord(
            client_id=client.id, kind="employment", status="part_time", as_of=date(2026, 2, 1)
        )
    )
    session = factories.session(client, note=marks["session"])
    _db.session.add(
        SessionAddendum(
            session_id=session.id, author_id=coach.id, text=marks["addendum"], reason="late"
        )
    )
    goal = factories.goal(client, description=marks["goal"])
    plan = factories.signed_plan(
        client, [goal], strengths=marks["plan"], client_signature_image="SIGNATURE-IMAGE-DATA"
    )
    _db.session.add(RecoveryPlanStep(plan_id=plan.id, position=1, action=marks["step"]))
    factories.appointment(client, location=marks["appointment"])
    factories.referral(client, notes=marks["referral"])
    assessment = factories.assessment(client, items=(1, 2, 3, 4, 5, 6, 1, 2, 3, 4))
    _db.session.add(MutualAidAttendance(client_id=client.id, model="smart_recovery"))
    _db.session.add(
        ConsentRecord(
            client_id=client.id,
            recipient=marks["consent"],
            purpose="care coordination",
            information_disclosed="enrollment dates",
            signed_on=date(2026, 2, 2),
        )
    )
    _db.session.add(
        FollowUpInterview(
            client_id=client.id,
            enrollment_id=episode.id,
            kind="six_month",
            done_on=date(2026, 6, 1),
        )
    )
    services.record(
        DisclosureKind.EXPORT,
        client_id=client.id,
        recipient=marks["disclosure"],
        purpose="payment (claims)",
        what="billing worksheet",
        actor=coach,
    )
    _db.session.commit()
    return assessment


def test_every_client_linked_table_is_in_the_copy_or_left_out_with_a_reason():
    in_copy = {section.table for section in copy.SECTIONS if section.parent is None}
    tables = copy.client_tables()
    assert tables, "no table links to clients?"
    missing = sorted(tables - in_copy - set(copy.LEFT_OUT))
    assert missing == [], (
        "client-linked tables neither in the patient's copy (coachapp/disclosures/copy.py "
        "SECTIONS) nor in LEFT_OUT with a reason: " + ", ".join(missing)
    )
    assert not in_copy & set(copy.LEFT_OUT)
    assert sorted(set(copy.LEFT_OUT) - tables) == []  # no stale names
    assert all(reason.strip() for reason in copy.LEFT_OUT.values())


@pytest.fixture
def full_record(coach):
    client = factories.client(
        coach, first_name="Marisol", last_name="Quintero-Vale", phone="555-0142"
    )
    assessment = fill(client, coach, MARKS)
    return client, assessment


@pytest.fixture
def another_record(other_coach):
    client = factories.client(other_coach, first_name="Tobias", last_name="Lindqvist")
    marks = {key: value.replace("-", "_") + "_OTHER" for key, value in MARKS.items()}
    fill(client, other_coach, marks)
    return client, marks


def test_the_copy_holds_every_kind_of_record_and_no_one_elses(
    db, login, coach, full_record, another_record
):
    client, assessment = full_record
    other, other_marks = another_record
    browser = login(coach)
    form = browser.get(f"/clients/{client.id}/copy")
    assert (
        form.status_code == 200
        and "The client asked for a copy of their record" in form.get_data(as_text=True)
    )

    page = browser.post(
        f"/clients/{client.id}/copy",
        data={"confirm": "y", "note": "printed at the office", "format": "html"},
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"].startswith("no-store")
    html = page.get_data(as_text=True)
    for kind, mark in MARKS.items():
        assert mark in html, kind
    assert "Marisol" in html and "Quintero-Vale" in html and "555-0142" in html
    assert "Casey Coach" in html  # assignment history and sessions by name
    assert client.program.name in html
    assert "SIGNATURE-IMAGE-DATA" not in html
    for mark in other_marks.values():
        assert mark not in html
    assert "Lindqvist" not in html

    download = browser.post(f"/clients/{client.id}/copy", data={"confirm": "y", "format": "json"})
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert download.headers["Cache-Control"].startswith("no-store")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    text = download.get_data(as_text=True)
    body = json.loads(text)
    for kind, mark in MARKS.items():
        assert mark in text, kind
    assert "SIGNATURE-IMAGE-DATA" not in text and "Lindqvist" not in text
    assert not any(mark in text for mark in other_marks.values())
    assert body["client"]["first_name"] == "Marisol" and body["client"]["coach"] == "Casey Coach"
    for section in copy.SECTIONS:
        assert body[section.key], f"{section.key} is empty"
    assert [a["id"] for a in body["assessments"]] == [assessment.id]
    assert body["assessments"][0]["total"] == 31
    assert body["mutual_aid"][0]["model"] == "smart_recovery"
    assert body["followups"][0]["kind"] == "six_month"
    assert body["statuses"][0]["status"] == "part_time"
    assert body["profile"][0]["veteran_status"] == "no"
    assert body["assignments"][0]["coach"] == "Casey Coach"
    assert body["referral_changes"][0]["status"] == "referred"

    # Both copies: audited as exports and recorded as disclosures to the client.
    exports = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "patient_copy")
    ).all()
    assert [(e.action, e.client_id) for e in exports] == [("export", client.id)] * 2
    assert all("Marisol" not in (e.detail or "") for e in exports)
    given = db.session.scalars(
        select(Disclosure).where(Disclosure.kind == "patient_copy").order_by(Disclosure.id)
    ).all()
    assert [d.client_id for d in given] == [client.id, client.id]
    assert given[0].recipient == "Marisol Quintero-Vale (the client)"
    assert given[0].purpose == "client's request for a copy of their record"
    assert "printed at the office" in given[0].what
    accounting = browser.get(f"/clients/{client.id}/disclosures").get_data(as_text=True)
    assert "Marisol Quintero-Vale (the client)" in accounting


def test_one_query_per_table(db, coach, full_record):
    """The copy's queries do not grow with the record: one per section, one for the names of
    staff and one for places (the client, their program and the user already loaded)."""
    client, _ = full_record
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def build() -> int:
        assert coach.role and client.coach_id and client.program.name  # loaded, as in a request
        statements.clear()
        event.listen(_db.engine, "before_cursor_execute", count)
        try:
            copy.build(coach, client)
        finally:
            event.remove(_db.engine, "before_cursor_execute", count)
        return len(statements)

    few = build()
    for n in range(5):
        factories.session(client, note=f"more {n}")
        factories.goal(client, description=f"more {n}")
    assert build() == few == len(copy.SECTIONS) + 2


def test_only_the_coach_or_supervisor_makes_it(
    db, login, coach, supervisor, other_coach, program_manager, admin, client_record
):
    url = f"/clients/{client_record.id}/copy"
    assert login(supervisor).get(url).status_code == 200
    for outsider in (other_coach, program_manager, admin):
        assert login(outsider).get(url).status_code == 404
        assert login(outsider).post(url, data={"confirm": "y"}).status_code == 404
    from coachapp.oversight import services as oversight

    oversight.break_glass(client_record, reason="Crisis", actor=admin)
    db.session.commit()
    glass = login(admin)
    assert glass.get(f"/clients/{client_record.id}").status_code == 200
    assert glass.get(url).status_code == 403
    assert glass.post(url, data={"confirm": "y"}).status_code == 403
    assert not db.session.scalars(select(Disclosure).where(Disclosure.kind == "patient_copy")).all()


def test_no_copy_without_the_confirmation(db, login, coach, client_record):
    response = login(coach).post(
        f"/clients/{client_record.id}/copy", data={"note": "by post", "format": "html"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Confirm that the client asked for a copy." in html and 'value="by post"' in html
    assert not db.session.scalars(select(Disclosure)).all()
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "patient_copy")
    ).all()


def test_the_copy_reads_well_for_the_client(db, login, coach, full_record, monkeypatch):
    """Headings in the client's order, fields by their labels, codes by the words the app shows
    them with, moments in the program's time; the JSON keeps its machine names and codes, with
    each code's label beside it."""
    client, _ = full_record
    client.program.timezone = "America/Los_Angeles"
    client.support_person = "sponsor"
    moment = datetime.combine(timeutil.local_today(client.program), time(6, 30), timezone.utc)
    monkeypatch.setattr(services, "now", lambda: moment)
    services.record(
        DisclosureKind.CONSENT_SUMMARY,
        client_id=client.id,
        recipient="RECIPIENT-AT-DAWN-UTC",
        purpose="care coordination",
        what="enrollment dates",
        actor=coach,
    )
    db.session.commit()
    local = moment.astimezone(ZoneInfo("America/Los_Angeles"))
    browser = login(coach)
    html = browser.post(
        f"/clients/{client.id}/copy", data={"confirm": "y", "format": "html"}
    ).get_data(as_text=True)
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])))
    today = timeutil.local_today(client.program).isoformat()
    assert f"This is a copy of everything {client.program.name} holds about you" in text
    assert f"As of {today}" in text
    headings = [re.sub(r" \(\d+\)$", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    assert headings == ["Identity and contact"] + [
        s.title for s in copy.SECTIONS if s.parent is None
    ]
    assert [s.key for s in copy.SECTIONS if s.parent is None] == [
        "profile",
        "statuses",
        "episodes",
        "assignments",
        "goals",
        "plans",
        "sessions",
        "appointments",
        "referrals",
        "assessments",
        "mutual_aid",
        "consents",
        "followups",
        "disclosures",
    ]
    # A session's addenda under it, a plan's steps under it.
    assert (
        html.index(MARKS["session"])
        < html.index(MARKS["addendum"])
        < html.index('id="h-copy-appointments"')
    )
    assert html.index(MARKS["plan"]) < html.index(MARKS["step"]) < html.index(MARKS["session"])
    for words in (
        "Date of birth 1990-04-02",
        "Sponsor or mentor Sponsor",
        "Status Active",
        "How it took place In person",
        "Outcome Completed",
        "About Employment Status Employed part-time",
        "Veteran status No",
        "Fellowship SMART Recovery",
        "Interview Six-month reassessment",
        "Kind Summary under the client's consent",
        "Kind Export with the client's identity",
        "1. There are more important things to me in life than using substances. 1 (Strongly",
        "Written by Casey Coach",
        f"When {local:%Y-%m-%d %H:%M} Kind Summary under the client's consent",
    ):
        assert words in text, words
    assert local.date() != moment.date()  # 06:30 UTC is the evening before in Los Angeles
    for raw in ("in_person", "part_time", "smart_recovery", "six_month", "consent_summary"):
        assert raw not in text, raw
    for column in ("first_name", "date_of_birth", "duration_minutes", "disclosed_at", "_id"):
        assert column not in text, column

    body = browser.post(f"/clients/{client.id}/copy", data={"confirm": "y", "format": "json"})
    data = json.loads(body.get_data(as_text=True))
    assert data["as_of"] == today and data["time_zone"] == "America/Los_Angeles"
    assert data["introduction"].startswith("This is a copy of everything")
    assert list(data["sections"]) == ["client"] + [s.key for s in copy.SECTIONS]
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for row in data["sessions"] for key in row)
    session = data["sessions"][0]
    assert (session["modality"], session["modality_label"]) == ("in_person", "In person")
    assert data["mutual_aid"][0]["model_label"] == "SMART Recovery"
    assert data["statuses"][0]["status_label"] == "Employed part-time"
    assert data["client"]["support_person_label"] == "Sponsor"
    (dawn,) = [d for d in data["disclosures"] if d["recipient"] == "RECIPIENT-AT-DAWN-UTC"]
    assert dawn["disclosed_at"] == local.isoformat() and dawn["disclosed_at"].endswith("-08:00")
    assert dawn["kind_label"] == "Summary under the client's consent"
