"""The payer sees a client on the worksheet only with the client's TPO consent (42 CFR 2.33(b))
in force on the day the worksheet is made: no consent, a specific consent only, a TPO consent
revoked or expired by then are "no consent to disclose to the payer"; a TPO consent signed
after the service but before that day is enough. Refused sessions take no units from the caps;
the disclosure of a download carries the consent it rests on."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from coachapp import timeutil
from coachapp.billing import services
from coachapp.extensions import db
from coachapp.models import Disclosure
from tests import factories
from tests.billing.conftest import billable_session
from tests.helpers import QueryCounter

MONTH = "2026-05"
TODAY = date(2026, 6, 15)  # the program's today in these tests: the worksheet is made then
NO_CONSENT = "no consent to disclose to the payer"


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda program=None: TODAY)
    return TODAY


def ready_client(coach, *, consent=True, member_id="MCD7"):
    """A client billable in May 2026 (member id, goal, plan signed 2026-04-20); a TPO consent
    signed at intake unless ``consent`` is false."""
    client = factories.client(
        coach, intake_date=date(2026, 4, 1), payer="State Medicaid", member_id=member_id
    )
    client.test_goal = factories.goal(client, opened_on=date(2026, 4, 2))
    factories.signed_plan(
        client, [client.test_goal], signed_at=datetime(2026, 4, 20, 15, tzinfo=timezone.utc)
    )
    client.test_consent = factories.consent(client) if consent else None
    return client


def reasons(sheet):
    return {item.session_id: item.reason for item in sheet.not_billable}


def test_which_consents_let_a_session_be_billed(
    today, billing_user, program, setting, coach, billable_client
):
    """Five clients, one session each on 2026-05-04, otherwise billable."""
    none = ready_client(coach, consent=False, member_id="M-NONE")
    specific = ready_client(coach, consent=False, member_id="M-SPEC")
    factories.consent(specific, consent_type="specific", signed_on=date(2026, 4, 1))
    revoked = ready_client(coach, consent=False, member_id="M-REV")
    # In force on the date of service, revoked before the worksheet is made.
    factories.consent(revoked, signed_on=date(2026, 4, 1), revoked_on=date(2026, 6, 1))
    expired = ready_client(coach, consent=False, member_id="M-EXP")
    factories.consent(expired, signed_on=date(2026, 4, 1), expires_on=date(2026, 5, 31))
    late = ready_client(coach, consent=False, member_id="M-LATE")
    factories.consent(late, signed_on=date(2026, 5, 20))  # after the service, before today
    revoked_today = ready_client(coach, consent=False, member_id="M-TODAY")
    factories.consent(revoked_today, signed_on=date(2026, 4, 1), revoked_on=TODAY)
    archived = ready_client(coach, consent=False, member_id="M-ARCH")
    factories.consent(archived, signed_on=date(2026, 4, 1), archived_at=datetime.now(timezone.utc))
    sessions = {
        name: billable_session(client)
        for name, client in (
            ("ready", billable_client),
            ("none", none),
            ("specific", specific),
            ("revoked", revoked),
            ("expired", expired),
            ("late", late),
            ("revoked_today", revoked_today),
            ("archived", archived),
        )
    }
    sheet = services.worksheet(billing_user, program, MONTH)
    billed = {line.session_id for line in sheet.lines}
    assert billed == {sessions["ready"].id, sessions["late"].id}
    assert reasons(sheet) == {
        sessions[name].id: NO_CONSENT
        for name in ("none", "specific", "revoked", "expired", "revoked_today", "archived")
    }
    assert {line.member_id for line in sheet.lines} == {"MCD123456", "M-LATE"}


def test_the_reason_comes_after_the_documentation_and_before_the_units(
    today, billing_user, program, setting, coach
):
    client = ready_client(coach, consent=False)
    unsigned = billable_session(client, signed_at=None)
    off_plan = billable_session(client, on=date(2026, 5, 5), goals=[])
    short = billable_session(client, on=date(2026, 5, 6), end=time(9, 5))
    ok = billable_session(client, on=date(2026, 5, 7))
    assert reasons(services.worksheet(billing_user, program, MONTH)) == {
        unsigned.id: "unsigned",
        off_plan.id: "goal not on the plan",
        short.id: NO_CONSENT,
        ok.id: NO_CONSENT,
    }
    order = services.REASONS
    assert order.index("goal not on the plan") < order.index(NO_CONSENT)
    assert order.index(NO_CONSENT) < order.index("too short for a unit")
    assert order.index(NO_CONSENT) < order.index("over the daily cap")


def test_a_refused_session_takes_no_units_from_the_caps(
    today, billing_user, program, setting, coach, billable_client
):
    """Daily cap 4 units. A client's consent is revoked before today: none of their sessions is
    billed and none counts against the caps: the client who has a consent bills as if alone;
    once the refused client signs a TPO consent again, their sessions bill under the caps."""
    setting.monthly_cap_units = 6
    db.session.commit()
    refused = ready_client(coach, consent=False)
    factories.consent(refused, signed_on=date(2026, 4, 1), revoked_on=date(2026, 6, 1))
    big = [
        billable_session(refused, start=time(9), end=time(10)),  # 4 units if billed
        billable_session(refused, on=date(2026, 5, 5), start=time(9), end=time(10)),
    ]
    mine = [
        billable_session(billable_client, start=time(9), end=time(9, 38)),  # 3 units
        billable_session(billable_client, start=time(14), end=time(14, 38)),  # 1 left of 4
        billable_session(billable_client, on=date(2026, 5, 5), start=time(9), end=time(9, 38)),
    ]
    sheet = services.worksheet(billing_user, program, MONTH)
    assert reasons(sheet) == {row.id: NO_CONSENT for row in big}
    assert {line.session_id: line.units for line in sheet.lines} == {
        mine[0].id: 3,
        mine[1].id: 1,
        mine[2].id: 2,  # the monthly cap (6) leaves 2
    }
    # With a consent signed again, the same sessions bill under the caps as usual.
    factories.consent(refused, signed_on=date(2026, 6, 10))
    again = services.worksheet(billing_user, program, MONTH)
    units = {line.session_id: line.units for line in again.lines}
    assert units[big[0].id] == 4 and units[big[1].id] == 2  # daily cap 4, then monthly 6


def test_the_downloads_disclosure_carries_the_consent(
    today, login, billing_user, program, setting, coach, billable_client
):
    """The latest signed TPO consent in force is named; a client only on the not-billable part
    is not disclosed."""
    billable_session(billable_client)
    newer = factories.consent(billable_client, signed_on=date(2026, 5, 10))
    factories.consent(billable_client, signed_on=date(2026, 6, 1), revoked_on=date(2026, 6, 12))
    factories.consent(billable_client, consent_type="specific", signed_on=date(2026, 6, 2))
    refused = ready_client(coach, consent=False)
    billable_session(refused)
    other = ready_client(coach)
    billable_session(other)
    biller = login(billing_user)
    assert biller.get("/billing/worksheet.csv", query_string={"month": MONTH}).status_code == 200
    rows = db.session.scalars(select(Disclosure).order_by(Disclosure.client_id)).all()
    assert {(d.client_id, d.consent_id) for d in rows} == {
        (billable_client.id, newer.id),
        (other.id, other.test_consent.id),
    }
    assert all(d.kind == "export" and d.recipient == "State Medicaid" for d in rows)


def test_the_query_count_stays_the_same_with_more_clients_and_consents(
    today, billing_user, program, setting, coach, billable_client
):
    billable_session(billable_client)
    db.session.expire_all()
    with QueryCounter(db.engine) as few:
        services.worksheet(billing_user, program, MONTH)
    for n in range(6):
        client = ready_client(coach, consent=n % 2 == 0, member_id=f"M{n}")
        factories.consent(client, consent_type="specific")
        factories.consent(client, signed_on=date(2026, 4, 5), revoked_on=date(2026, 5, 1))
        for day in (4, 5, 6):
            billable_session(client, on=date(2026, 5, day))
    db.session.expire_all()
    with QueryCounter(db.engine) as many:
        sheet = services.worksheet(billing_user, program, MONTH)
    assert len(sheet.lines) == 1 + 3 * 3 and len(sheet.not_billable) == 3 * 3
    # The settings versions, six set statements, and the user and program reloaded (expired).
    assert many.n == few.n <= 9


def test_the_page_csv_and_xlsx_give_the_reason(today, login, billing_user, setting, coach):
    client = ready_client(coach, consent=False)
    row = billable_session(client)
    browser = login(billing_user)
    page = browser.get("/billing/", query_string={"month": MONTH}).get_data(as_text=True)
    assert "No consent to disclose to the payer" in page and "MCD7" not in page
    apart = browser.get(
        "/billing/worksheet.csv", query_string={"month": MONTH, "part": "not_billable"}
    ).get_data(as_text=True)
    assert f"{row.id},{client.code},2026-05-04,{NO_CONSENT}" in apart
    xlsx = browser.get("/billing/worksheet.xlsx", query_string={"month": MONTH})
    book = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True)
    cells = [c for r in book["Not billable"].iter_rows(values_only=True) for c in r]
    assert NO_CONSENT in cells and "MCD7" not in [
        c for r in book["Claim lines"].iter_rows(values_only=True) for c in r
    ]
    assert not db.session.scalars(select(Disclosure)).all()  # nobody on a line: no disclosure
