"""The accounting of disclosures in the API: ``GET /clients/<id>/disclosures`` (three years,
newest first, paginated, by the access rule, audited), and the client record read through
break-the-glass recorded as a disclosure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from coachapp.disclosures import services
from coachapp.models import AuditEvent, Disclosure
from coachapp.models.enums import DisclosureKind
from coachapp.oversight import services as oversight
from tests import factories


@pytest.fixture
def client_record(coach):
    return factories.client(coach, first_name="Marisol", last_name="Quintero-Vale")


def test_the_api_lists_three_years_newest_first_by_page(
    app, db, bearer, coach, other_coach, client_record
):
    made = []
    for n in range(3):
        row = services.record(
            DisclosureKind.EXPORT,
            client_id=client_record.id,
            recipient=f"Payer {n}",
            purpose="payment (claims)",
            what="billing worksheet",
            actor=coach,
        )
        row.disclosed_at = datetime.now(timezone.utc) - timedelta(days=10 - n)
        made.append(row)
    old = services.record(
        DisclosureKind.EXPORT,
        client_id=client_record.id,
        recipient="Too old",
        purpose="p",
        what="w",
        actor=coach,
    )
    old.disclosed_at = datetime.now(timezone.utc) - timedelta(days=3 * 366 + 2)
    db.session.commit()
    anon = app.test_client()
    url = f"/api/v1/clients/{client_record.id}/disclosures"
    first = anon.get(url, query_string={"per_page": 2}, headers=bearer(coach))
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    body = first.get_json()
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 2)
    assert [item["recipient"] for item in body["items"]] == ["Payer 2", "Payer 1"]
    item = body["items"][0]
    assert set(item) == {
        "id",
        "client_id",
        "disclosed_at",
        "recipient",
        "purpose",
        "what",
        "consent_id",
        "kind",
    }
    assert item["kind"] == "export" and item["consent_id"] is None
    assert item["disclosed_at"].endswith("+00:00")
    second = anon.get(url, query_string={"per_page": 2, "page": 2}, headers=bearer(coach))
    assert [i["recipient"] for i in second.get_json()["items"]] == ["Payer 0"]
    assert anon.get(url, headers=bearer(other_coach)).status_code == 404
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "disclosure_accounting")
    )


def test_the_api_client_view_through_break_the_glass_is_a_disclosure(
    app, db, bearer, admin, coach, client_record
):
    oversight.break_glass(client_record, reason="Crisis line call", actor=admin)
    db.session.commit()
    anon = app.test_client()
    assert anon.get(f"/api/v1/clients/{client_record.id}", headers=bearer(admin)).status_code == 200
    assert anon.get(f"/api/v1/clients/{client_record.id}", headers=bearer(coach)).status_code == 200
    (row,) = db.session.scalars(select(Disclosure)).all()
    assert (row.kind, row.purpose, row.user_id) == ("break_glass", "Crisis line call", admin.id)
