"""The recovery plan and consent alerts as tasks: a missing plan, a review overdue and a consent
about to expire each become a task of the coach's list (and its badge) while due, leave it when
resolved, never come from another coach's caseload, and cost no query per client."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from coachapp import access
from coachapp.clients import tasks
from coachapp.clients.alerts import AlertContext
from coachapp.models import ConsentRecord, CoveringAssignment, RecoveryPlan
from tests import factories
from tests.helpers import QueryCounter

KINDS = ("plan_missing", "plan_review_due", "consent_expiring")


def ctx() -> AlertContext:
    return AlertContext(today=access.today(), now=datetime.now(timezone.utc).replace(tzinfo=None))


def mine(user) -> dict[str, int]:
    found = tasks.counts(user, ctx())
    return {kind: found[kind] for kind in KINDS}


def consent(db, person, *, expires_in, recipient="Harbor Clinic", **fields) -> ConsentRecord:
    today = access.today()
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
    db.session.add(row)
    db.session.commit()
    return row


def one_of_each(db, coach, tag: str) -> dict:
    """A client of ``coach`` per task (plan missing, review overdue, consent expiring)."""
    today = access.today()
    planless = factories.client(
        coach, last_name=f"Planless{tag}", intake_date=today - timedelta(days=40)
    )
    reviewer = factories.client(
        coach, last_name=f"Reviewer{tag}", intake_date=today - timedelta(days=200)
    )
    plan = factories.signed_plan(reviewer, review_on=today - timedelta(days=3))
    kept = factories.client(coach, last_name=f"Kept{tag}", intake_date=today - timedelta(days=200))
    factories.signed_plan(kept, review_on=today + timedelta(days=60))
    expiring = consent(db, kept, expires_in=10)
    consent(db, kept, expires_in=None, recipient="County Court")  # no expiry: no task
    return {
        "planless": planless,
        "reviewer": reviewer,
        "plan": plan,
        "kept": kept,
        "consent": expiring,
    }


@pytest.fixture
def world(db, coach, other_coach):
    today = access.today()
    got = one_of_each(db, coach, "")
    # Not due: intake 10 days ago; a discharged client; a consent expiring in 40 days.
    factories.client(coach, last_name="Newcomer", intake_date=today - timedelta(days=10))
    factories.client(
        coach, last_name="Gone", intake_date=today - timedelta(days=200), status="discharged"
    )
    consent(db, got["reviewer"], expires_in=40)
    # Another coach's client with all three: none of it is coach's.
    zulu = factories.client(other_coach, last_name="Zulu", intake_date=today - timedelta(days=200))
    got["zulu_plan"] = factories.signed_plan(zulu, review_on=today - timedelta(days=1))
    consent(db, zulu, expires_in=5, recipient="Zulu Clinic")
    factories.client(other_coach, last_name="Zplanless", intake_date=today - timedelta(days=90))
    got["zulu"] = zulu
    return got


def test_each_task_counted_and_listed_where_to_act(db, coach, world):
    assert mine(coach) == {"plan_missing": 1, "plan_review_due": 1, "consent_expiring": 1}
    today = access.today()
    found = tasks.counts(coach, ctx())
    listed = tasks.items(coach, ctx(), found)
    due = (today - timedelta(days=40) + timedelta(days=30)).isoformat()
    assert [(t.client_name, t.detail, t.endpoint, t.args) for t in listed["plan_missing"]] == [
        (
            "Jordan Planless",
            f"Draft and sign a recovery plan (due {due})",
            "clients.detail",
            {"client_id": world["planless"].id, "_anchor": "plans"},
        )
    ]
    review = (today - timedelta(days=3)).isoformat()
    assert [(t.client_name, t.detail, t.endpoint, t.args) for t in listed["plan_review_due"]] == [
        (
            "Jordan Reviewer",
            f"Review the recovery plan (due {review})",
            "plans.show",
            {"plan_id": world["plan"].id},
        )
    ]
    expires = (today + timedelta(days=10)).isoformat()
    assert [(t.client_name, t.detail, t.endpoint, t.args) for t in listed["consent_expiring"]] == [
        (
            "Jordan Kept",
            f"Renew the consent to Harbor Clinic (expires {expires})",
            "clients.detail",
            {"client_id": world["kept"].id, "_anchor": "consents"},
        )
    ]


def test_the_home_page_and_badge(db, login, coach, world):
    home = login(coach).get("/clients/").get_data(as_text=True)
    section = home[home.index('id="tasks"') : home.index('role="search"')]
    assert f'href="/clients/{world["planless"].id}#plans"' in section
    assert f'href="/plans/{world["plan"].id}"' in section
    assert f'href="/clients/{world["kept"].id}#consents"' in section
    assert "Renew the consent to Harbor Clinic" in section
    for label in ("Recovery plans missing", "Recovery plan reviews due", "Consents expiring"):
        assert label in section
    assert "Zulu" not in section and "Zplanless" not in section
    # Newcomer (10 days in) and Gone (discharged) have no plan task; Reviewer's consent
    # expires in 40 days: one task of each kind.
    assert section.count("Draft and sign a recovery plan") == 1
    assert section.count("Review the recovery plan") == 1
    assert section.count("Renew the consent") == 1
    total = sum(tasks.counts(coach, ctx()).values())
    assert f">{total}</span>" in section
    nav = home[: home.index("</nav>")]
    assert f'text-bg-warning">{total}<span class="visually-hidden"> tasks</span>' in nav
    # The links land where the coach acts: the plan panel and the consents section.
    page = login(coach).get(f"/clients/{world['planless'].id}").get_data(as_text=True)
    assert 'id="plans"' in page and 'id="consents"' in page
    assert login(coach).get(f"/plans/{world['plan'].id}").status_code == 200


def test_plan_missing_leaves_once_a_plan_is_signed_by_both(db, coach, world):
    person = world["planless"]
    half = RecoveryPlan(
        client_id=person.id,
        enrollment_id=person.latest_enrollment.id,
        number=1,
        status="draft",
        signed_by_client_at=datetime.now(timezone.utc),
        client_signature_method="typed",
        client_signature_name="Jordan",
    )
    db.session.add(half)
    db.session.commit()
    assert mine(coach)["plan_missing"] == 1  # a draft the client signed is not a plan yet
    db.session.delete(half)
    factories.signed_plan(person, review_on=access.today() + timedelta(days=90))
    assert mine(coach)["plan_missing"] == 0


def test_review_leaves_when_the_date_moves(db, coach, world):
    world["plan"].review_on = access.today()  # due today is not yet overdue
    db.session.commit()
    assert mine(coach)["plan_review_due"] == 0
    world["plan"].review_on = access.today() - timedelta(days=1)
    db.session.commit()
    assert mine(coach)["plan_review_due"] == 1


def test_consent_leaves_when_renewed(db, coach, world):
    consent(db, world["kept"], expires_in=365, signed_on=access.today())
    assert mine(coach)["consent_expiring"] == 0


def test_consent_renewed_to_another_recipient_still_counts(db, coach, world):
    consent(db, world["kept"], expires_in=365, recipient="Other Place", signed_on=access.today())
    assert mine(coach)["consent_expiring"] == 1


def test_consent_leaves_when_revoked(db, login, coach, world):
    response = login(coach).post(
        f"/consents/{world['consent'].id}/revoke",
        data={"revoked_on": access.today().isoformat()},
    )
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert world["consent"].revoked_on == access.today()
    assert mine(coach)["consent_expiring"] == 0


def test_each_consent_is_its_own_task(db, coach, world):
    consent(db, world["kept"], expires_in=20, recipient="Second Clinic")
    found = tasks.counts(coach, ctx())
    assert found["consent_expiring"] == 2
    listed = tasks.items(coach, ctx(), found)["consent_expiring"]
    assert [t.detail.split(" (")[0] for t in listed] == [
        "Renew the consent to Harbor Clinic",  # the sooner expiry first
        "Renew the consent to Second Clinic",
    ]


def test_the_other_coach_has_their_own_and_covering_brings_them(db, coach, other_coach, world):
    assert mine(other_coach) == {"plan_missing": 1, "plan_review_due": 1, "consent_expiring": 1}
    today = access.today()
    db.session.add(
        CoveringAssignment(
            covering_user_id=coach.id,
            coach_id=other_coach.id,
            client_id=world["zulu"].id,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=1),
        )
    )
    db.session.commit()
    # As for the other tasks (BARC-10 due, outcomes): a covered client's tasks are the
    # covering coach's too; the other coach's uncovered client stays out.
    assert mine(coach) == {"plan_missing": 1, "plan_review_due": 2, "consent_expiring": 2}
    found = tasks.counts(coach, ctx())
    names = {t.client_name for kind in KINDS for t in tasks.items(coach, ctx(), found)[kind]}
    assert "Jordan Zulu" in names and "Jordan Zplanless" not in names


def test_other_roles_have_no_tasks(db, login, supervisor, world):
    assert sum(tasks.counts(supervisor, ctx()).values()) == 0
    page = login(supervisor).get("/clients/").get_data(as_text=True)
    assert 'id="tasks"' not in page and 'visually-hidden"> tasks' not in page


def test_query_count_stays_constant_with_more_clients(db, login, coach, world):
    browser = login(coach)
    browser.get("/clients/")  # warm up
    with QueryCounter(db.engine) as counting:
        tasks.counts(coach, ctx())
    assert counting.n == 1
    with QueryCounter(db.engine) as before:
        browser.get("/clients/")
    for n in range(6):
        one_of_each(db, coach, f"X{n}")
    with QueryCounter(db.engine) as after:
        home = browser.get("/clients/").get_data(as_text=True)
    assert mine(coach) == {"plan_missing": 7, "plan_review_due": 7, "consent_expiring": 7}
    assert home.count("Draft and sign a recovery plan") == tasks.ITEMS_SHOWN
    assert "and 2 more" in home
    assert after.n == before.n
