"""The recovery plan alerts: "plan missing" 30 days after the current episode's intake with no
signed plan, and "plan review overdue" once the current plan's review date has passed; as SQL
for the whole caseload (one query), shown on the caseload page."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from coachapp import access, timeutil
from coachapp.alerts import AlertContext, alert_columns, alert_counts
from coachapp.models import Client
from coachapp.plans import services
from tests import factories
from tests.plans.helpers import signed_plan


def _ctx(program) -> AlertContext:
    return AlertContext(
        today=timeutil.local_today(program), now=timeutil.local_now(program).replace(tzinfo=None)
    )


def test_plan_missing_and_review_overdue(db, coach):
    today = timeutil.local_today(coach.program)
    new = factories.client(coach, intake_date=today - timedelta(days=29))
    due = factories.client(coach, intake_date=today - timedelta(days=30))
    drafted = factories.client(coach, intake_date=today - timedelta(days=60))
    services.start_plan(drafted, actor=coach)  # a draft is no signed plan
    planned = factories.client(coach, intake_date=today - timedelta(days=60))
    signed_plan(planned, coach, review_on=today + timedelta(days=1))
    overdue = factories.client(coach, intake_date=today - timedelta(days=90))
    signed_plan(overdue, coach, review_on=today - timedelta(days=1))
    gone = factories.client(coach, intake_date=today - timedelta(days=90), status="discharged")
    db.session.commit()
    counts = alert_counts(access.visible_clients(coach), _ctx(coach.program))
    assert counts["plan_missing"] == 2  # due and drafted; not new, not the discharged one
    assert counts["plan_review_due"] == 1
    assert new and due and gone

    columns = alert_columns(_ctx(coach.program))
    missing = set(db.session.scalars(select(Client.id).where(columns["plan_missing"])))
    review = set(db.session.scalars(select(Client.id).where(columns["plan_review_due"])))
    assert missing == {due.id, drafted.id}
    assert review == {overdue.id}


def test_a_new_signed_version_ends_the_review_alert(db, coach):
    today = timeutil.local_today(coach.program)
    client = factories.client(coach, intake_date=today - timedelta(days=90))
    signed_plan(client, coach, review_on=today - timedelta(days=1))
    db.session.commit()
    assert alert_counts(access.visible_clients(coach), _ctx(coach.program))["plan_review_due"] == 1
    second = services.start_plan(client, actor=coach)
    services.update_plan(
        second, {"review_on": today + timedelta(days=90)}, version=None, actor=coach
    )
    services.sign_plan(second, signer="client", typed_name="J", attested=True, actor=coach)
    services.sign_plan(second, signer="coach", typed_name="C", attested=True, actor=coach)
    db.session.commit()
    counts = alert_counts(access.visible_clients(coach), _ctx(coach.program))
    assert (counts["plan_review_due"], counts["plan_missing"]) == (0, 0)


def test_the_caseload_shows_the_plan_alerts(db, login, coach):
    today = timeutil.local_today(coach.program)
    factories.client(coach, intake_date=today - timedelta(days=45))
    overdue = factories.client(coach, intake_date=today - timedelta(days=90))
    signed_plan(overdue, coach, review_on=date(2025, 1, 1))
    db.session.commit()
    page = login(coach).get("/clients/").get_data(as_text=True)
    assert "No signed recovery plan 30 days after intake" in page
    assert "Recovery plan review overdue" in page
