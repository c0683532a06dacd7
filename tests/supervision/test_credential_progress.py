"""Coaches' credential progress and training hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from coachapp.models import (
    TrainingRecord,
)
from coachapp.supervision import queries
from tests import factories
from tests.helpers import QueryCounter, make_note, today_of
from tests.supervision.helpers import audit_rows, count

# --- Credential progress -----------------------------------------------------------------------


@pytest.fixture
def dataset(db, supervisor, coach, coach2, other_supervisor, other_coach):
    """A small history whose figures are worked out by hand in the tests below."""
    today = today_of(coach)
    client = factories.client(coach)
    # Supervision naming Casey (coach): 60 + 90 (group, also Dana) + 45 (14 months ago) = 195.
    make_note(db, supervisor, [coach], on=today - timedelta(days=30), minutes=60)
    make_note(db, supervisor, [coach, coach2], on=today - timedelta(days=60), minutes=90)
    make_note(db, supervisor, [coach], on=today - timedelta(days=425), minutes=45)
    make_note(db, supervisor, [coach], on=today - timedelta(days=10), minutes=120, archived=True)
    make_note(db, other_supervisor, [other_coach], on=today - timedelta(days=5), minutes=300)
    # Sessions: 45 + 50 completed count; attempted, archived and someone else's do not.
    factories.session(client, on=today - timedelta(days=3), minutes=45)
    factories.session(client, on=today - timedelta(days=400), minutes=50)
    factories.session(client, on=today - timedelta(days=2), minutes=30, outcome="attempted")
    factories.session(
        client, on=today - timedelta(days=1), minutes=20, archived_at=datetime.now(timezone.utc)
    )
    factories.session(factories.client(other_coach), minutes=200)
    # Training: ethics 6.5 + 2, advocacy 3.25; an archived record does not count.
    for domain, hours_, archived in (
        ("ethics", "6.5", False),
        ("ethics", "2", False),
        ("advocacy", "3.25", False),
        ("ethics", "10", True),
    ):
        db.session.add(
            TrainingRecord(
                coach_id=coach.id,
                domain=domain,
                hours=Decimal(hours_),
                completed_on=today - timedelta(days=20),
                title=f"Course {domain}",
                archived_at=datetime.now(timezone.utc) if archived else None,
            )
        )
    db.session.add(
        TrainingRecord(
            coach_id=coach2.id,
            domain="ethics",
            hours=Decimal("16"),
            completed_on=today,
            title="Other coach's course",
        )
    )
    db.session.commit()


def test_progress_figures_by_hand(db, dataset, coach, coach2):
    figures = queries.progress(coach)
    assert figures.supervision.done == Decimal("3.3")  # 195 min = 3.25 h, one decimal half up
    assert figures.supervision_last_12_months == Decimal("2.5")  # 60 + 90 = 150 min
    assert figures.experience.done == Decimal("1.6")  # 95 min = 1.583 h
    assert figures.training.done == Decimal("11.8")  # 6.5 + 2 + 3.25 = 11.75
    assert figures.ethics.done == Decimal("8.5")
    assert figures.training_by_domain == {
        "advocacy": Decimal("3.3"),
        "mentoring_education": Decimal("0.0"),
        "recovery_wellness": Decimal("0.0"),
        "ethics": Decimal("8.5"),
    }
    assert (figures.supervision.required, figures.experience.required) == (25, 500)
    assert (figures.training.required, figures.ethics.required) == (46, 16)

    dana = queries.progress(coach2)  # the group note counts in full for each coach named
    assert dana.supervision.done == Decimal("1.5")
    assert dana.supervision_last_12_months == Decimal("1.5")
    assert dana.experience.done == Decimal("0.0")
    assert dana.ethics.done == Decimal("16.0") and dana.ethics.met


def test_progress_page_shows_the_figures(db, dataset, login, coach, supervisor):
    for user in (coach, supervisor):
        response = login(user).get(f"/supervision/coaches/{coach.id}/progress")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert '<span class="stat">3.3</span> of 25 hours' in page
        assert "<strong>2.5</strong> hours" in page
        assert '<span class="stat">1.6</span> of 500 hours' in page
        assert '<span class="stat">11.8</span> of 46 hours' in page
        assert '<span class="stat">8.5</span> of 16 hours' in page
        assert '<progress class="w-100" max="25" value="3.3"' in page
        assert 'aria-valuetext="3.3 of 25 hours (13%)"' in page
        assert "Course ethics" in page
        assert "style=" not in page and "<script>" not in page


def test_progress_page_query_count_does_not_grow(db, login, supervisor, coach):
    client = factories.client(coach)
    browser = login(supervisor)

    def page_queries():
        with QueryCounter(db.engine) as counter:
            assert browser.get(f"/supervision/coaches/{coach.id}/progress").status_code == 200
        return counter.n

    make_note(db, supervisor, [coach])
    factories.session(client)
    db.session.add(
        TrainingRecord(
            coach_id=coach.id, domain="ethics", hours=1, completed_on=date(2026, 1, 1), title="T"
        )
    )
    db.session.commit()
    one = page_queries()
    for n in range(15):
        make_note(db, supervisor, [coach], on=date(2025, 1, 1) + timedelta(days=n))
        factories.session(client, on=date(2025, 1, 1) + timedelta(days=n))
        db.session.add(
            TrainingRecord(
                coach_id=coach.id,
                domain="advocacy",
                hours=2,
                completed_on=date(2025, 1, 1),
                title=f"T{n}",
            )
        )
    db.session.commit()
    assert page_queries() == one
    assert one <= 8


def test_one_year_before_handles_leap_days():
    assert queries.one_year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert queries.one_year_before(date(2026, 3, 10)) == date(2025, 3, 10)


# --- Training hours ----------------------------------------------------------------------------


def training_form(**overrides) -> dict:
    data = {
        "domain": "ethics",
        "hours": "1.5",
        "completed_on": "2026-01-20",
        "title": "Ethics in peer work",
        "provider": "State board",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["coach", "supervisor"])
def test_coach_or_supervisor_adds_training(request, db, login, coach, who):
    actor = request.getfixturevalue(who)
    response = login(actor).post(
        f"/supervision/coaches/{coach.id}/training/new", data=training_form()
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/supervision/coaches/{coach.id}/progress")
    record = db.session.scalar(select(TrainingRecord))
    assert (record.coach_id, record.created_by_id, record.hours) == (
        coach.id,
        actor.id,
        Decimal("1.50"),
    )
    [row] = audit_rows(db, "create")
    assert (row.entity_type, row.entity_id, row.user_id, row.client_id) == (
        "training_record",
        record.id,
        actor.id,
        None,
    )
    assert row.fields == "completed_on,domain,hours,provider,title"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "0", "Hours must be between 0.25 and 200."),
        ("hours", "201", "Hours must be between 0.25 and 200."),
        ("hours", "0.2", "Hours must be between 0.25 and 200."),
        ("hours", "abc", "Enter a number of hours, such as 1.5."),
        ("hours", "NaN", "Enter a number of hours, such as 1.5."),
        ("hours", "sNaN", "Enter a number of hours, such as 1.5."),
        ("hours", "Infinity", "Enter a number of hours, such as 1.5."),
        ("hours", "1e309", "Hours must be between 0.25 and 200."),
        ("hours", "1.255", "Give the hours with at most two decimals."),
        ("hours", "", "Give the hours."),
        ("domain", "cooking", "Not a valid choice."),
        ("domain", "", "Choose a domain."),
        ("completed_on", "2026-02-30", "Not a valid date value."),
        ("completed_on", "9999-12-31", "This date is too far in the future."),
        ("title", "   ", "Give the training&#39;s title."),
        ("title", "x" * 201, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_training_input(db, login, coach, field, value, message):
    response = login(coach).post(
        f"/supervision/coaches/{coach.id}/training/new",
        data=training_form(**{field: value}, provider="Kept provider"),
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert "Kept provider" in text
    assert count(db, TrainingRecord) == 0


def test_training_in_the_future_is_refused(db, login, coach):
    tomorrow = today_of(coach) + timedelta(days=1)
    response = login(coach).post(
        f"/supervision/coaches/{coach.id}/training/new",
        data=training_form(completed_on=tomorrow.isoformat()),
    )
    assert response.status_code == 422
    assert "This date is in the future." in response.get_data(as_text=True)
    assert count(db, TrainingRecord) == 0


def test_training_records_are_archived_with_a_reason(db, login, supervisor, coach, coach2):
    record = TrainingRecord(
        coach_id=coach.id, domain="ethics", hours=4, completed_on=date(2026, 1, 5), title="Ethics"
    )
    teammates = TrainingRecord(
        coach_id=coach2.id, domain="ethics", hours=4, completed_on=date(2026, 1, 5), title="Dana's"
    )
    db.session.add_all([record, teammates])
    db.session.commit()
    url = f"/supervision/coaches/{coach.id}/training/archive"
    browser = login(coach)

    response = browser.post(url, data={"training_id": str(record.id), "reason": " "})
    assert response.status_code == 422 and "Give a reason." in response.get_data(as_text=True)
    response = browser.post(url, data={"training_id": str(teammates.id), "reason": "mine now"})
    assert response.status_code == 422
    assert "Choose one of the records listed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrainingRecord, teammates.id).archived_at is None
    # The teammate's own page is not the coach's to act on.
    response = browser.post(
        f"/supervision/coaches/{coach2.id}/training/archive",
        data={"training_id": str(teammates.id), "reason": "x"},
    )
    assert response.status_code == 404

    assert queries.progress(coach).ethics.done == Decimal("4.0")
    response = login(supervisor).post(
        url, data={"training_id": str(record.id), "reason": "Entered twice"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    archived = db.session.get(TrainingRecord, record.id)
    assert archived.archived_by_id == supervisor.id and archived.archive_reason == "Entered twice"
    assert queries.progress(coach).ethics.done == Decimal("0.0")
    [row] = audit_rows(db, "archive")
    assert (row.entity_type, row.entity_id, row.client_id) == ("training_record", record.id, None)


def test_pages_carry_no_inline_script_or_style(db, login, supervisor, coach):
    note = make_note(db, supervisor, [coach])
    for user, urls in (
        (
            supervisor,
            [
                "/supervision/notes",
                "/supervision/notes/new",
                f"/supervision/notes/{note.id}",
                f"/supervision/notes/{note.id}/edit",
                "/supervision/progress",
                f"/supervision/coaches/{coach.id}/progress",
            ],
        ),
        (coach, [f"/supervision/notes/{note.id}", f"/supervision/coaches/{coach.id}/training/new"]),
    ):
        browser = login(user)
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert "<script>" not in html and "style=" not in html, url
            assert 'name="csrf_token"' in html or "<form" not in html, url


@pytest.mark.parametrize(
    "junk",
    ["", " ", "abc", "-1", "0", "99999999999999999999", "1e309", "²", "José", "' OR 1=1 --"],
)
def test_hostile_training_archive_posts(db, login, coach, junk):
    record = TrainingRecord(
        coach_id=coach.id, domain="ethics", hours=4, completed_on=date(2026, 1, 5), title="Ethics"
    )
    db.session.add(record)
    db.session.commit()
    response = login(coach).post(
        f"/supervision/coaches/{coach.id}/training/archive",
        data={"training_id": junk, "reason": "a reason"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(TrainingRecord, record.id).archived_at is None
