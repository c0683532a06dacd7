"""The consent-expiry alert: a consent in force that expires within 30 days, as one SQL set
query over the caseload; shown on the client page and the caseload like the other alerts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from coachapp import access, timeutil
from coachapp.alerts import AlertContext, alert_columns, alert_counts
from coachapp.extensions import db as _db
from coachapp.models import Client, ConsentRecord
from tests import factories


def _ctx(program) -> AlertContext:
    return AlertContext(
        today=timeutil.local_today(program), now=timeutil.local_now(program).replace(tzinfo=None)
    )


def _consent(person, *, expires_in, recipient="Harbor Clinic", **fields):
    today = timeutil.local_today(person.program)
    row = ConsentRecord(
        client_id=person.id,
        recipient=recipient,
        purpose="Care coordination",
        information_disclosed="",
        categories="attendance",
        signed_on=fields.pop("signed_on", today - timedelta(days=100)),
        expires_on=None if expires_in is None else today + timedelta(days=expires_in),
        **fields,
    )
    _db.session.add(row)
    _db.session.commit()
    return row


def test_which_clients_carry_the_alert(db, coach):
    today = timeutil.local_today(coach.program)
    people = {
        name: factories.client(coach)
        for name in (
            "today",
            "in_30",
            "in_31",
            "expired",
            "revoked",
            "no_expiry",
            "renewed",
            "other_renewed",
            "none",
            "not_yet",
        )
    }
    _consent(people["today"], expires_in=0)
    _consent(people["in_30"], expires_in=30)
    _consent(people["in_31"], expires_in=31)
    _consent(people["expired"], expires_in=-1)
    _consent(people["revoked"], expires_in=10, revoked_on=today - timedelta(days=1))
    _consent(people["no_expiry"], expires_in=None)
    # Renewed: a later consent to the same recipient runs past the window; to another
    # recipient it does not count.
    _consent(people["renewed"], expires_in=10)
    _consent(people["renewed"], expires_in=365, signed_on=today)
    _consent(people["other_renewed"], expires_in=10)
    _consent(people["other_renewed"], expires_in=365, recipient="County Court", signed_on=today)
    _consent(people["not_yet"], expires_in=20, signed_on=today + timedelta(days=2))
    column = alert_columns(_ctx(coach.program))["consent_expiring"]
    flagged = set(db.session.scalars(select(Client.id).where(column)))
    expected = {people[n].id for n in ("today", "in_30", "other_renewed")}
    assert flagged == expected


def test_one_query_whatever_the_caseload(db, coach):
    for _ in range(6):
        _consent(factories.client(coach), expires_in=5)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        counts = alert_counts(access.visible_clients(coach), _ctx(coach.program))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert counts["consent_expiring"] == 6
    # The caseload's alert counts: one statement for every client, consents included.
    assert len([s for s in statements if "consent_records" in s]) == 1


def test_shown_on_the_client_page_and_the_caseload(db, login, coach):
    person = factories.client(coach, last_name="Expiring")
    _consent(person, expires_in=12)
    browser = login(coach)
    assert "Consent expires within 30 days" in browser.get(f"/clients/{person.id}").get_data(
        as_text=True
    )
    caseload = browser.get("/clients/").get_data(as_text=True)
    assert "Consent expires within 30 days" in caseload
