"""The accounting of disclosures (42 CFR 2.24, 2.25): a printed consent summary, a
break-the-glass view and an identified export, each listed on the day it happened; the
three-year window; the access rule; the API; disclosures follow a merged client."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import event, func, select

from coachapp import timeutil
from coachapp.disclosures import queries, services
from coachapp.extensions import db as _db
from coachapp.merges import services as merge_services
from coachapp.models import AuditEvent, ConsentRecord, Disclosure
from coachapp.models.enums import DisclosureKind
from tests import factories
from tests.helpers import consent_data

MONTH = {"month": "2026-05"}


def rows_of(html: str) -> list[str]:
    """The accounting's table rows, as text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in body.split("</tr>")[:-1]]


def disclosures_of(client_id: int, kind: str | None = None) -> list[Disclosure]:
    query = select(Disclosure).where(Disclosure.client_id == client_id)
    if kind:
        query = query.where(Disclosure.kind == kind)
    return list(_db.session.scalars(query.order_by(Disclosure.id)))


def test_consent_summary_break_glass_and_export_are_each_listed_on_their_day(
    db, login, coach, admin, billing_user, setting, billable_client, make_session, monkeypatch
):
    """Three disclosures on three days, each stamped by moving the one clock disclosures read
    (``services.now``); the break-the-glass view at 06:30 UTC, which is the evening before in
    Los Angeles, where the program is."""
    client = billable_client
    client.program.timezone = "America/Los_Angeles"
    db.session.commit()
    zone = timeutil.zone(client.program)
    local_today = timeutil.local_today(client.program)

    def at(moment: datetime) -> None:
        monkeypatch.setattr(services, "now", lambda: moment.astimezone(timezone.utc))

    summary_day = local_today - timedelta(days=9)  # the consent was signed 10 days ago
    glass_moment = datetime.combine(local_today - timedelta(days=5), time(6, 30), timezone.utc)
    glass_day = glass_moment.astimezone(zone).date()  # the day before, local
    export_day = local_today - timedelta(days=2)
    assert glass_day == glass_moment.date() - timedelta(days=1)
    browser = login(coach)

    at(datetime.combine(summary_day, time(9, 5), zone))

    # 1. A consent summary printed for the recipient: its own path records the disclosure.
    assert (
        browser.post(f"/clients/{client.id}/consents/new", data=consent_data()).status_code == 302
    )
    consent = db.session.scalar(
        select(ConsentRecord).where(
            ConsentRecord.client_id == client.id, ConsentRecord.consent_type == "specific"
        )
    )
    assert browser.get(f"/consents/{consent.id}/summary").status_code == 200
    (summary,) = disclosures_of(client.id, DisclosureKind.CONSENT_SUMMARY)
    assert summary.consent_id == consent.id and summary.user_id == coach.id

    # 2. An admin breaks the glass and opens the record: each view is a disclosure to them;
    # other pages of the record (the accounting itself) are not.
    at(glass_moment)
    glass = login(admin)
    reason = "Coach unreachable, client asked for urgent help"
    assert (
        glass.post(
            "/oversight/break-glass",
            data={"program_id": client.program_id, "code": client.code, "reason": reason},
        ).status_code
        == 302
    )
    assert glass.get(f"/clients/{client.id}").status_code == 200
    assert glass.get(f"/clients/{client.id}/disclosures").status_code == 200
    (viewed,) = disclosures_of(client.id, DisclosureKind.BREAK_GLASS)
    assert viewed.recipient == "Ada Admin (administrator, break-the-glass)"
    assert viewed.purpose == reason and viewed.what == "client record viewed"
    assert viewed.user_id == admin.id
    # The coach's own views are no disclosure.
    assert browser.get(f"/clients/{client.id}").status_code == 200
    assert len(disclosures_of(client.id, DisclosureKind.BREAK_GLASS)) == 1

    # 3. The claims worksheet downloaded for the payer: one disclosure per client on it.
    make_session(client)
    make_session(client, on=date(2026, 5, 6))
    at(datetime.combine(export_day, time(11, 40), zone))
    biller = login(billing_user)
    assert biller.get("/billing/", query_string=MONTH).status_code == 200
    assert not disclosures_of(client.id, DisclosureKind.EXPORT)  # the page stays in the program
    assert biller.get("/billing/worksheet.csv", query_string=MONTH).status_code == 200
    (export,) = disclosures_of(client.id, DisclosureKind.EXPORT)  # two lines, one disclosure
    assert export.recipient == "State Medicaid" and export.purpose == "payment (claims)"
    assert export.what == "billing worksheet 2026-05: dates of service, codes, units, member id"
    assert export.consent_id == client.test_consent.id  # the TPO consent it rests on

    # The accounting: all three, newest first, each on its own day and at its own time in the
    # program's calendar (the break-the-glass view on the local evening before its UTC date).
    monkeypatch.undo()
    page = browser.get(f"/clients/{client.id}/disclosures")
    assert page.status_code == 200 and page.headers["Cache-Control"].startswith("no-store")
    html = page.get_data(as_text=True)
    rows = rows_of(html)
    assert len(rows) == 3
    assert "State Medicaid" in rows[0] and "Export with the client" in rows[0]
    assert "Ada Admin (administrator, break-the-glass)" in rows[1] and reason in rows[1]
    assert consent.recipient in rows[2] and f"Consent #{consent.id}" in rows[2]
    assert "Casey Coach" in rows[2] and "Bea Billing" in rows[0] and "Ada Admin" in rows[1]
    days = [export_day, glass_day, summary_day]
    moments = [
        f"{export_day} 11:40",
        f"{glass_day} {glass_moment.astimezone(zone):%H:%M}",
        f"{summary_day} 09:05",
    ]
    for row, day, moment in zip(rows, days, moments, strict=True):
        assert moment in row
        assert [d for d in days if d.isoformat() in row] == [day]
    assert glass_moment.date().isoformat() not in rows[1]  # not the UTC date
    assert {d.disclosed_at.date() for d in disclosures_of(client.id)} == {
        summary_day,
        glass_moment.date(),
        export_day,
    }  # stored in UTC
    # Printable for the client: their name, the period and the program.
    assert f"{client.first_name} {client.last_name}" in html and client.program.name in html
    period = queries.accounting_period(client)
    assert f"from\n  {period.first.isoformat()} to {period.last.isoformat()}" in html
    assert "css/app.css" in html
    # Viewing it is audited.
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "view",
            AuditEvent.entity_type == "disclosure_accounting",
            AuditEvent.client_id == client.id,
            AuditEvent.user_id == coach.id,
        )
    )


def test_other_worksheet_formats(
    db, login, billing_user, setting, billable_client, make_session, coach
):
    """XLSX and the API carry the lines: a disclosure each; the CSV of sessions not billable
    (codes and reasons only) is none. A second client on the sheet gets its own, in the same
    insert."""
    make_session(billable_client)
    other = factories.client(coach, intake_date=date(2026, 4, 1), member_id="MCD999")
    other.test_goal = factories.goal(other, opened_on=date(2026, 4, 2))
    factories.consent(other)
    factories.signed_plan(
        other, [other.test_goal], signed_at=datetime(2026, 4, 20, 15, tzinfo=timezone.utc)
    )
    make_session(other)
    biller = login(billing_user)
    biller.get("/billing/worksheet.csv", query_string=MONTH | {"part": "not_billable"})
    assert not disclosures_of(billable_client.id)
    inserts: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO DISCLOSURES"):
            inserts.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        assert biller.get("/billing/worksheet.xlsx", query_string=MONTH).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len(inserts) == 1  # one insert for every client on the sheet
    assert [d.kind for d in disclosures_of(billable_client.id)] == ["export"]
    assert [d.kind for d in disclosures_of(other.id)] == ["export"]


def test_the_three_year_window(db, login, coach, client_record):
    program = client_record.program
    today = timeutil.local_today(program)
    first = queries.years_before(today, 3)
    zone = timeutil.zone(program)

    def on(day, label: str) -> None:
        row = services.record(
            DisclosureKind.EXPORT,
            client_id=client_record.id,
            recipient=label,
            purpose="test",
            what="test",
            actor=coach,
        )
        row.disclosed_at = datetime.combine(day, time(12), tzinfo=zone).astimezone(timezone.utc)

    on(first - timedelta(days=1), "RECIPIENT-TOO-OLD")  # three years and a day ago
    on(first + timedelta(days=1), "RECIPIENT-STILL-IN")  # three years less a day ago
    on(first, "RECIPIENT-FIRST-DAY")  # three years ago to the day: the period's first day
    db.session.commit()
    html = login(coach).get(f"/clients/{client_record.id}/disclosures").get_data(as_text=True)
    assert "RECIPIENT-STILL-IN" in html and "RECIPIENT-FIRST-DAY" in html
    assert "RECIPIENT-TOO-OLD" not in html
    assert html.index("RECIPIENT-STILL-IN") < html.index("RECIPIENT-FIRST-DAY")  # newest first


def test_access(db, login, coach, other_coach, supervisor, program_manager, admin, client_record):
    services.record(
        DisclosureKind.EXPORT,
        client_id=client_record.id,
        recipient="RECIPIENT-SECRET",
        purpose="p",
        what="w",
        actor=coach,
    )
    db.session.commit()
    url = f"/clients/{client_record.id}/disclosures"
    assert login(coach).get(url).status_code == 200
    assert login(supervisor).get(url).status_code == 200
    for outsider in (other_coach, program_manager, admin):
        response = login(outsider).get(url)
        assert response.status_code == 404
        assert "RECIPIENT-SECRET" not in response.get_data(as_text=True)


def test_disclosures_follow_a_merged_client(db, login, coach, supervisor):
    survivor = factories.client(
        coach, first_name="Robin", last_name="Okafor", intake_date=date(2026, 3, 2)
    )
    duplicate = factories.client(
        coach, first_name="Robin", last_name="Okafor", intake_date=date(2026, 1, 5)
    )
    duplicate.latest_enrollment.discharge_date = date(2026, 2, 1)
    duplicate.latest_enrollment.discharge_reason = "moved"
    services.record(
        DisclosureKind.EXPORT,
        client_id=duplicate.id,
        recipient="RECIPIENT-OF-THE-DUPLICATE",
        purpose="payment (claims)",
        what="billing worksheet",
        actor=coach,
    )
    db.session.commit()
    merge_services.merge(survivor, duplicate, {}, actor=supervisor)
    db.session.commit()
    browser = login(coach)
    html = browser.get(f"/clients/{survivor.id}/disclosures").get_data(as_text=True)
    assert "RECIPIENT-OF-THE-DUPLICATE" in html
    # The duplicate's address leads to the record kept.
    moved = browser.get(f"/clients/{duplicate.id}/disclosures")
    assert moved.status_code == 302 and f"/clients/{survivor.id}/disclosures" in moved.location


def test_the_worksheet_by_api_and_command_line_is_a_disclosure(
    app, db, bearer, billing_user, setting, billable_client, make_session
):
    make_session(billable_client)
    anon = app.test_client()
    answer = anon.get("/api/v1/billing/worksheet", query_string=MONTH, headers=bearer(billing_user))
    assert answer.status_code == 200 and answer.get_json()["lines"]
    assert [d.user_id for d in disclosures_of(billable_client.id)] == [billing_user.id]
    result = app.test_cli_runner().invoke(
        args=["billing", "worksheet", "--program", str(setting.program_id), "--month", "2026-05"]
    )
    assert result.exit_code == 0, result.output
    assert "MCD123456" in result.output
    rows = disclosures_of(billable_client.id, DisclosureKind.EXPORT)
    assert len(rows) == 2 and all(row.recipient == "State Medicaid" for row in rows)
