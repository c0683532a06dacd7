"""Client billing fields (issue 22): payer, member id (encrypted at rest) and an ICD-10 code,
on the client form and in the API; never in a program manager's de-identified export."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import AuditEvent, Client
from tests import factories
from tests.helpers import raw_dump


def edit_data(client, **overrides):
    data = {
        "version": client.version,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "status": client.status,
        "payer": "State Medicaid",
        "member_id": "ZX9981234",
        "diagnosis_code": "f11.20",
    }
    data.update(overrides)
    return data


def test_the_edit_form_saves_billing_fields_encrypting_the_member_id(login, coach):
    client = factories.client(coach)
    response = login(coach).post(f"/clients/{client.id}/edit", data=edit_data(client))
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Client, client.id)
    assert (saved.payer, saved.member_id, saved.diagnosis_code) == (
        "State Medicaid",
        "ZX9981234",
        "F11.20",
    )
    assert "ZX9981234" not in raw_dump(db)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert set(event.fields.split(",")) == {"payer", "member_id", "diagnosis_code"}
    assert "ZX9981234" not in (event.detail or "")


def test_a_malformed_diagnosis_code_stays_on_the_form(login, coach):
    client = factories.client(coach)
    response = login(coach).post(
        f"/clients/{client.id}/edit", data=edit_data(client, diagnosis_code="F1.2")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An ICD-10 code looks like F11.20." in page
    assert 'value="ZX9981234"' in page  # the form keeps the input
    db.session.expire_all()
    assert db.session.get(Client, client.id).member_id is None


def test_the_api_reads_and_changes_billing_fields(app, coach, bearer):
    client = factories.client(coach, member_id="A1", payer="P", diagnosis_code="F10.10")
    headers = bearer(coach)
    api = app.test_client()
    body = api.get(f"/api/v1/clients/{client.id}", headers=headers).get_json()
    assert (body["payer"], body["member_id"], body["diagnosis_code"]) == ("P", "A1", "F10.10")
    response = api.patch(
        f"/api/v1/clients/{client.id}",
        headers=headers,
        json={"member_id": "B2", "diagnosis_code": "F11.2"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["member_id"] == "B2"
    bad = api.patch(f"/api/v1/clients/{client.id}", headers=headers, json={"diagnosis_code": "11"})
    assert bad.status_code == 422
    assert "diagnosis_code" in bad.get_json()["error"]["fields"]


def file_text(data: bytes, fmt: str) -> str:
    """A download's text: an XLSX's parts unzipped (its cells are in its XML)."""
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(name).decode("utf-8") for name in book.namelist())
    return data.decode("utf-8")


def test_program_managers_never_see_member_ids(login, coach, program_manager):
    client = factories.client(coach, intake_date=date(2026, 1, 5), member_id="PMHIDDEN77")
    factories.session(client, on=date(2026, 2, 3))
    browser = login(program_manager)
    for table in ("report", "by_coach", "by_month", "clients"):
        for fmt in ("csv", "xlsx"):
            response = browser.get(
                f"/reports/export.{fmt}",
                query_string={"table": table, "start": "2026-01-01", "end": "2026-03-31"},
            )
            assert response.status_code == 200, (table, fmt)
            assert "PMHIDDEN77" not in file_text(response.get_data(), fmt)
    assert browser.get(f"/clients/{client.id}").status_code == 404
