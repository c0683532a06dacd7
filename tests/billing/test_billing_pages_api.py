"""The billing specialist's pages and API, the admin's settings page and API, the billing role in
the admin forms and the API, and the audit of every worksheet download."""

from __future__ import annotations

import csv
import io
from datetime import date, time

from openpyxl import load_workbook
from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import AuditEvent, BillingSetting, User
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import user_data

MONTH = {"month": "2026-05"}


def exports(db_):
    return db_.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "billing_worksheet")
    ).all()


def test_signing_in_lands_on_the_worksheet(app, billing_user):
    browser = app.test_client()
    response = browser.post("/auth/login", data={"email": billing_user.email, "password": PASSWORD})
    assert response.status_code == 302
    home = browser.get("/home")
    assert home.status_code == 302 and home.headers["Location"].endswith("/billing/")


def test_the_page_and_downloads_show_lines_and_are_audited(
    login, billing_user, setting, billable_client, make_session
):
    row = make_session(billable_client, start=time(9), end=time(9, 38))
    make_session(billable_client, on=date(2026, 5, 6), signed_at=None)
    browser = login(billing_user)
    page = browser.get("/billing/", query_string=MONTH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "MCD123456" in text and billable_client.code in text and "Unsigned" in text
    assert "SESSION NOTE TEXT" not in text and "PLAN STRENGTHS TEXT" not in text
    assert page.headers["Cache-Control"].startswith("no-store")

    data = browser.get("/billing/worksheet.csv", query_string=MONTH).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][:7] == [
        "Client code",
        "Client name",
        "Member id",
        "Date of service",
        "Code",
        "Modifiers",
        "Units",
    ]
    assert rows[1][2:7] == ["MCD123456", "2026-05-04", "H0038", "", "3"]
    assert rows[1][-1] == str(row.id)
    apart = browser.get(
        "/billing/worksheet.csv", query_string=MONTH | {"part": "not_billable"}
    ).get_data(as_text=True)
    assert "unsigned" in apart

    xlsx = browser.get("/billing/worksheet.xlsx", query_string=MONTH)
    book = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True)
    assert book.sheetnames == ["Cover", "Claim lines", "Not billable"]
    events = exports(db)
    assert len(events) == 4
    assert all("2026-05" in e.detail and "MCD123456" not in e.detail for e in events)
    assert all(e.user_id == billing_user.id for e in events)


def test_cells_that_look_like_formulas_stay_text(
    login, billing_user, setting, billable_client, make_session
):
    billable_client.member_id = "=HYPERLINK(1)"
    db.session.commit()
    make_session(billable_client)
    data = login(billing_user).get("/billing/worksheet.csv", query_string=MONTH)
    assert "'=HYPERLINK(1)" in data.get_data(as_text=True)


def test_bad_month_and_another_program(login, billing_user, program):
    browser = login(billing_user)
    assert browser.get("/billing/", query_string={"month": "2026-13"}).status_code == 400
    assert browser.get("/billing/worksheet.pdf").status_code == 404
    other = factories.program()
    assert browser.get("/billing/", query_string={"program_id": other.id}).status_code == 404
    assert browser.get("/billing/", query_string={"program_id": "junk"}).status_code == 404


def test_an_admin_picks_the_program(login, admin, program, billing_user):
    other = factories.program(name="Zeta program")
    page = login(admin).get("/billing/", query_string={"program_id": other.id})
    assert page.status_code == 200
    assert "Zeta program" in page.get_data(as_text=True)


def test_other_roles_are_refused(login, coach, supervisor, program_manager):
    for user in (coach, supervisor, program_manager):
        assert login(user).get("/billing/").status_code == 403


def test_the_settings_page_keeps_input_and_shows_messages(login, admin, program):
    browser = login(admin)
    assert browser.get(f"/admin/programs/{program.id}/billing").status_code == 200
    response = browser.post(
        f"/admin/programs/{program.id}/billing",
        data={
            "effective_from": "2026-06-01",
            "payer": "State Medicaid",
            "code": "h38",
            "group_modifier": "HQQ",
            "unit_minutes": "15",
            "first_unit_minutes": "16",
            "next_unit_minutes": "8",
            "daily_cap_units": "0",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A HCPCS code is a letter and four digits" in page
    assert "A modifier is two letters or digits" in page
    assert "At most the unit" in page
    assert "A positive number." in page
    assert 'value="State Medicaid"' in page
    assert db.session.scalar(select(BillingSetting)) is None
    saved = browser.post(
        f"/admin/programs/{program.id}/billing",
        data={
            "effective_from": "2026-06-01",
            "payer": "State Medicaid",
            "code": "h0038",
            "group_modifier": "hq",
            "unit_minutes": "15",
            "first_unit_minutes": "8",
            "next_unit_minutes": "8",
            "daily_cap_units": "16",
        },
    )
    assert saved.status_code == 302
    setting = db.session.scalar(select(BillingSetting))
    assert (setting.code, setting.group_modifier, setting.daily_cap_units) == ("H0038", "HQ", 16)


def test_the_settings_api(app, admin, billing_user, program, coach, bearer):
    api = app.test_client()
    body = {
        "effective_from": "2026-01-01",
        "payer": "State Medicaid",
        "code": "H0038",
        "unit_minutes": 15,
        "first_unit_minutes": 8,
        "next_unit_minutes": 8,
        "daily_cap_units": 16,
        "telehealth_modifier": "95",
    }
    url = f"/api/v1/programs/{program.id}/billing"
    response = api.put(url, headers=bearer(admin), json=body)
    assert response.status_code == 200, response.get_json()
    later = api.put(url, headers=bearer(admin), json=body | {"effective_from": "2099-01-01"})
    assert later.status_code == 422  # more than three years ahead
    future = api.put(url, headers=bearer(admin), json=body | {"effective_from": "2027-06-01"})
    got = api.get(url, headers=bearer(billing_user)).get_json()
    assert future.status_code == 200
    assert got["current"]["effective_from"] == "2026-01-01"
    assert [v["effective_from"] for v in got["history"]] == ["2026-01-01", "2027-06-01"]
    assert api.put(url, headers=bearer(billing_user), json=body).status_code == 403
    assert api.get(url, headers=bearer(coach)).status_code == 403
    wrong = api.put(url, headers=bearer(admin), json=body | {"first_unit_minutes": 20})
    assert wrong.status_code == 422
    assert "first_unit_minutes" in wrong.get_json()["error"]["fields"]
    other = factories.program()
    assert (
        api.get(f"/api/v1/programs/{other.id}/billing", headers=bearer(billing_user)).status_code
        == 404
    )


def test_the_worksheet_api(app, billing_user, setting, billable_client, make_session, bearer):
    row = make_session(billable_client, place_of_service="10")
    unsigned = make_session(billable_client, on=date(2026, 5, 7), signed_at=None)
    api = app.test_client()
    response = api.get(
        "/api/v1/billing/worksheet", headers=bearer(billing_user), query_string=MONTH
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["lines"] == [
        {
            "client_code": billable_client.code,
            "member_id": "MCD123456",
            "date_of_service": "2026-05-04",
            "code": "H0038",
            "modifiers": ["95"],
            "units": 2,
            "place_of_service": "10",
            "coach_id": billable_client.coach_id,
            "session_id": row.id,
        }
    ]
    assert body["not_billable"] == [{"session_id": unsigned.id, "reason": "unsigned"}]
    assert len(exports(db)) == 1
    bad = api.get(
        "/api/v1/billing/worksheet", headers=bearer(billing_user), query_string={"month": "x"}
    )
    assert bad.status_code == 422


def test_admins_open_billing_users_with_a_credential(login, admin, program):
    response = login(admin).post(
        "/admin/users/new",
        data=user_data(role="billing", program_id=program.id, email="bill@example.org"),
    )
    assert response.status_code == 302
    made = db.session.scalar(select(User).where(User.email == "bill@example.org"))
    assert made.role == "billing"
    refused = login(admin).post(
        "/admin/users/new", data=user_data(role="billing", email="nobody@example.org")
    )
    assert refused.status_code == 422
    assert "A billing specialist belongs to a program" in refused.get_data(as_text=True)
    coach = login(admin).post(
        "/admin/users/new",
        data=user_data(program_id=program.id, email="c@example.org", credential=" CPRS "),
    )
    assert coach.status_code == 302
    made = db.session.scalar(select(User).where(User.email == "c@example.org"))
    assert made.credential == "CPRS"
    profile = login(made).get("/auth/profile").get_data(as_text=True)
    assert "CPRS" in profile


def test_the_users_api_takes_the_billing_role_and_a_credential(app, admin, program, bearer):
    api = app.test_client()
    response = api.post(
        "/api/v1/users",
        headers=bearer(admin),
        json={
            "email": "billing2@example.org",
            "name": "Bo Billing",
            "role": "billing",
            "program_id": program.id,
            "password": "a long and unusual passphrase 42",
            "credential": "",
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["role"] == "billing"
    assert response.get_json()["credential"] is None
    user_id = response.get_json()["id"]
    patched = api.patch(
        f"/api/v1/users/{user_id}", headers=bearer(admin), json={"credential": "CRPS"}
    )
    assert patched.get_json()["credential"] == "CRPS"
    no_program = api.post(
        "/api/v1/users",
        headers=bearer(admin),
        json={
            "email": "billing3@example.org",
            "name": "No Program",
            "role": "billing",
            "password": "a long and unusual passphrase 42",
        },
    )
    assert no_program.status_code == 422


def test_a_billing_user_reaches_no_client_record(login, billing_user, billable_client, bearer, app):
    assert login(billing_user).get(f"/clients/{billable_client.id}").status_code == 404
    assert login(billing_user).get("/clients/").status_code in (403, 404)
    listed = app.test_client().get("/api/v1/clients", headers=bearer(billing_user))
    assert listed.status_code in (200, 403)
    if listed.status_code == 200:
        assert listed.get_json()["items"] == []
