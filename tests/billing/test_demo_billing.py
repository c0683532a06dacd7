"""The small demo's billable documentation: settings, a billing specialist, credentials, signed
plans and a worksheet for last month with lines and sessions apart for several reasons."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from coachapp.billing import services
from coachapp.demo import build_demo
from coachapp.models import BillingSetting, Client, ConsentRecord, Program, RecoveryPlan, User

TODAY = date(2026, 3, 31)


def test_the_small_demo_bills_last_month(db):
    build_demo("small", 1, today=TODAY)
    billing = db.session.scalar(select(User).where(User.role == "billing"))
    assert billing.email == "billing@demo.coachapp.example"
    coaches = db.session.scalars(select(User).where(User.role == "coach")).all()
    assert {c.credential for c in coaches} == {"CPRS"}
    setting = db.session.scalar(select(BillingSetting))
    assert (setting.code, setting.unit_minutes, setting.first_unit_minutes) == ("H0038", 15, 8)
    assert setting.daily_cap_units == 16
    program = db.session.get(Program, billing.program_id)
    clients = db.session.scalars(select(Client)).all()
    with_id = [c for c in clients if c.member_id]
    assert 0.9 * len(clients) <= len(with_id) < len(clients)
    assert db.session.scalar(select(RecoveryPlan).where(RecoveryPlan.status == "signed"))

    sheet = services.worksheet(billing, program, "2026-02")
    assert len(sheet.lines) >= 40
    reasons = Counter(item.reason for item in sheet.not_billable)
    assert len(sheet.not_billable) < len(sheet.lines)
    assert {"unsigned", "no plan"} <= set(reasons) or {"unsigned", "plan not signed"} <= set(
        reasons
    )
    assert reasons["no consent to disclose to the payer"] >= 1
    # Clients with a payer signed a TPO consent at intake (the statements given), but a few.
    tpo_days: dict[int, set] = {}
    for consent in db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.consent_type == "tpo")
    ):
        assert consent.statements_version
        tpo_days.setdefault(consent.client_id, set()).add(consent.signed_on)
    payer_clients = [c for c in clients if c.payer]
    without = [c for c in payer_clients if c.id not in tpo_days]
    assert 0.03 * len(payer_clients) <= len(without) <= 0.06 * len(payer_clients)
    assert all(
        c.enrollments[0].intake_date in tpo_days[c.id] for c in payer_clients if c.id in tpo_days
    )
    assert all(line.member_id for line in sheet.lines)
    assert all(1 <= line.units <= 16 for line in sheet.lines)
